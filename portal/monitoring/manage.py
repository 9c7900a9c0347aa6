"""Staff pages of monitoring (/staf/pemantauan): the plan, its goals and activities with
progress and milestones, and the indicators with their targets and entered values.
Operators and admins write; auditors (the village head, the BPD) read."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.forms import EmptyForm, choices
from portal.monitoring import services
from portal.monitoring.activity_form_html import activity_fields_html, links_html
from portal.monitoring.forms import (
    ActivityForm,
    GoalForm,
    IndicatorForm,
    MilestoneForm,
    PlanForm,
    YearValueForm,
)
from portal.monitoring.models import ACTIVITY_STATUSES, FIELDS, Activity, Indicator, Plan
from portal.monitoring.staff_rows import staff_indicator_rows
from portal.roles import EDITORS, READERS
from portal.security import roles_required
from portal.service_errors import show_error

bp = Blueprint("monitoring_manage", __name__, url_prefix="/staf/pemantauan")


@bp.context_processor
def _labels():
    return {"activity_fields": FIELDS, "activity_statuses": ACTIVITY_STATUSES}


def _actor():
    return current_user._get_current_object()


def _blank(kind):
    """A blank form of `kind`, or None on a GET: the template then renders the blank
    form once per worker and keeps it (kept_fragment), building `kind()` only then."""
    return None if request.method == "GET" else kind(formdata=None)


def _index(plan_form=None, indicator_form=None, status=200):
    return (
        render_template(
            "monitoring/manage/index.html",
            plans=services.plans(),
            indicators=services.indicator_list(),
            plan_form=plan_form or _blank(PlanForm),
            indicator_form=indicator_form or _blank(IndicatorForm),
            blank_plan_form=PlanForm,
            blank_indicator_form=IndicatorForm,
            staff_indicator_rows=staff_indicator_rows,
        ),
        status,
    )


@bp.route("/")
@roles_required(*READERS)
def index():
    return _index()


@bp.route("/rencana", methods=["POST"])
@roles_required(*EDITORS)
def new_plan():
    form = PlanForm()
    if form.validate_on_submit():
        try:
            plan = services.save_plan(
                title_id=form.title_id.data,
                title_en=form.title_en.data,
                first_year=form.first_year.data,
                vision_id=form.vision_id.data,
                vision_en=form.vision_en.data,
                actor=_actor(),
            )
        except services.MonitoringError as error:
            show_error(form, error)
        else:
            flash(_("The plan was saved."), "success")
            return redirect(url_for("monitoring_manage.plan", plan_id=plan.id))
    return _index(plan_form=form, status=422)


@bp.route("/indikator", methods=["POST"])
@roles_required(*EDITORS)
def new_indicator():
    form = IndicatorForm()
    if form.validate_on_submit():
        try:
            item = services.save_indicator(
                {name: field.data for name, field in form._fields.items()}, actor=_actor()
            )
        except services.MonitoringError as error:
            show_error(form, error)
        else:
            flash(_("The indicator was saved."), "success")
            return redirect(url_for("monitoring_manage.indicator", indicator_id=item.id))
    return _index(indicator_form=form, status=422)


@bp.route("/indikator/portal", methods=["POST"])
@roles_required(*EDITORS)
def add_computed():
    if EmptyForm().validate_on_submit():
        added = services.ensure_computed(actor=_actor())
        flash(_("%(n)d computed indicators were added.", n=added), "success")
    return redirect(url_for("monitoring_manage.index"))


# Built once per process (building and cache-keying them cost more than running them).
@cache
def _plan_statement():
    """The plan with its goals joined (every plan page shows or offers them)."""
    return select(Plan).where(Plan.id == bindparam("plan_id")).options(joinedload(Plan.goals))


@cache
def _activity_statement():
    """The activity with its milestones and its plan with the plan's goals, in one
    statement (a few goals times a few milestones: cheaper than a second statement)."""
    return (
        select(Activity, Plan)
        .join(Plan, Plan.id == Activity.plan_id)
        .where(Activity.id == bindparam("activity_id"))
        .options(joinedload(Plan.goals), joinedload(Activity.milestones))
    )


def _plan_or_404(plan_id: int) -> Plan:
    plan = db.session.execute(_plan_statement(), {"plan_id": plan_id}).unique().scalar()
    if plan is None:
        abort(404)
    return plan


def _activity_form(
    plan: Plan, activity: Activity | None = None, formdata=True, tree=None
) -> ActivityForm:
    """The activity form; `tree` is the plan's `activity_tree` if the page has it."""
    form = ActivityForm(obj=activity) if formdata else ActivityForm(formdata=None, obj=activity)
    form.goal_id.choices = choices({0: "—", **{g.id: g.title_id for g in plan.goals}})
    if tree is None:
        tree = services.activity_tree(plan)
    others = [a for a, _d, _p in tree if activity is None or a.id != activity.id]
    form.parent_id.choices = choices({0: "—", **{a.id: f"{a.year} · {a.title_id}" for a in others}})
    return form


