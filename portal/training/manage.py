"""Staff pages for training under /staf/pelatihan: courses and sessions, signing people
up at the village office, feedback and reports (with an .xlsx export).
Operators and admins change things; auditors read."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select

from portal.accounts.phones import normalise_phone
from portal.database import read
from portal.extensions import db
from portal.form_html import fields_html
from portal.models_base import as_utc, village_tz
from portal.registry.models import NEED_LEVELS, Person
from portal.roles import EDITORS, READERS
from portal.security import roles_required
from portal.service_errors import show_error
from portal.training import report_page, services
from portal.training.forms import ActionForm, CourseForm, OfficeSignUpForm, SessionForm
from portal.training.models import Course, Place, TrainingSession
from portal.training.place_rows import place_rows
from portal.urlargs import id_arg

bp = Blueprint("training_manage", __name__, url_prefix="/staf/pelatihan")


@bp.route("/")
@roles_required(*READERS)
def index():
    return render_template("training/manage/index.html", courses=services.course_rows())


# --- courses ---------------------------------------------------------------------------


def _course_choices(form: CourseForm) -> None:
    trainers, companies, programmes = services.course_menus()
    form.trainer_id.choices = [("", _("No account"))] + [
        (str(user_id), name) for user_id, name in trainers
    ]
    form.sponsor_company_id.choices = [("", _("No sponsor"))] + [
        (str(company_id), name) for company_id, name in companies
    ]
    form.priority_programme_id.choices = [("", "-")] + [
        (str(programme_id), name) for programme_id, name in programmes
    ]


def _course_data(form: CourseForm) -> dict:
    def as_id(value):
        return int(value) if value else None

    return {
        "title_id": form.title_id.data.strip(),
        "title_en": (form.title_en.data or "").strip() or None,
        "description_id": form.description_id.data,
        "description_en": form.description_en.data or None,
        "category": form.category.data,
        "place": form.place.data.strip(),
        "trainer_id": as_id(form.trainer_id.data),
        "trainer_name": (form.trainer_name.data or "").strip() or None,
        "sponsor_company_id": as_id(form.sponsor_company_id.data),
        "pledge_id": form.pledge_id.data or None,
        "priority_rule": form.priority_rule.data,
        "priority_levels": " ".join(form.priority_levels.data or []) or None,
        "priority_programme_id": as_id(form.priority_programme_id.data),
        "published": bool(form.published.data),
    }


def _course_form_page(form, course=None, pledge=None, status=200):
    return (
        render_template(
            "training/manage/course_form.html",
            form=form,
            course=course,
            pledge=pledge,
            fields_html=fields_html,
        ),
        status,
    )


@bp.route("/kursus/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def course_new():
    """A new course; `?pledge=<id>` (from the CSR board) fills in the sponsor."""
    form = CourseForm()
    _course_choices(form)
    pledge = services.sponsor_from_pledge(id_arg("pledge"))
    if request.method == "GET" and pledge is not None:
        form.sponsor_company_id.data = str(pledge.company_id)
        form.pledge_id.data = pledge.id
        if pledge.need is not None:
            form.title_id.data = pledge.need.title_id
            form.title_en.data = pledge.need.title_en
            form.description_id.data = pledge.need.description_id
        form.category.data = "entrepreneurship"
    if form.validate_on_submit() and (saved := _save_course(form, None)):
        return saved
    return _course_form_page(form, pledge=pledge, status=422 if form.errors else 200)


@bp.route("/kursus/<int:course_id>")
@roles_required(*READERS)
def course(course_id: int):
    # The course with its sponsor and its sessions (by start): one statement.
    item = services.course_with_sessions(course_id)
    if item is None:
        abort(404)
    return render_template(
        "training/manage/course.html",
        course=item,
        sessions=item.sessions,
        need_levels=NEED_LEVELS,
    )


@bp.route("/kursus/<int:course_id>/ubah", methods=["GET", "POST"])
@roles_required(*EDITORS)
def course_edit(course_id: int):
    item = db.get_or_404(Course, course_id)
    form = CourseForm(obj=item)
    _course_choices(form)
    if request.method == "GET":
        form.trainer_id.data = str(item.trainer_id or "")
        form.sponsor_company_id.data = str(item.sponsor_company_id or "")
        form.priority_programme_id.data = str(item.priority_programme_id or "")
        form.priority_levels.data = item.level_list
    if form.validate_on_submit() and (saved := _save_course(form, item)):
        return saved
    return _course_form_page(form, course=item, status=422 if form.errors else 200)


def _save_course(form: CourseForm, item: Course | None):
    """Save the form's course (new when `item` is None): the redirect to its page, or
    None when the service refuses it (the reason is then on the form)."""
    try:
        course = services.save_course(item, _course_data(form), actor=current_user)
    except services.TrainingError as error:
        show_error(form, error)
        return None
    flash(
        _("Course saved. Now add its sessions.") if item is None else _("Course saved."), "success"
    )
    return redirect(url_for("training_manage.course", course_id=course.id))


# --- sessions --------------------------------------------------------------------------


def _session_data(form: SessionForm) -> dict:
    tz = village_tz()
    return {
        "starts_at": datetime.combine(form.day.data, form.start.data, tz),
        "ends_at": datetime.combine(form.day.data, form.end.data, tz),
        "seats": form.seats.data,
        "place": (form.place.data or "").strip() or None,
    }


def _session_form(course, ts, form, status=200):
    return (
        render_template(
            "training/manage/session_form.html",
            course=course,
            ts=ts,
            form=form,
            fields_html=fields_html,
        ),
        status,
    )


@bp.route("/kursus/<int:course_id>/sesi/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def session_new(course_id: int):
    item = db.get_or_404(Course, course_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            ts = services.save_session(item, None, _session_data(form), actor=current_user)
        except services.TrainingError as error:
            show_error(form, error)
        else:
            flash(_("Session saved."), "success")
            return redirect(url_for("training_manage.session", session_id=ts.id))
    return _session_form(item, None, form, 422 if form.errors else 200)


@cache
def _session_row_statement():
    """A session's times, seats and place with its course's id and title (the edit page's
    course crumb)."""
    return (
        select(
            Course.id,
            Course.title_id,
            TrainingSession.starts_at,
            TrainingSession.ends_at,
            TrainingSession.seats,
            TrainingSession.place,
        )
        .join(Course, Course.id == TrainingSession.course_id)
        .where(TrainingSession.id == bindparam("session_id"))
    )


@bp.route("/sesi/<int:session_id>/ubah", methods=["GET", "POST"])
@roles_required(*EDITORS)
def session_edit(session_id: int):
    if request.method == "GET":
        # Only shown: the session and its course's title as one plain row.
        row = read(db.session, _session_row_statement(), {"session_id": session_id}).first()
        if row is None:
            abort(404)
        form = SessionForm()
        start = as_utc(row.starts_at).astimezone(village_tz())
        end = as_utc(row.ends_at).astimezone(village_tz())
        form.day.data, form.start.data, form.end.data = start.date(), start.time(), end.time()
        form.seats.data, form.place.data = row.seats, row.place
        return _session_form(row, row, form)
    ts = db.get_or_404(TrainingSession, session_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            services.save_session(ts.course, ts, _session_data(form), actor=current_user)
        except services.TrainingError as error:
            show_error(form, error)
        else:
            flash(_("Session saved."), "success")
            return redirect(url_for("training_manage.session", session_id=ts.id))
    return _session_form(ts.course, ts, form, 422 if form.errors else 200)


def _blank_sign_up_form() -> OfficeSignUpForm:
    return OfficeSignUpForm(meta={"csrf": False})


def _session_page(ts, form=None, status=200, lists=None):
    places, queue = lists or services.session_lists(ts.id)
    return (
        render_template(
            "training/manage/session.html",
            ts=ts,
            places=places,
            queue=queue,
            form=form,  # None on a GET: the template keeps the blank form's fields
            blank_sign_up_form=_blank_sign_up_form,
            action=ActionForm(),
            place_rows=place_rows,
            fields_html=fields_html,
        ),
        status,
    )


@bp.route("/sesi/<int:session_id>")
@roles_required(*READERS)
def session(session_id: int):
    # The session and its lists: one statement.
    found = services.session_with_lists(session_id)
    if found is None:
        abort(404)
    ts, places, queue = found
    return _session_page(ts, lists=(places, queue))


@bp.route("/sesi/<int:session_id>/daftar", methods=["POST"])
@roles_required(*EDITORS)
def session_sign_up(session_id: int):
    """Sign someone up at the office: a registry person, or a name and phone number."""
    ts = db.get_or_404(TrainingSession, session_id)
    form = OfficeSignUpForm()
    if not form.validate_on_submit():
        return _session_page(ts, form, 422)
    try:
        if form.person_id.data:
            person = db.session.get(Person, form.person_id.data)
            if person is None:
                raise services.TrainingError(_("No person with this number."), "person_id")
            applicant = services.applicant_for_person(
                person, normalise_phone(form.phone.data), form.locale.data
            )
        else:
            applicant = services.applicant_by_phone(
                form.name.data or "", form.phone.data or "", form.locale.data
            )
        place = services.sign_up(ts.id, applicant, actor=current_user)
    except services.TrainingError as error:
        show_error(form, error)
        return _session_page(ts, form, 422)
    if place.status == "enrolled":
        flash(_("%(name)s has a place.", name=place.name), "success")
    else:
        flash(
            _(
                "%(name)s is number %(pos)d on the waitlist.",
                name=place.name,
                pos=services.waitlist_position(place),
            ),
            "info",
        )
    return redirect(url_for("training_manage.session", session_id=ts.id))


@bp.route("/tempat/<int:place_id>/batal", methods=["POST"])
@roles_required(*EDITORS)
def place_cancel(place_id: int):
    place = db.get_or_404(Place, place_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        promoted = services.cancel(place.id, actor=current_user)
    except services.TrainingError as error:
        flash(error.message, "error")
    else:
        flash(_("Place cancelled."), "success")
        if promoted is not None:
            flash(_("%(name)s moved up from the waitlist.", name=promoted.name), "info")
    return redirect(url_for("training_manage.session", session_id=place.session_id))


# --- reports -----------------------------------------------------------------------------


@bp.route("/laporan")
@roles_required(*READERS)
def reports():
    return render_template(
        "training/manage/reports.html", tables=report_page.tables_html(services.reports_page())
    )


@bp.route("/laporan.xlsx")
@roles_required(*READERS)
def reports_xlsx():
    data = services.export_xlsx(current_user)
    response = Response(
        data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="laporan-pelatihan.xlsx"'
    return response
