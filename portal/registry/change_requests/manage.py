"""Staff pages for change requests (blueprint "change_requests_manage",
/staf/perubahan): the list (oldest waiting first, late ones and those about aid
recipients flagged), a request beside the household's record with its documents and
the features' warnings, accept or refuse, and filing at the office for a household.
Operators and admins act; auditors read."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.forms import EmptyForm
from portal.registry.change_requests import services
from portal.registry.change_requests.forms import RefuseForm
from portal.registry.change_requests.labels import template_labels
from portal.registry.change_requests.models import (
    KINDS,
    STATUSES,
    ChangeDocument,
    ChangeRequest,
)
from portal.registry.change_requests.services import documents
from portal.registry.change_requests.views import form_for, uploaded
from portal.registry.models import Household
from portal.registry.services import plain_household, view_household
from portal.roles import EDITORS, READERS
from portal.security import roles_required
from portal.service_errors import show_error

bp = Blueprint("change_requests_manage", __name__, url_prefix="/staf/perubahan")


@bp.context_processor
def _labels():
    return template_labels()


def _me():
    return current_user._get_current_object()


def _request_or_404(request_id: int) -> ChangeRequest:
    item = db.session.get(ChangeRequest, request_id)
    if item is None:
        abort(404)
    return item


@bp.route("/")
@roles_required(*READERS)
def index():
    status = request.args.get("status", "open")
    if status not in STATUSES:
        abort(404)
    return render_template(
        "registry/change_requests/manage/index.html",
        items=services.staff_list(status),
        status=status,
    )


def _detail(item: ChangeRequest, refuse_form=None, status: int = 200, resident_locale=False):
    # The household and its members as plain rows: the page only shows them.
    household = plain_household(item.household_id)
    view_household(household, actor=_me(), ip=request.remote_addr)
    concerns = services.aid_concerns(item.household_id, item.kind, item.person_id)
    page = render_template(
        "registry/change_requests/manage/detail.html",
        item=item,
        household=household,
        asked_members=household.members,
        concerns=concerns,
        # A GET's blank refusal field is kept per worker (the template's kept_fragment):
        # the form is built only the first time; both forms' CSRF tokens are plain
        # hidden inputs without an id (their csrf_token fields wrote id="csrf_token"
        # twice on one page: invalid HTML).
        refuse_form=refuse_form,
        blank_refuse_form=RefuseForm,
        resident_locale=(_resident_locale(item) if resident_locale is False else resident_locale),
    )
    return page, status


def _resident_locale(item: ChangeRequest) -> str | None:
    from portal.accounts.models import User

    user = db.session.get(User, item.resident_id) if item.resident_id else None
    return (user.locale or "id") if user else None


@bp.route("/<int:request_id>")
@roles_required(*READERS)
def detail(request_id: int):
    item, resident_locale = services.staff_request(request_id)
    if item is None:
        abort(404)
    return _detail(item, resident_locale=resident_locale)


@bp.route("/<int:request_id>/terima", methods=["POST"])
@roles_required(*EDITORS)
def accept(request_id: int):
    item = _request_or_404(request_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        warnings = services.accept(item.id, actor=_me(), ip=request.remote_addr)
    except services.ChangeRequestError as error:
        flash(str(error.message), "error")
        return redirect(url_for("change_requests_manage.detail", request_id=item.id))
    flash(_("The request was accepted and the registry changed."), "success")
    for warning in warnings:
        flash(str(warning), "warning")
    return redirect(url_for("change_requests_manage.detail", request_id=item.id))


@bp.route("/<int:request_id>/tolak", methods=["POST"])
@roles_required(*EDITORS)
def refuse(request_id: int):
    item = _request_or_404(request_id)
    form = RefuseForm()
    if form.validate_on_submit():
        try:
            services.refuse(item.id, form.reason.data, actor=_me(), ip=request.remote_addr)
        except services.ChangeRequestError as error:
            show_error(form, error, "reason")
        else:
            flash(_("The request was refused; the resident is told why."), "success")
            return redirect(url_for("change_requests_manage.detail", request_id=item.id))
    return _detail(item, refuse_form=form, status=200)


@bp.route("/<int:request_id>/dokumen/<int:document_id>")
@roles_required(*READERS)
def document(request_id: int, document_id: int):
    """A document, to staff only (the resident's own pages never link one)."""
    item = db.session.get(ChangeDocument, document_id)
    if item is None or item.request_id != request_id:
        abort(404)
    path = documents.path_of(item.file_name)
    if path is None:
        abort(404)
    with open(path, "rb") as fh:
        body = fh.read()
    response = current_app.response_class(body, mimetype=item.mimetype)
    # A PDF is saved, not shown inside the portal's pages; a re-encoded photo is shown.
    disposition = "attachment" if item.mimetype == "application/pdf" else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="document-{item.id}"'
    return response


@bp.route("/rumah-tangga/<int:household_id>")
@roles_required(*EDITORS)
def choose_kind(household_id: int):
    """What the request filed at the office is about, and the household's requests."""
    household = db.session.get(Household, household_id)
    if household is None:
        abort(404)
    items = services.household_requests(household.id)
    return render_template(
        "registry/change_requests/manage/choose.html",
        household=household,
        items=items,
        # Every request of the household is in the list: its open ones are counted there.
        open_count=sum(1 for item in items if item.status == "open"),
    )


@bp.route("/rumah-tangga/<int:household_id>/<kind>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def file_at_office(household_id: int, kind: str):
    """An operator files a request for a household at the office (a resident without a
    phone, or one who walked in)."""
    household = db.session.get(Household, household_id)
    if household is None or kind not in KINDS:
        abort(404)
    form = form_for(kind, household)
    if form.validate_on_submit():
        try:
            item = services.file_request(
                household,
                kind,
                form.to_details(),
                resident=services.household_account(household),
                filed_by=_me(),
                files=uploaded(form),
                note=form.note.data or "",
                ip=request.remote_addr,
            )
        except services.ChangeRequestError as error:
            show_error(form, error)
        except services.UploadError as error:
            show_error(form, error, "documents")
        else:
            flash(_("The request was filed."), "success")
            return redirect(url_for("change_requests_manage.detail", request_id=item.id))
    return render_template(
        "registry/change_requests/manage/new.html",
        household=household,
        kind=kind,
        form=form,
        open_count=services.open_count(household.id),
    )