def _plan_page(plan: Plan, goal_form=None, activity_form=None, status=200):
    tree = services.activity_tree(plan)
    # A GET's blank activity form: the fields that are the same on every plan are kept
    # per worker (the template's kept_fragment), the goal and parent menus are written
    # by a plain function (activity_form_html.links_html: the same markup); the blank
    # goal form is kept too.
    blank = activity_form is None and request.method == "GET"
    links = None
    if blank:
        links = links_html(plan.goals, [a for a, _d, _p in tree])
    elif activity_form is None:
        activity_form = _activity_form(plan, formdata=False, tree=tree)
    if goal_form is None and not blank:
        goal_form = GoalForm(formdata=None, prefix="goal")
    return (
        render_template(
            "monitoring/manage/plan.html",
            plan=plan,
            tree=tree,
            goal_form=goal_form,
            blank_goal_form=GoalForm,
            activity_form=activity_form,
            blank_activity_form=ActivityForm if blank else None,
            links_html=links,
        ),
        status,
    )


@bp.route("/rencana/<int:plan_id>")
@roles_required(*READERS)
def plan(plan_id: int):
    return _plan_page(_plan_or_404(plan_id))


@bp.route("/rencana/<int:plan_id>/tujuan", methods=["POST"])
@roles_required(*EDITORS)
def add_goal(plan_id: int):
    plan = _plan_or_404(plan_id)
    form = GoalForm(prefix="goal")
    if form.validate_on_submit():
        try:
            services.add_goal(
                plan.id, title_id=form.title_id.data, title_en=form.title_en.data, actor=_actor()
            )
        except services.MonitoringError as error:
            show_error(form, error)
        else:
            return redirect(url_for("monitoring_manage.plan", plan_id=plan.id))
    return _plan_page(plan, goal_form=form, status=422)


def _activity_data(form: ActivityForm) -> dict:
    data = {name: form[name].data for name in services.ACTIVITY_FIELDS}
    data["goal_id"] = data["goal_id"] or None
    data["parent_id"] = data["parent_id"] or None
    return data


@bp.route("/rencana/<int:plan_id>/kegiatan", methods=["POST"])
@roles_required(*EDITORS)
def add_activity(plan_id: int):
    plan = _plan_or_404(plan_id)
    form = _activity_form(plan)
    if form.validate_on_submit():
        try:
            item = services.save_activity(plan.id, None, _activity_data(form), actor=_actor())
        except services.MonitoringError as error:
            show_error(form, error)
        else:
            flash(_("The activity was saved."), "success")
            return redirect(url_for("monitoring_manage.activity", activity_id=item.id))
    return _plan_page(plan, activity_form=form, status=422)


def _activity_or_404(activity_id: int) -> tuple[Activity, Plan]:
    """The activity and its plan."""
    found = db.session.execute(_activity_statement(), {"activity_id": activity_id}).unique()
    row = found.first()
    if row is None:
        abort(404)
    return row[0], row[1]


def _activity_page(item: Activity, plan: Plan, form=None, milestone_form=None, status=200):
    tree = services.activity_tree(plan)
    progress = {a.id: p for a, _d, p in tree}
    # The stored activity's form (no form of the request's to show) written by a plain
    # function: the same markup as the WTForms form's fields.
    form_html = None
    if form is None:
        others = [a for a, _d, _p in tree if a.id != item.id]
        form_html = activity_fields_html(item, plan.goals, others)
    return (
        render_template(
            "monitoring/manage/activity.html",
            item=item,
            plan=plan,
            progress=progress.get(item.id, item.progress),
            form=form,
            form_html=form_html,
            milestone_form=milestone_form or _blank(MilestoneForm),
            blank_milestone_form=MilestoneForm,
        ),
        status,
    )


