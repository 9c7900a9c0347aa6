"""Staff pages of the CSR board (/staf/csr/): needs, companies, pledges, deliveries.

Operators and admins act; auditors read. Only an admin verifies a company.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.routing import BuildError
from wtforms.fields.choices import SelectChoice

from portal.csr import facts, history, need_fields, rows, services
from portal.csr.forms import (
    NEED_FIELD_RUNS,
    AcceptOfferForm,
    DeliveryForm,
    NeedChoicesForm,
    NeedForm,
    NoteForm,
    RejectCompanyForm,
    VerifyCompanyForm,
)
from portal.csr.models import COMPANY_STATUSES, PLEDGE_STATUSES, Company, Need, Pledge
from portal.extensions import db
from portal.forms import EmptyForm
from portal.models_base import village_today
from portal.participation import queries as participation_queries
from portal.programmes import queries as programme_queries
from portal.roles import ADMINS, EDITORS, READERS
from portal.security import roles_required
from portal.service_errors import show_error
from portal.urlargs import existing_page, page_arg

bp = Blueprint("csr_manage", __name__, url_prefix="/staf/csr")


@bp.context_processor
def _labels():
    """Labels and rows written in Python only the staff pages of the CSR board show
    (not app-wide Jinja globals: every {% from %} import walks the globals)."""
    return {
        "company_statuses": COMPANY_STATUSES,
        "csr_history": history.history_section,
        "csr_pledge_top": facts.pledge_top,
        "csr_company_top": facts.company_top,
        "csr_staff_pledge_rows": rows.staff_pledge_rows,
        "csr_staff_need_rows": rows.staff_need_rows,
        "csr_staff_needs_table": rows.staff_needs_table,
        "csr_company_rows": rows.company_rows,
        "csr_status_links": rows.status_links,
        "csr_step_forms": rows.step_forms,
    }


def _actor():
    return current_user._get_current_object()


@bp.route("/")
@roles_required(*READERS)
def index():
    needs, progress, public_progress = services.needs_with_progress()
    counts, pending = services.overview_counts()
    return render_template(
        "csr/manage/index.html",
        needs=needs,
        progress=progress,
        public_progress=public_progress,
        counts=counts,
        pending=pending,
        statuses=PLEDGE_STATUSES,
    )


def _programme_choices():
    return [SelectChoice(value=0, label=_("None"))] + [
        SelectChoice(value=programme_id, label=name)
        for programme_id, name in programme_queries.names()
    ]


def _ballot_choices():
    return [SelectChoice(value=0, label=_("None"))] + [
        SelectChoice(value=ballot_id, label=question)
        for ballot_id, question in participation_queries.ballot_questions()
    ]


def _choice_pairs(found, none: str | None = None) -> list[tuple[int, str]]:
    """A select's (value, label) pairs: "None" (0) first, then the rows read. `none`:
    that word, when the caller has it already (Flask-Babel's gettext finds the
    catalogue again on every call)."""
    return [(0, none or _("None")), *((row_id, label) for row_id, label in found)]


def _need_form(item: Need | None = None, kind=NeedForm) -> NeedForm:
    """The need form (or `kind`, its NeedChoicesForm part)."""
    form = kind(obj=item)
    form.programme_id.choices = _programme_choices()
    form.ballot_id.choices = _ballot_choices()
    if item is not None and request.method == "GET":
        form.programme_id.data = item.programme_id or 0
        form.ballot_id.data = item.ballot_id or 0
    return form


def _need_data(form: NeedForm) -> dict:
    data = {name: form.data[name] for name in services.NEED_FIELDS if name in form.data}
    data["programme_id"] = data.get("programme_id") or None
    data["ballot_id"] = data.get("ballot_id") or None
    return data


@bp.route("/kebutuhan/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def need_create():
    if request.method == "GET":
        # The blank form: the fields without read choices are kept per worker (the
        # template's kept_fragment); only the programme and ballot are built.
        return render_template(
            "csr/manage/need_form.html",
            form=_need_form(kind=NeedChoicesForm),
            need=None,
            blank_form=NeedForm,
            runs=NEED_FIELD_RUNS,
        )
    form = _need_form()
    if form.validate_on_submit():
        try:
            item = services.save_need(None, _need_data(form), actor=_actor())
        except services.CsrError as error:
            show_error(form, error, fallback="kind")
        else:
            flash(_("Saved as a draft. Publish it when it is ready."), "success")
            return redirect(url_for("csr_manage.need_edit", need_id=item.id))
    # No publish button yet (a new need): the page shows it only for a saved need.
    return render_template("csr/manage/need_form.html", form=form, need=None)


@bp.route("/kebutuhan/<int:need_id>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def need_edit(need_id: int):
    if request.method == "GET":
        # The need with its progress in one statement; the filled-in form written from
        # kept markup (need_fields), not a WTForms form.
        found = services.need_with_progress(need_id, public=False)
        if found is None:
            abort(404)
        item, progress = found
        return render_template(
            "csr/manage/need_form.html",
            form=None,
            need=item,
            progress=progress,
            filled_fields=need_fields.need_fields(
                item,
                _choice_pairs(programme_queries.names(), none := _("None")),
                _choice_pairs(participation_queries.ballot_questions(), none),
            ),
        )
    item = db.get_or_404(Need, need_id)
    form = _need_form(item)
    if form.validate_on_submit():
        try:
            services.save_need(item, _need_data(form), actor=_actor())
        except services.CsrError as error:
            show_error(form, error, fallback="kind")
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("csr_manage.need_edit", need_id=item.id))
    return render_template(
        "csr/manage/need_form.html",
        form=form,
        need=item,
        progress=services.progress_of(item, public=False),
        button=EmptyForm(),
    )


@bp.route("/kebutuhan/<int:need_id>/terbitkan", methods=["POST"])
@roles_required(*EDITORS)
def need_publish(need_id: int):
    return _set_published(need_id, True)


@bp.route("/kebutuhan/<int:need_id>/tarik", methods=["POST"])
@roles_required(*EDITORS)
def need_unpublish(need_id: int):
    return _set_published(need_id, False)


def _set_published(need_id: int, value: bool):
    item = db.get_or_404(Need, need_id)
    if EmptyForm().validate_on_submit():
        services.set_need_published(item, value, actor=_actor())
        flash(_("Published.") if value else _("Taken off the public pages."), "success")
    if request.form.get("back") == "list":
        return redirect(url_for("csr_manage.index"))
    return redirect(url_for("csr_manage.need_edit", need_id=need_id))


@bp.route("/mitra")
@roles_required(*READERS)
def companies():
    status = request.args.get("status") or None
    if status is not None and status not in COMPANY_STATUSES:
        abort(404)
    return render_template(
        "csr/manage/companies.html",
        companies=services.list_companies(status),
        status=status,
        statuses=COMPANY_STATUSES,
    )


@bp.route("/mitra/<int:company_id>")
@roles_required(*READERS)
def company(company_id: int):
    # With its account (the page shows its e-mail address) in the same statement.
    item = db.session.get(Company, company_id, options=[joinedload(Company.user)])
    if item is None:
        abort(404)
    if current_user.role not in ADMINS:  # the verification forms are an admin's only
        return _company_page(item, None, None)
    return _company_page(item, VerifyCompanyForm(), RejectCompanyForm())


def _company_page(item, verify_form, reject_form, status=200):
    # The pledges' deliveries are not shown here.
    pledges, summary = services.company_pledges_and_totals(
        item, public=False, page=page_arg(), deliveries=False
    )
    return render_template(
        "csr/manage/company.html",
        company=item,
        pledges=existing_page(pledges),
        summary=summary,
        verify_form=verify_form,
        reject_form=reject_form,
    ), status


@bp.route("/mitra/<int:company_id>/verifikasi", methods=["POST"])
@roles_required(*ADMINS)
def company_verify(company_id: int):
    item = db.get_or_404(Company, company_id)
    form = VerifyCompanyForm()
    if form.validate_on_submit():
        services.verify_company(
            item, actor=_actor(), list_in_directory=form.list_in_directory.data, note=form.note.data
        )
        flash(_("The company is verified. Its pledges are now public."), "success")
        return redirect(url_for("csr_manage.company", company_id=item.id))
    return _company_page(item, form, RejectCompanyForm())


@bp.route("/mitra/<int:company_id>/tolak", methods=["POST"])
@roles_required(*ADMINS)
def company_reject(company_id: int):
    item = db.get_or_404(Company, company_id)
    form = RejectCompanyForm()
    if form.validate_on_submit():
        services.reject_company(item, actor=_actor(), note=form.note.data)
        flash(_("The company is marked as not verified. Its pledges are not public."), "info")
        return redirect(url_for("csr_manage.company", company_id=item.id))
    return _company_page(item, VerifyCompanyForm(), form)


@bp.route("/janji")
@roles_required(*READERS)
def pledges():
    status = request.args.get("status") or None
    if status is not None and status not in PLEDGE_STATUSES:
        abort(404)
    return render_template(
        "csr/manage/pledges.html",
        pledges=services.staff_pledges(status),
        status=status,
        statuses=PLEDGE_STATUSES,
        counts=services.status_counts(),
    )


def _need_choices():
    return [
        SelectChoice(value=need_id, label=f"#{need_id} {title}")
        for need_id, title in services.need_titles()
    ]


# The statuses in which the pledge page shows "Record a delivery" (as its template).
DELIVERY_FORM_STATUSES = ("confirmed", "partly_delivered")

# The training package's staff page that makes a course; the pledge id goes with it.
COURSE_NEW_ENDPOINT = "training_manage.course_new"
COURSE_STATUSES = ("confirmed", "partly_delivered", "delivered")


def course_url(item: Pledge) -> str | None:
    """Where staff turn a confirmed training pledge into a course sponsored by the
    company, or None. The course is made by the training package (if it is there:
    looked up at request time), never here."""
    if item.kind != "training" or item.status not in COURSE_STATUSES:
        return None
    if current_user.role not in EDITORS or COURSE_NEW_ENDPOINT not in current_app.view_functions:
        return None
    try:
        return url_for(COURSE_NEW_ENDPOINT, pledge=item.id)
    except BuildError:  # an endpoint that needs more than the pledge
        return None


def _blank_delivery() -> tuple[str, Callable[[], DeliveryForm]]:
    """A GET's blank delivery form is kept per worker and day (the template's
    kept_fragment; its date is today's): the fragment's name, and what builds the form
    the first time."""
    day = village_today()
    return f"blank-delivery-{day.isoformat()}", partial(DeliveryForm, delivered_on=day)


_UNREAD = object()


def _pledge_page(item, *, delivery_form=None, accept_form=None, status=200, progress=_UNREAD):
    # Each form is made only when the page shows it: accepting while the pledge is an
    # offer, a delivery while it is confirmed or partly delivered. The status steps are
    # plain forms in the template (their message comes back as a flash).
    if item.status == "offered":
        accept_form = accept_form or AcceptOfferForm(amount=item.amount)
        accept_form.need_id.choices = _need_choices()
    blank_delivery = None
    if item.status in DELIVERY_FORM_STATUSES:
        if delivery_form is None and request.method == "GET":
            blank_delivery = _blank_delivery()
        else:
            delivery_form = delivery_form or DeliveryForm()
    return render_template(
        "csr/manage/pledge.html",
        pledge=item,
        steps=services.allowed_steps(item, current_user),
        delivery_form=delivery_form,
        accept_form=accept_form,
        progress=(services.progress_of(item.need, public=False) if item.need else None)
        if progress is _UNREAD
        else progress,
        course_url=course_url(item),
        history=services.pledge_history(item.id),
        blank_delivery=blank_delivery,
    ), status


@bp.route("/janji/<int:pledge_id>")
@roles_required(*READERS)
def pledge(pledge_id: int):
    found = services.pledge_with_progress(pledge_id)
    if found is None:
        abort(404)
    item, progress = found
    return _pledge_page(item, progress=progress)


@bp.route("/janji/<int:pledge_id>/status", methods=["POST"])
@roles_required(*EDITORS)
def pledge_status(pledge_id: int):
    item = db.get_or_404(Pledge, pledge_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            services.change_status(item.id, form.to.data or "", actor=_actor(), note=form.note.data)
        except services.CsrError as error:
            flash(str(error.message), "error")
            return _pledge_page(item)
        flash(_("The pledge is now “%(status)s”.", status=PLEDGE_STATUSES[form.to.data]), "success")
    return redirect(url_for("csr_manage.pledge", pledge_id=pledge_id))


@bp.route("/janji/<int:pledge_id>/pengiriman", methods=["POST"])
@roles_required(*EDITORS)
def pledge_delivery(pledge_id: int):
    item = db.get_or_404(Pledge, pledge_id)
    form = DeliveryForm()
    if form.validate_on_submit():
        try:
            services.record_delivery(
                item.id,
                amount=form.amount.data,
                delivered_on=form.delivered_on.data,
                note=form.note.data,
                attachment=form.attachment.image,
                beyond_target=form.beyond_target.data,
                actor=_actor(),
            )
        except services.CsrError as error:
            show_error(form, error)
        else:
            flash(_("The delivery is recorded."), "success")
            return redirect(url_for("csr_manage.pledge", pledge_id=pledge_id))
    db.session.expire_all()
    return _pledge_page(db.session.get(Pledge, pledge_id), delivery_form=form)


@bp.route("/janji/<int:pledge_id>/terima", methods=["POST"])
@roles_required(*EDITORS)
def pledge_accept(pledge_id: int):
    item = db.get_or_404(Pledge, pledge_id)
    form = AcceptOfferForm()
    form.need_id.choices = _need_choices()
    if form.validate_on_submit():
        try:
            services.accept_offer(
                item.id,
                form.need_id.data,
                amount=form.amount.data,
                note=form.note.data,
                actor=_actor(),
            )
        except services.CsrError as error:
            show_error(form, error)
        else:
            flash(
                _("The offer is now a pledge against the need. Confirm it when agreed."), "success"
            )
            return redirect(url_for("csr_manage.pledge", pledge_id=pledge_id))
    db.session.expire_all()
    return _pledge_page(db.session.get(Pledge, pledge_id), accept_form=form)
