"""Staff pages of distribution rounds (/staf/penyaluran): the list of rounds, making and
editing a draft (points, time slots per RT, items), the village head's approval and
amendments, opening, cancelling, the entitlements list and the invitations to print.

Operators and admins make and run rounds; the village head and the BPD (overseers)
approve and amend; every staff reader sees the pages.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import filecache
from portal.distribution import invitations as printing
from portal.distribution import queries, round_manage_html, services
from portal.distribution.forms import (
    AmendForm,
    CancelForm,
    ItemForm,
    PointForm,
    RoundForm,
    SlotForm,
)
from portal.distribution.models import (
    ENTITLEMENT_STATUSES,
    UNITS,
    DistributionRound,
)
from portal.distribution.rows import entitlements_table, point_sections
from portal.distribution.services.common import quantity_text
from portal.distribution.slot_texts import slot_texts
from portal.extensions import db
from portal.forms import EmptyForm, TokenOnly
from portal.i18n import current_lang
from portal.lists import queries as lists
from portal.roles import EDITORS, OVERSEERS, READERS, can
from portal.security import request_user, roles_required
from portal.service_errors import show_error
from portal.urlargs import existing_page, page_arg

bp = Blueprint("distribution_manage", __name__, url_prefix="/staf/penyaluran")

ROUND_FIELDS = (
    "title_id",
    "title_en",
    "starts_on",
    "ends_on",
    "cash_amount",
    "use_food_formula",
    "sample_percent",
    "sample_minimum",
)


@bp.context_processor
def _labels():
    """Units and quantities as the staff pages show them."""
    lang = current_lang()  # once per page: a list shows hundreds of quantities
    return {"units": UNITS, "qty": lambda milli: quantity_text(milli, lang)}


def _actor():
    return current_user._get_current_object()


def _ip() -> str | None:
    return request.remote_addr


def _round(round_id: int) -> DistributionRound:
    return db.get_or_404(DistributionRound, round_id)


def _version_label(info) -> str:
    title = info.period_title_en if current_lang() == "en" and info.period_title_en else None
    return _(
        "%(title)s, version %(number)d (%(households)d households)",
        title=title or info.period_title_id,
        number=info.number,
        households=info.households,
    )


def _version_choices(period_id: int | None = None, after: int = 0) -> list[SelectChoice]:
    return [
        SelectChoice(value=info.id, label=_version_label(info))
        for info in lists.published_versions(period_id)
        if info.number > after
    ]


@bp.route("/")
@roles_required(*READERS)
def index():
    rounds = db.session.scalars(
        db.select(DistributionRound).order_by(DistributionRound.starts_on.desc())
    ).all()
    return render_template("distribution/manage/index.html", rounds=rounds)


@bp.route("/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def create():
    form = RoundForm()
    form.version_id.choices = _version_choices()
    # Notes come with editing the draft (create_round takes none).
    del form.notes_id, form.notes_en
    if form.validate_on_submit():
        data = {name: form.data[name] for name in ROUND_FIELDS}
        try:
            round_ = services.create_round(version_id=form.version_id.data, actor=_actor(), **data)
        except services.DistributionError as error:
            show_error(form, error, fallback="title_id")
        else:
            flash(
                _("The round is saved as a draft. Add its points, time slots and items."), "success"
            )
            return redirect(url_for("distribution_manage.round_page", round_id=round_.id))
    return render_template("distribution/manage/round_form.html", form=form, round=None)


@bp.route("/<int:round_id>/ubah", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(round_id: int):
    round_ = _round(round_id)
    if round_.is_frozen:
        abort(404)
    form = RoundForm(obj=round_)
    del form.version_id
    if form.validate_on_submit():
        data = {name: form.data[name] for name in (*ROUND_FIELDS, "notes_id", "notes_en")}
        try:
            services.update_round(round_.id, actor=_actor(), **data)
        except services.DistributionError as error:
            show_error(form, error, fallback="title_id")
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("distribution_manage.round_page", round_id=round_.id))
    return render_template("distribution/manage/round_form.html", form=form, round=round_)


def _amend_choices(round_: DistributionRound, form: AmendForm, version=None) -> AmendForm:
    """The later published versions of the round's list period as the form's choices."""
    current = version or lists.version_info(round_.version_id)
    form.version_id.choices = _version_choices(round_.period_id, current.number if current else 0)
    return form


def _forms(round_: DistributionRound, parts, version=None, **given) -> dict:
    """The forms the round page shows in the round's status (the template asks the
    reader's role too): a closed round's page builds none. `parts` are the round's
    points, items and approvals (services.round_parts), `version` the round's list
    version (lists.version_info), when the caller has it."""
    status = round_.status
    forms = {}
    if status == "draft":
        slot = given.get("slot_form") or SlotForm(formdata=None)
        slot.point_id.choices = [SelectChoice(value=p.id, label=p.name) for p in parts.points]
        forms["point_form"] = given.get("point_form") or PointForm(formdata=None)
        forms["slot_form"] = slot
        forms["item_form"] = given.get("item_form") or ItemForm(formdata=None)
    if status in ("approved", "open") or "amend_form" in given:
        forms["amend_form"] = _amend_choices(
            round_, given.get("amend_form") or AmendForm(formdata=None), version
        )
    if status in ("draft", "approved"):
        forms["cancel_form"] = given.get("cancel_form") or CancelForm(
            formdata=None, prefix="cancel"
        )
    if status in ("draft", "approved", "open"):
        forms["button"] = TokenOnly()  # only its CSRF input: the buttons' forms
    return forms


def _round_view(round_: DistributionRound, status: int = 200, page=None, **given):
    """The round's points, items and approvals are plain rows (services.round_parts);
    the page shows only the whole round's progress (services.progress_total). `page`:
    services.staff_round_page's, the round read with its progress, version and parts.
    The points and slots are written from the statement's rows (rows.point_sections)
    unless a draft's parts may be removed."""
    if page is None:
        version = lists.version_info(round_.version_id)
        parts, progress = services.round_parts(round_.id), services.progress_total(round_.id)
    else:
        version, parts, progress = page.version, page.parts, page.progress
    removable = round_.status == "draft" and can(request_user(), "edit")
    return render_template(
        "distribution/manage/round.html",
        round=round_,
        points=parts.points if removable else (),
        removable=removable,
        point_rows=parts.rows,
        items=parts.items,
        approvals=parts.approvals,
        version=version,
        progress=progress,
        slots=slot_texts(parts.slots, ":") if removable else {},
        point_sections=point_sections,
        round_top=round_manage_html.round_top,
        items_section=round_manage_html.items_section,
        approvals_section=round_manage_html.approvals_section,
        **_forms(round_, parts, version, **given),
    ), status