@bp.route("/kegiatan/<int:activity_id>")
@roles_required(*READERS)
def activity(activity_id: int):
    return _activity_page(*_activity_or_404(activity_id))


@bp.route("/kegiatan/<int:activity_id>", methods=["POST"])
@roles_required(*EDITORS)
def edit_activity(activity_id: int):
    item, plan = _activity_or_404(activity_id)
    form = _activity_form(plan, item)
    if form.validate_on_submit():
        try:
            services.save_activity(plan.id, item.id, _activity_data(form), actor=_actor())
        except services.MonitoringError as error:
            show_error(form, error)
        else:
            flash(_("The activity was saved."), "success")
            return redirect(url_for("monitoring_manage.activity", activity_id=item.id))
    return _activity_page(item, plan, form=form, status=422)


@bp.route("/kegiatan/<int:activity_id>/tonggak", methods=["POST"])
@roles_required(*EDITORS)
def add_milestone(activity_id: int):
    item, plan = _activity_or_404(activity_id)
    form = MilestoneForm()
    if form.validate_on_submit():
        try:
            services.add_milestone(
                item.id,
                on=form.on.data,
                text_id=form.text_id.data,
                text_en=form.text_en.data,
                actor=_actor(),
                photo=form.photo.image,
            )
        except services.MonitoringError as error:
            show_error(form, error)
        else:
            return redirect(url_for("monitoring_manage.activity", activity_id=item.id))
    return _activity_page(item, plan, milestone_form=form, status=422)


@cache
def _indicator_statement():
    """The indicator with its targets and values (a few years each) in one statement."""
    return (
        select(Indicator)
        .where(Indicator.id == bindparam("indicator_id"))
        .options(joinedload(Indicator.targets), joinedload(Indicator.values))
    )


def _indicator_or_404(indicator_id: int) -> Indicator:
    found = db.session.execute(_indicator_statement(), {"indicator_id": indicator_id})
    item = found.unique().scalar()
    if item is None:
        abort(404)
    return item


def _blank_year_value(prefix: str):
    """A blank target or value form, or None on a GET: the template then renders it once
    per worker and keeps it (kept_fragment), building YearValueForm only then."""
    return None if request.method == "GET" else YearValueForm(formdata=None, prefix=prefix)


def _indicator_page(item: Indicator, target_form=None, value_form=None, status=200):
    return (
        render_template(
            "monitoring/manage/indicator.html",
            item=item,
            measure=services.measure(item.computed),
            target_form=target_form or _blank_year_value("target"),
            value_form=value_form or _blank_year_value("value"),
            blank_year_value_form=YearValueForm,
        ),
        status,
    )


@bp.route("/indikator/<int:indicator_id>")
@roles_required(*READERS)
def indicator(indicator_id: int):
    return _indicator_page(_indicator_or_404(indicator_id))


@bp.route("/indikator/<int:indicator_id>/target", methods=["POST"])
@roles_required(*EDITORS)
def set_target(indicator_id: int):
    item = _indicator_or_404(indicator_id)
    form = YearValueForm(prefix="target")
    if form.validate_on_submit():
        try:
            services.set_target(item.id, year=form.year.data, value=form.value.data, actor=_actor())
        except services.MonitoringError as error:
            show_error(form, error)
        else:
            return redirect(url_for("monitoring_manage.indicator", indicator_id=item.id))
    return _indicator_page(item, target_form=form, status=422)


@bp.route("/indikator/<int:indicator_id>/nilai", methods=["POST"])
@roles_required(*EDITORS)
def record_value(indicator_id: int):
    item = _indicator_or_404(indicator_id)
    form = YearValueForm(prefix="value")
    if form.validate_on_submit():
        try:
            services.record_value(
                item.id,
                year=form.year.data,
                value=form.value.data,
                note=form.note.data,
                actor=_actor(),
            )
        except services.MonitoringError as error:
            show_error(form, error)
        else:
            return redirect(url_for("monitoring_manage.indicator", indicator_id=item.id))
    return _indicator_page(item, value_form=form, status=422)
