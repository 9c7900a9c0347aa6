"""Staff editing of public content: create, edit, publish, unpublish.

The four kinds of content share one set of views, driven by a small table of
what differs (model, form, fields, how a list is ordered).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.form_html import BlankForm, fields_html
from portal.forms import EmptyForm
from portal.i18n import lazy_gettext as _l
from portal.kept_fields import kept_fields_html, note_fields
from portal.programmes.models import Programme
from portal.public import content
from portal.public.forms import AnnouncementForm, MeetingForm, PartnerForm, ProgrammeForm
from portal.public.models import Announcement, Meeting, Partner
from portal.roles import EDITORS, READERS
from portal.security import roles_required
from portal.service_errors import show_error

bp = Blueprint("manage", __name__, url_prefix="/staf")


@dataclass(frozen=True)
class Kind:
    model: type
    form: type
    title: object
    singular: object
    label_field: str
    poster: str | None = None  # the notify poster kind, when it prints as a poster


KINDS = {
    "pengumuman": Kind(
        Announcement,
        AnnouncementForm,
        _l("Announcements"),
        _l("announcement"),
        "title_id",
        "announcement",
    ),
    "program": Kind(
        Programme, ProgrammeForm, _l("Programmes"), _l("programme"), "name_id", "programme"
    ),
    "musyawarah": Kind(Meeting, MeetingForm, _l("Meetings"), _l("meeting"), "title_id", "meeting"),
    "mitra": Kind(Partner, PartnerForm, _l("Partners"), _l("partner"), "name"),
}


def _kind(name: str) -> Kind:
    if name not in KINDS:
        abort(404)
    return KINDS[name]


@bp.route("/")
@roles_required(*READERS)
def dashboard():
    return render_template(
        "public/manage/dashboard.html", kinds=KINDS, counts=content.counts(KINDS)
    )


@bp.route("/<kind>/")
@roles_required(*READERS)
def index(kind: str):
    spec = _kind(kind)
    return render_template(
        "public/manage/list.html",
        kind=kind,
        spec=spec,
        items=content.list_items(spec.model, spec.label_field),
        button=EmptyForm(),
    )


@bp.route("/<kind>/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def create(kind: str):
    spec = _kind(kind)
    if request.method == "GET":  # the blank form's fields are kept (form.html)
        return _form_page(kind, spec, BlankForm(spec.form), None)
    form = spec.form()
    if form.validate_on_submit():
        item, errors = content.save(spec.model, None, form, actor=current_user)
        if not errors:
            flash(_("Saved as a draft. Publish it when it is ready."), "success")
            return redirect(url_for("manage.edit", kind=kind, item_id=item.id))
        show_error(form, errors)
    return _form_page(kind, spec, form, None)


@bp.route("/<kind>/<int:item_id>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(kind: str, item_id: int):
    spec = _kind(kind)
    if request.method == "GET" and content.rows_fill(spec.model, spec.form):
        # A GET only shows the item: its columns as a plain row fill the form, or write
        # its fields into their kept markup without building it (portal.kept_fields).
        item = content.get_row(spec.model, item_id)
        overrides = content.form_overrides(item, spec.model)
        kept = kept_fields_html(spec.form, item, overrides, "    ")
        if kept is not None:
            return _form_page(kind, spec, BlankForm(spec.form), item, kept)
    else:
        item = content.get(spec.model, item_id)
    form = spec.form(obj=item)
    if request.method == "GET":
        note_fields(form)
        # Stored values that the form shows differently (UTC times in village time).
        for name, value in content.form_overrides(item, spec.model).items():
            getattr(form, name).data = value
    if form.validate_on_submit():
        _item, errors = content.save(spec.model, item, form, actor=current_user)
        if not errors:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("manage.edit", kind=kind, item_id=item.id))
        show_error(form, errors)
    return _form_page(kind, spec, form, item)


def _form_page(kind: str, spec, form, item, fields=None):
    """The new or edit form of an item of `kind` (its fields through fields_html, or
    `fields` already written)."""
    return render_template(
        "public/manage/form.html",
        kind=kind,
        spec=spec,
        form=form,
        item=item,
        fields_html=fields_html,
        fields=fields,
    )


@bp.route("/<kind>/<int:item_id>/terbitkan", methods=["POST"])
@roles_required(*EDITORS)
def publish(kind: str, item_id: int):
    return _set_published(kind, item_id, True)


@bp.route("/<kind>/<int:item_id>/tarik", methods=["POST"])
@roles_required(*EDITORS)
def unpublish(kind: str, item_id: int):
    return _set_published(kind, item_id, False)


def _set_published(kind: str, item_id: int, value: bool):
    spec = _kind(kind)
    item = content.get(spec.model, item_id)
    if EmptyForm().validate_on_submit():
        content.set_published(item, value, actor=current_user)
        flash(_("Published.") if value else _("Taken off the public pages."), "success")
    target = request.form.get("back")
    if target == "list":
        return redirect(url_for("manage.index", kind=kind))
    return redirect(url_for("manage.edit", kind=kind, item_id=item_id))
