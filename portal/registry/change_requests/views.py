"""The resident's pages (blueprint "change_requests", /warga/perubahan): their own
household's record as the registry holds it beside what they ask to change, a form
per kind, each request with its steps; and the public monthly counts.

The household is always the one the signed-in resident's verified account lives in
now; no URL or form names a household, and a request of another household is a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import cache
from portal.cache import cached_page
from portal.registry.change_requests import services
from portal.registry.change_requests.figure_rows import figure_rows
from portal.registry.change_requests.forms import FORMS
from portal.registry.change_requests.labels import template_labels
from portal.registry.change_requests.models import (
    KINDS,
    MAX_DOCUMENT_BYTES,
    PERSON_KINDS,
    ChangeRequest,
)
from portal.roles import RESIDENTS
from portal.security import public, roles_required
from portal.service_errors import show_error

bp = Blueprint("change_requests", __name__, url_prefix="/warga/perubahan")
# The public figures change when a request is filed or decided.
cache.watch(ChangeRequest)


@bp.context_processor
def _labels():
    return template_labels()


def _household():
    """The resident's household, or None (not verified, or not in the registry now)."""
    return services.resident_household(current_user._get_current_object())


def _not_verified():
    return render_template("registry/change_requests/not_verified.html")


def form_for(kind: str, household):
    """The form of `kind` (Flask-WTF reads the posted fields and files), with the
    household's living members to choose from."""
    form = FORMS[kind]()
    if kind in PERSON_KINDS:
        form.set_people(services.living_members(household))
    if kind == "situation" and request.method == "GET":
        form.set_current(household)
    return form


def uploaded(form) -> list[bytes]:
    """The documents' bytes (at most one byte more than the limit is read of each)."""
    files = [f for f in (form.documents.data or []) if getattr(f, "filename", None)]
    return [f.read(MAX_DOCUMENT_BYTES + 1) for f in files]


@bp.route("/")
@roles_required(*RESIDENTS)
def index():
    """The household's record, its requests, and what can be asked."""
    # The page shows the members (the record): read with the household.
    household = services.resident_household_with_members(current_user._get_current_object())
    if household is None:
        return _not_verified()
    # What the list shows of each request (plain rows, not records).
    requests = services.household_request_rows(household.id)
    return render_template(
        "registry/change_requests/index.html",
        household=household,
        requests=requests,
        # Every request of the household is in the list: its open ones are counted there.
        open_count=sum(1 for item in requests if item.status == "open"),
    )


@bp.route("/baru/<kind>", methods=["GET", "POST"])
@roles_required(*RESIDENTS)
def new(kind: str):
    if kind not in KINDS:
        abort(404)
    household = _household()
    if household is None:
        return _not_verified()
    form = form_for(kind, household)
    if form.validate_on_submit():
        me = current_user._get_current_object()
        try:
            item = services.file_request(
                household,
                kind,
                form.to_details(),
                resident=me,
                filed_by=me,
                files=uploaded(form),
                note=form.note.data or "",
                ip=request.remote_addr,
            )
        except services.ChangeRequestError as error:
            show_error(form, error)
        except services.UploadError as error:
            show_error(form, error, "documents")
        else:
            flash(_("Your request was sent to the village office."), "success")
            return redirect(url_for("change_requests.detail", request_id=item.id))
    return render_template(
        "registry/change_requests/new.html",
        household=household,
        kind=kind,
        form=form,
        open_count=services.open_count(household.id),
    )


@bp.route("/<int:request_id>")
@roles_required(*RESIDENTS)
def detail(request_id: int):
    lives_here, item = services.resident_request(current_user._get_current_object(), request_id)
    if not lives_here:
        return _not_verified()
    if item is None:
        abort(404)
    return render_template("registry/change_requests/detail.html", item=item)


@bp.route("/angka")
@public
@cached_page
def figures():
    """Public: counts by month only, none under five."""
    return render_template(
        "registry/change_requests/figures.html",
        months=services.monthly(),
        smallest=services.SMALLEST_SHOWN,
        figure_rows=figure_rows,
    )