@bp.route("/<int:round_id>")
@roles_required(*READERS)
def round_page(round_id: int):
    page = services.staff_round_page(round_id)
    if page is None:
        abort(404)
    return _round_view(page.round, page=page)


def _back(round_id: int):
    return redirect(url_for("distribution_manage.round_page", round_id=round_id))


@bp.route("/<int:round_id>/titik", methods=["POST"])
@roles_required(*EDITORS)
def add_point(round_id: int):
    round_ = _round(round_id)
    form = PointForm()
    if form.validate_on_submit():
        data = {k: form.data[k] for k in ("name", "address", "map_url", "opens_at", "closes_at")}
        try:
            services.add_point(round_id, actor=_actor(), **data)
        except services.DistributionError as error:
            show_error(form, error, fallback="name")
        else:
            flash(_("The point is added."), "success")
            return _back(round_id)
    return _round_view(round_, 422, point_form=form)


@bp.route("/<int:round_id>/jadwal", methods=["POST"])
@roles_required(*EDITORS)
def add_slot(round_id: int):
    round_ = _round(round_id)
    form = SlotForm()
    form.point_id.choices = [SelectChoice(value=p.id, label=p.name) for p in round_.points]
    if form.validate_on_submit():
        names = ("point_id", "rt", "rw", "day", "starts_at", "ends_at")
        try:
            services.add_slot(round_id, actor=_actor(), **{k: form.data[k] for k in names})
        except services.DistributionError as error:
            show_error(form, error, fallback="rt")
        else:
            flash(_("The time slot is added."), "success")
            return _back(round_id)
    return _round_view(round_, 422, slot_form=form)


@bp.route("/<int:round_id>/barang", methods=["POST"])
@roles_required(*EDITORS)
def add_item(round_id: int):
    round_ = _round(round_id)
    form = ItemForm()
    if form.validate_on_submit():
        names = ("name_id", "name_en", "unit", "quantity", "formula_key")
        try:
            services.add_item(round_id, actor=_actor(), **{k: form.data[k] for k in names})
        except services.DistributionError as error:
            show_error(form, error, fallback="name_id")
        else:
            flash(_("The item is added."), "success")
            return _back(round_id)
    return _round_view(round_, 422, item_form=form)


@bp.route("/<int:round_id>/hapus/<kind>/<int:part_id>", methods=["POST"])
@roles_required(*EDITORS)
def remove_part(round_id: int, kind: str, part_id: int):
    _round(round_id)
    if EmptyForm().validate_on_submit():
        try:
            services.remove_part(round_id, kind, part_id, actor=_actor())
        except services.DistributionError as error:
            flash(str(error), "error")
        else:
            flash(_("Removed."), "success")
    return _back(round_id)


