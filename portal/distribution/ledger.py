"""Staff pages of a round's stock, closing and arrival check (/staf/penyaluran/<id>/...)
and the public reconciliation page (/penyaluran/<id>/rekonsiliasi).

Editors (operators, admins) write; auditors (the village head, BPD) read. Views parse
the form, call a service, and show a refusal beside its field with what was typed kept.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased
from wtforms.fields.choices import SelectChoice

from portal import i18n
from portal.complaints import services as complaints
from portal.database import read
from portal.distribution import closing_rows, ledger_html, reconciliation_html, rows, services
from portal.distribution.ledger_forms import (
    CancelForm,
    CheckForm,
    FollowUpForm,
    MoveForm,
    ReceiveForm,
    ReconcileForm,
    WriteOffForm,
)
from portal.distribution.models import (
    CHECK_METHODS,
    CHECK_RESULTS,
    ENTITLEMENT_STATUSES,
    STOCK_KINDS,
    DistributionRound,
    from_milli,
)
from portal.extensions import db
from portal.forms import EmptyForm
from portal.roles import EDITORS, READERS
from portal.security import public, roles_required
from portal.service_errors import show_error

bp = Blueprint("distribution_ledger", __name__)
STAFF = "/staf/penyaluran/<int:round_id>"
SMALL = 5  # no public figure for fewer households than this


@bp.context_processor
def _labels():
    return {
        "stock_kinds": STOCK_KINDS,
        "check_results": CHECK_RESULTS,
        "check_methods": CHECK_METHODS,
        "entitlement_statuses": ENTITLEMENT_STATUSES,
        "flag_labels": services.FLAG_LABELS,
        "milli": lambda value: i18n.number(from_milli(value)),
        "balance_rows": rows.balance_rows,
        "balances_table": rows.balances_table,
        "ledger_nav": ledger_html.ledger_nav,
        "ledger_figures": ledger_html.ledger_figures,
        "status_counts": rows.status_counts,
        "not_collected_table": closing_rows.not_collected_table,
    }


def _actor():
    return current_user._get_current_object()


@cache
def _round_statement():
    return select(
        DistributionRound.id,
        DistributionRound.status,
        DistributionRound.title_id,
        DistributionRound.title_en,
        DistributionRound.closed_at,
        DistributionRound.sample_percent,
        DistributionRound.sample_minimum,
    ).where(DistributionRound.id == bindparam("round_id"))


class FollowUp(NamedTuple):
    id: int
    title_id: str
    title_en: str | None
    status: str


@cache
def _round_and_follow_up_statement():
    """The round's row as `_round` reads it with its follow-up round unless cancelled
    (services.live_follow_up's row), outer joined: one statement for the closing page."""
    follow = aliased(DistributionRound)
    return (
        _round_statement()
        .add_columns(follow.id, follow.title_id, follow.title_en, follow.status)
        .outerjoin(
            follow,
            (follow.follows_round_id == DistributionRound.id) & (follow.status != "cancelled"),
        )
    )


def _round_and_follow_up(round_id: int):
    found = read(db.session, _round_and_follow_up_statement(), {"round_id": round_id}).first()
    if found is None:
        abort(404)
    follow_up = FollowUp(*found[7:]) if found[7] is not None else None
    return found, follow_up


def _round(round_id: int):
    """The round as a plain row of what these pages use (id, status, titles, closed_at,
    the sample's percent and minimum); 404 for no such round."""
    found = read(db.session, _round_statement(), {"round_id": round_id}).first()
    if found is None:
        abort(404)
    return found


def _fill(form, names: dict) -> None:
    points = [SelectChoice(value=i, label=name) for i, name in names["points"].items()]
    items = [
        SelectChoice(value=i.id, label=f"{i.name_id} ({i.unit})") for i in names["items"].values()
    ]
    for name in ("point_id", "from_point_id", "to_point_id"):
        if name in form:
            form[name].choices = points
    if "item_id" in form:
        form.item_id.choices = items


def _forms(names: dict):
    # Three forms on one page: each its own prefix, so that no two fields share an id.
    forms = {
        "receive": ReceiveForm(prefix="in"),
        "move": MoveForm(prefix="move"),
        "write_off": WriteOffForm(prefix="out"),
    }
    for form in forms.values():
        _fill(form, names)
    return forms


def _blank_key(names: dict) -> str:
    """A GET's blank stock forms are kept per worker (the template's kept_fragment):
    their fields hold only the round's points and items, which name the fragment."""
    points = tuple(names["points"].items())
    items = tuple((i.id, i.name_id, i.unit) for i in names["items"].values())
    return repr((points, items))


def _stock_page(round_, forms, names, status=200):
    """The round's points and items are read as plain rows (`ledger_names`, one
    statement), not as the round's relationships. `forms` None: blank ones, built only
    when the template's kept fragment is not kept yet."""
    blank = None
    if forms is None:
        blank = (_blank_key(names), cache(lambda: _forms(names)))
        forms = dict.fromkeys(("receive", "move", "write_off"))
    return (
        render_template(
            "distribution/ledger/stock.html",
            round=round_,
            blank=blank,
            balances=services.balances(
                round_.id,
                with_due=False,
                point_ids=list(names["points"]),
                item_ids=list(names["items"]),
            ),
            movements=services.movements(round_.id),
            names=names,
            **forms,
        ),
        status,
    )


def _stock_forms(round_id: int):
    round_ = _round(round_id)
    names = services.ledger_names(round_id)
    return round_, names, _forms(names)


@bp.route(f"{STAFF}/stok")
@roles_required(*READERS)
def stock(round_id: int):
    round_ = _round(round_id)
    return _stock_page(round_, None, services.ledger_names(round_id))


def _quantity_of(form) -> int | None:
    quantity = services.parse_quantity(form.quantity.data or "")
    if quantity is None:
        form.quantity.errors = [_("Enter a quantity above zero, such as 10 or 2,5.")]
    return quantity


@bp.route(f"{STAFF}/stok/terima", methods=["POST"])
@roles_required(*EDITORS)
def receive(round_id: int):
    round_, names, forms = _stock_forms(round_id)
    form = forms["receive"]
    if form.validate_on_submit() and (quantity := _quantity_of(form)) is not None:
        try:
            services.receive_stock(
                round_id=round_.id,
                point_id=form.point_id.data,
                item_id=form.item_id.data,
                quantity_milli=quantity,
                source=form.source.data,
                source_note=form.source_note.data,
                actor=_actor(),
            )
        except services.DistributionError as error:
            show_error(form, error, fallback="quantity")
        else:
            flash(_("The goods received are in the ledger."), "success")
            return redirect(url_for(".stock", round_id=round_id))
    return _stock_page(round_, forms, names)


@bp.route(f"{STAFF}/stok/pindah", methods=["POST"])
@roles_required(*EDITORS)
def move(round_id: int):
    round_, names, forms = _stock_forms(round_id)
    form = forms["move"]
    if form.validate_on_submit() and (quantity := _quantity_of(form)) is not None:
        try:
            services.move_stock(
                round_.id,
                from_point_id=form.from_point_id.data,
                to_point_id=form.to_point_id.data,
                item_id=form.item_id.data,
                quantity_milli=quantity,
                note=form.note.data,
                actor=_actor(),
            )
        except services.DistributionError as error:
            show_error(form, error, fallback="quantity")
        else:
            flash(_("The move is in the ledger."), "success")
            return redirect(url_for(".stock", round_id=round_id))
    return _stock_page(round_, forms, names)


@bp.route(f"{STAFF}/stok/keluar", methods=["POST"])
@roles_required(*EDITORS)
def write_off(round_id: int):
    round_, names, forms = _stock_forms(round_id)
    form = forms["write_off"]
    if form.validate_on_submit() and (quantity := _quantity_of(form)) is not None:
        try:
            services.write_off(
                round_.id,
                point_id=form.point_id.data,
                item_id=form.item_id.data,
                kind=form.kind.data,
                quantity_milli=quantity,
                reason=form.reason.data,
                actor=_actor(),
            )
        except services.DistributionError as error:
            show_error(form, error, fallback="quantity")
        else:
            flash(_("The goods that left are in the ledger."), "success")
            return redirect(url_for(".stock", round_id=round_id))
    return _stock_page(round_, forms, names)


# --- closing -------------------------------------------------------------------------


def _blank_closing_forms() -> dict:
    """The closing page's blank forms, for its kept fragments (templating.py)."""
    return {"reconcile": ReconcileForm(formdata=None), "follow": FollowUpForm(formdata=None)}


def _closing_page(
    round_, *, reconcile=None, follow=None, cancel_errors=None, status=200, follow_up=False
):
    """`follow_up`: the live follow-up round when the caller read it with the round.
    A GET's blank forms are built only when the template's kept fragment is missing
    (`blank_forms`); a POST's page builds them as before."""
    if request.method != "GET":
        follow = follow or FollowUpForm()
        reconcile = reconcile or ReconcileForm()
    closed = round_.status in ("closed", "reconciled")  # what is left, and carried over
    if follow_up is False:
        follow_up = services.live_follow_up(round_.id) if closed else None
    names = services.ledger_names(round_.id)
    return (
        render_template(
            "distribution/ledger/closing.html",
            round=round_,
            figures=services.reconciliation(round_.id, with_due=False, names=names),
            names=names,
            left=services.not_collected(round_.id) if closed else [],
            follow_up=follow_up if closed else None,
            reconcile_form=reconcile,
            follow_form=follow,
            blank_forms=_blank_closing_forms,
            cancel_errors=cancel_errors or {},
        ),
        status,
    )


@bp.route(f"{STAFF}/tutup")
@roles_required(*READERS)
def closing(round_id: int):
    round_, follow_up = _round_and_follow_up(round_id)
    return _closing_page(round_, follow_up=follow_up)


@bp.route(f"{STAFF}/tutup", methods=["POST"])
@roles_required(*EDITORS)
def close(round_id: int):
    round_ = _round(round_id)
    if EmptyForm().validate_on_submit():
        try:
            count = services.close_round(round_.id, actor=_actor(), ip=request.remote_addr)
        except services.DistributionError as error:
            flash(str(error), "error")
        else:
            flash(
                _("The round is closed; %(num)d entitlements were not collected.", num=count),
                "success",
            )
    return redirect(url_for(".closing", round_id=round_id))


@bp.route(f"{STAFF}/tutup/rekonsiliasi", methods=["POST"])
@roles_required(*EDITORS)
def reconcile(round_id: int):
    round_ = _round(round_id)
    form = ReconcileForm()
    if form.validate_on_submit():
        try:
            services.mark_reconciled(
                round_.id, actor=_actor(), note=form.note.data or "", ip=request.remote_addr
            )
        except services.DistributionError as error:
            show_error(form, error, fallback="note")
        else:
            flash(_("The round is marked reconciled."), "success")
            return redirect(url_for(".closing", round_id=round_id))
    return _closing_page(round_, reconcile=form)


@bp.route(f"{STAFF}/tutup/batal/<int:entitlement_id>", methods=["POST"])
@roles_required(*EDITORS)
def cancel(round_id: int, entitlement_id: int):
    round_ = _round(round_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_entitlement(
                entitlement_id, reason=form.reason.data, actor=_actor(), ip=request.remote_addr
            )
        except services.DistributionError as error:
            return _closing_page(round_, cancel_errors={entitlement_id: str(error)})
        flash(_("The entitlement is cancelled."), "success")
        return redirect(url_for(".closing", round_id=round_id))
    return _closing_page(round_, cancel_errors={entitlement_id: _("Give the reason.")})


@bp.route(f"{STAFF}/tutup/lanjutan", methods=["POST"])
@roles_required(*EDITORS)
def follow_up(round_id: int):
    round_ = _round(round_id)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            services.create_follow_up(
                round_.id,
                title_id=form.title_id.data,
                title_en=form.title_en.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                actor=_actor(),
                ip=request.remote_addr,
            )
        except services.DistributionError as error:
            show_error(form, error, fallback="title_id")
        else:
            flash(
                _("The follow-up round is a draft; its approval carries the aid over."),
                "success",
            )
            return redirect(url_for(".closing", round_id=round_id))
    return _closing_page(round_, follow=form)


# --- the arrival check ---------------------------------------------------------------


@bp.route(f"{STAFF}/sampel")
@roles_required(*READERS)
def sample(round_id: int):
    round_ = _round(round_id)
    return render_template(
        "distribution/ledger/sample.html",
        round=round_,
        checks=services.checks(round_.id),
        summary=services.sample_summary(round_.id),
    )


@bp.route(f"{STAFF}/sampel", methods=["POST"])
@roles_required(*EDITORS)
def draw(round_id: int):
    round_ = _round(round_id)
    if EmptyForm().validate_on_submit():
        try:
            size = services.draw_sample(round_.id, actor=_actor(), ip=request.remote_addr)
        except services.DistributionError as error:
            flash(str(error), "error")
        else:
            flash(_("%(num)d households were drawn for the check.", num=size), "success")
    return redirect(url_for(".sample", round_id=round_id))


def _check(round_id: int, check_id: int):
    """The check as a plain row with its entitlement's and people's fields shown
    (services.check_row, one statement); 404 unless it is the round's."""
    check = services.check_row(check_id)
    if check is None or check.round_id != round_id:
        abort(404)
    return check


def _check_form() -> CheckForm:
    form = CheckForm()
    form.named_staff_id.choices = [SelectChoice(value=0, label=_("Nobody named"))] + [
        SelectChoice(value=u.id, label=u.name) for u in complaints.staff_members()
    ]
    return form


def _check_page(round_, check, form, code=None):
    return render_template(
        "distribution/ledger/check.html",
        round=round_,
        check=check,
        form=form,
        code=complaints.format_code(code) if code else None,
    )


@bp.route(f"{STAFF}/sampel/<int:check_id>")
@roles_required(*READERS)
def check(round_id: int, check_id: int):
    round_ = _round(round_id)
    item = _check(round_id, check_id)
    # The form (and its list of staff) only while the check has no result: the page
    # shows the result instead.
    return _check_page(round_, item, None if item.result else _check_form())


@bp.route(f"{STAFF}/sampel/<int:check_id>", methods=["POST"])
@roles_required(*EDITORS)
def record_check(round_id: int, check_id: int):
    round_ = _round(round_id)
    item = _check(round_id, check_id)
    form = _check_form()
    if form.validate_on_submit():
        try:
            code = services.record_check(
                item.id,
                method=form.method.data,
                result=form.result.data,
                part_taken=form.part_taken.data,
                note=form.note.data or "",
                named_staff_id=form.named_staff_id.data or None,
                named_staff_text=form.named_staff_text.data,
                actor=_actor(),
                ip=request.remote_addr,
            )
        except (services.DistributionError, complaints.ComplaintError) as error:
            show_error(form, error, fallback="result")
        else:
            if code is None:
                flash(_("The check is recorded."), "success")
                return redirect(url_for(".sample", round_id=round_id))
            # The tracking code is shown once, on this page, for staff to give on.
            return _check_page(round_, _check(round_id, check_id), form, code=code)
    return _check_page(round_, item, form)


# --- in public -----------------------------------------------------------------------


@bp.route("/penyaluran/<int:round_id>/rekonsiliasi")
@public
def public_reconciliation(round_id: int):
    round_ = _round(round_id)
    if round_.status not in ("closed", "reconciled"):
        abort(404)
    names = services.ledger_names(round_.id)
    return render_template(
        "distribution/ledger/public.html",
        round=round_,
        figures=services.reconciliation(round_.id, with_due=False, names=names),
        summary=services.sample_summary(round_.id),
        names=names,
        small=SMALL,
        public_body=reconciliation_html.public_body,
    )