def _step(round_id: int, action, done: str):
    _round(round_id)
    if EmptyForm().validate_on_submit():
        try:
            action(round_id, actor=_actor(), ip=_ip())
        except services.DistributionError as error:
            flash(str(error), "error")
        else:
            flash(done, "success")
    return _back(round_id)


@bp.route("/<int:round_id>/setujui", methods=["POST"])
@roles_required(*OVERSEERS)
def approve(round_id: int):
    return _step(
        round_id,
        services.approve,
        _("The round is approved: one entitlement per household of the list."),
    )


@bp.route("/<int:round_id>/buka", methods=["POST"])
@roles_required(*EDITORS)
def open_round(round_id: int):
    return _step(round_id, services.open_round, _("The round is open: the points may hand over."))


@bp.route("/<int:round_id>/ubah-daftar", methods=["POST"])
@roles_required(*OVERSEERS)
def amend(round_id: int):
    round_ = _round(round_id)
    form = _amend_choices(round_, AmendForm())
    if form.validate_on_submit():
        try:
            approval = services.amend(
                round_id,
                version_id=form.version_id.data,
                reason=form.reason.data,
                actor=_actor(),
                ip=_ip(),
            )
        except services.DistributionError as error:
            show_error(form, error, fallback="reason")
        else:
            flash(
                _(
                    "Amended: %(added)d added, %(cancelled)d cancelled.",
                    added=approval.added,
                    cancelled=approval.cancelled,
                ),
                "success",
            )
            return _back(round_id)
    return _round_view(round_, 422, amend_form=form)


@bp.route("/<int:round_id>/batal", methods=["POST"])
@roles_required(*EDITORS)
def cancel(round_id: int):
    round_ = _round(round_id)
    form = CancelForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            services.cancel_round(round_id, reason=form.reason.data, actor=_actor(), ip=_ip())
        except services.DistributionError as error:
            show_error(form, error, fallback="reason")
        else:
            flash(_("The round is cancelled."), "success")
            return _back(round_id)
    return _round_view(round_, 422, cancel_form=form)


def _whole_arg(args, name: str) -> int | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 999:
        abort(404)
    return int(text)


@bp.route("/<int:round_id>/penerima")
@roles_required(*READERS)
def entitlements(round_id: int):
    run = services.reader()  # the round and its page of entitlements on one connection
    round_ = queries.round_row(round_id, run) or abort(404)
    args = request.args
    rt, rw = _whole_arg(args, "rt"), _whole_arg(args, "rw")
    status = args.get("status") or None
    if status is not None and status not in ENTITLEMENT_STATUSES:
        abort(404)
    page = services.entitlement_page(
        round_id, rt=rt, rw=rw, status=status, page=page_arg(), lang=current_lang(), run=run
    )
    return render_template(
        "distribution/manage/entitlements.html",
        round=round_,
        page=existing_page(page),
        rt=rt,
        rw=rw,
        status=status,
        statuses=ENTITLEMENT_STATUSES,
        entitlements_table=entitlements_table,
    )


@bp.route("/<int:round_id>/kirim", methods=["POST"])
@roles_required(*EDITORS)
def send_invitations(round_id: int):
    _round(round_id)
    if EmptyForm().validate_on_submit():
        try:
            sent = services.send_invitations(round_id, actor=_actor())
        except services.DistributionError as error:
            flash(str(error), "error")
        else:
            flash(
                ngettext(
                    "%(num)d invitation queued as a message.",
                    "%(num)d invitations queued as messages.",
                    sent,
                ),
                "success",
            )
    return _back(round_id)


@bp.route("/<int:round_id>/undangan.pdf")
@roles_required(*EDITORS)
def invitations_pdf(round_id: int):
    round_ = _round(round_id)
    layout = request.args.get("tata", "a4")
    lang = request.args.get("bahasa", current_lang())
    if layout not in printing.LAYOUTS or lang not in ("id", "en"):
        abort(404)
    rt, rw = _whole_arg(request.args, "rt"), _whole_arg(request.args, "rw")
    try:
        found = services.invitations_for(round_id, actor=_actor(), rt=rt, rw=rw)
    except services.DistributionError as error:
        flash(str(error), "error")
        return _back(round_id)
    with filecache.render_slot():
        response = make_response(printing.invitations_pdf(round_, found, layout, lang))
    response.headers["Content-Type"] = "application/pdf"
    suffix = f"-rt{rt:03d}" if rt else ""
    response.headers["Content-Disposition"] = (
        f'attachment; filename="undangan-{round_id}{suffix}.pdf"'
    )
    return response
