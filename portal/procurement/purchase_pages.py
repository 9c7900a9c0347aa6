"""Staff pages of one purchase (/staf/pengadaan/pembelian/...): the draft's lines and
quotes, ordering, a correction, deliveries received. Its own blueprint under the
procurement staff area; each failed form comes back on the purchase page beside its field."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from portal.database import read
from portal.extensions import db
from portal.forms import EmptyForm
from portal.i18n import current_lang
from portal.models_base import village_today
from portal.procurement import forms, orders, services
from portal.procurement.manage import staff_labels
from portal.procurement.models import Purchase, Supplier
from portal.procurement.purchase_rows import PurchaseRows, purchase_rows
from portal.roles import EDITORS, READERS, can
from portal.security import roles_required
from portal.service_errors import show_error

bp = Blueprint("procurement_purchase", __name__, url_prefix="/staf/pengadaan/pembelian")
bp.context_processor(staff_labels)


def _actor():
    return current_user._get_current_object()


def _targets() -> list[tuple[str, str]]:
    lang = current_lang()
    rounds = [
        (f"round:{r.id}", _("Round: %(title)s", title=r.title(lang)))
        for r in services.rounds(services.OPEN_ROUNDS)
    ]
    needs = [(f"need:{i}", _("CSR need: %(title)s", title=t)) for i, t in services.needs()]
    return [("", _("Choose"))] + rounds + needs


@bp.route("/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def purchase_create():
    form = forms.PurchaseForm()
    form.target.choices = forms.pairs(_targets())
    if form.validate_on_submit():
        try:
            purchase = services.start_purchase(
                title=form.title.data, target=form.target.data, actor=_actor()
            )
        except services.ProcurementError as error:
            show_error(form, error, fallback="title")
        else:
            return redirect(url_for(".purchase", purchase_id=purchase.id))
    return render_template("procurement/manage/purchase_form.html", form=form)


# Built once per process (their cache keys cost more than running them on SQLite).
@cache
def _verified_statement():
    return (
        select(Supplier.id, Supplier.name)
        .where(Supplier.status == "verified")
        .order_by(Supplier.name, Supplier.id)
    )


def _verified() -> list:
    """(id, name) of the verified suppliers, by name: what the forms' selects show."""
    return read(db.session, _verified_statement()).all()


@cache
def _purchase_statement():
    """The purchase as a plain row of its columns with whether an ordered correction
    replaced it (superseded) and its supplier's name (supplier: all the page shows of
    the supplier); its lines, quotes, deliveries and returns are plain rows too
    (purchase_rows.py). The page and its forms only read these."""
    correction = aliased(Purchase)
    replaced = (
        select(correction.id)
        .where(correction.corrects_id == Purchase.id, correction.status == "ordered")
        .exists()
    )
    supplier = select(Supplier.name).where(Supplier.id == Purchase.supplier_id)
    return select(
        *Purchase.__table__.c,
        replaced.label("superseded"),
        supplier.scalar_subquery().label("supplier"),
    ).where(Purchase.id == bindparam("purchase_id"))


def _supplier_choices(rows, ids=None):
    if ids is not None:
        rows = [s for s in rows if s.id in ids]
    return [(0, _("Choose"))] + [(s.id, s.name) for s in rows]


def _line_form(purchase: Purchase, form=None):
    form = form or forms.LineForm()
    items = services.round_items(purchase.round_id) if purchase.round_id else []
    form.round_item_id.choices = forms.pairs(
        [(0, _("None"))] + [(i, f"{n} ({u})") for i, n, u in items]
    )
    return form


def _quote_form(form=None, suppliers=None):
    form = form or forms.QuoteForm()
    suppliers = _verified() if suppliers is None else suppliers
    form.supplier_id.choices = forms.pairs(_supplier_choices(suppliers))
    return form


def _order_form(rows: PurchaseRows, form=None, suppliers=None):
    form = form or forms.OrderForm()
    suppliers = _verified() if suppliers is None else suppliers
    quoted = {q.supplier_id for q in rows.quotes}
    form.supplier_id.choices = forms.pairs(_supplier_choices(suppliers, quoted))
    return form


def _delivery_form(purchase: Purchase, rows: PurchaseRows, form=None, suppliers=None, points=None):
    form = form or forms.DeliveryForm()
    form.line_id.choices = forms.pairs(
        [(0, _("Choose"))] + [(li.id, f"{li.name} ({li.unit})") for li in rows.lines]
    )
    suppliers = _verified() if suppliers is None else suppliers
    form.supplier_id.choices = forms.pairs(_supplier_choices(suppliers))
    if points is None:
        points = services.round_points(purchase.round_id) if purchase.round_id else []
    form.point_id.choices = forms.pairs([(0, _("None"))] + list(points))
    return form


def _forms(purchase: Purchase, rows: PurchaseRows, given: dict, points: list, suppliers=None):
    """The forms the purchase page shows, fresh unless the failed one is given: a
    draft's (items, quotes, the order) or an order's (deliveries, goods given back, a
    correction); none for a reader who may not edit. The others are None."""
    shown = dict.fromkeys(
        (
            "line_form",
            "quote_form",
            "order_form",
            "delivery_form",
            "correction_form",
            "return_form",
        )
    )
    if not can(current_user, "edit"):
        return shown
    suppliers = _verified() if suppliers is None else suppliers
    if purchase.status == "draft":
        shown.update(
            line_form=_line_form(purchase, given.get("line_form")),
            quote_form=_quote_form(given.get("quote_form"), suppliers),
            order_form=_order_form(rows, given.get("order_form"), suppliers),
        )
    else:
        shown.update(
            delivery_form=_delivery_form(
                purchase, rows, given.get("delivery_form"), suppliers, points
            ),
            correction_form=given.get("correction_form") or forms.CorrectionForm(),
            return_form=_return_form(rows, given.get("return_form")),
        )
    return shown


def _delivery_label(d) -> str:
    accepted = f"{(d.accepted_milli - d.returned_milli) / 1000:g} {d.line_unit}"
    return f"{d.received_on.isoformat()} · {d.line_name} ({accepted})"


def _return_form(rows: PurchaseRows, form=None):
    form = form or forms.ReturnForm()
    form.return_delivery.choices = forms.pairs(
        [(0, _("Choose"))] + [(d.id, _delivery_label(d)) for d in _returnable(rows)]
    )
    return form


def _returnable(rows: PurchaseRows) -> list:
    return [d for d in rows.deliveries if d.accepted_milli > d.returned_milli]


def _blank_forms(item: Purchase, rows: PurchaseRows, points: list):
    """An ordered purchase's blank forms on a GET are kept per worker (the template's
    kept_fragment): their fields hold only today's date and the choices (lines,
    verified suppliers, points, deliveries), which name the fragment. The fragment's
    name, what builds the forms the first time, and whether goods can go back."""
    suppliers = _verified()
    returnable = _returnable(rows)
    key = repr(
        (
            village_today(),
            [(li.id, li.name, li.unit) for li in rows.lines],
            [tuple(s) for s in suppliers],
            points,
            [(d.id, _delivery_label(d)) for d in returnable],
        )
    )
    return key, cache(lambda: _forms(item, rows, {}, points, suppliers)), bool(returnable)


@bp.route("/<int:purchase_id>")
@roles_required(*READERS)
def purchase(purchase_id: int, **given):
    item = read(db.session, _purchase_statement(), {"purchase_id": purchase_id}).first()
    if item is None:
        abort(404)
    superseded, supplier_name = item.superseded, item.supplier
    rows = purchase_rows(purchase_id)
    total = sum(services.line_amount(li.quantity_milli, li.unit_price) for li in rows.lines)
    method = services.required_method(total)
    lang = current_lang()
    round_ = services.round_row(item.round_id) if item.round_id else None
    points = list(services.round_points(item.round_id)) if item.round_id else []
    blank = None
    editor = can(current_user, "edit")
    if not given and item.status != "draft" and not superseded and editor:
        blank = _blank_forms(item, rows, points)
        shown = dict.fromkeys(("delivery_form", "correction_form", "return_form"))
    else:
        shown = _forms(item, rows, given, points)
    return render_template(
        "procurement/manage/purchase.html",
        purchase=item,
        lines=rows.lines,
        quotes=rows.quotes,
        deliveries=rows.deliveries,
        returns=rows.returns,
        total=total,
        required=method,
        quotes_needed=services.quotes_needed(method),
        target=round_.title(lang) if round_ else services.need_title(item.need_id),
        points=dict(points),
        superseded=bool(superseded),
        supplier_name=supplier_name,
        # Only a draft's lines have a remove button (the one use of its token field).
        button=EmptyForm() if item.status == "draft" else None,
        blank=blank,
        editor=editor,
        **shown,
    )


def _attempt(purchase_id: int, form, fallback: str, call, done: str, form_name: str):
    """Run `call()` for a valid form; back to the page with the error otherwise."""
    if form.validate_on_submit():
        try:
            result = call()
        except services.ProcurementError as error:
            show_error(form, error, fallback=fallback)
        else:
            flash(done, "success")
            new_id = result.id if isinstance(result, Purchase) else purchase_id
            return redirect(url_for(".purchase", purchase_id=new_id))
    return purchase(purchase_id, **{form_name: form})


@bp.route("/<int:purchase_id>/baris", methods=["POST"])
@roles_required(*EDITORS)
def line_add(purchase_id: int):
    item = db.get_or_404(Purchase, purchase_id)
    form = _line_form(item)
    return _attempt(
        purchase_id,
        form,
        "name",
        lambda: services.add_line(
            purchase_id,
            name=form.name.data,
            unit=form.unit.data,
            quantity=form.quantity.data,
            unit_price=form.unit_price.data,
            round_item_id=form.round_item_id.data or None,
            packaging=form.packaging.data,
            packaging_grams=form.packaging_grams.data,
            actor=_actor(),
        ),
        _("Line added."),
        "line_form",
    )


@bp.route("/<int:purchase_id>/baris/<int:line_id>/hapus", methods=["POST"])
@roles_required(*EDITORS)
def line_remove(purchase_id: int, line_id: int):
    db.get_or_404(Purchase, purchase_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            services.remove_line(purchase_id, line_id, actor=_actor())
        except services.ProcurementError as error:
            flash(str(error.message), "error")
        else:
            flash(_("Line removed."), "success")
    return redirect(url_for(".purchase", purchase_id=purchase_id))


@bp.route("/<int:purchase_id>/penawaran", methods=["POST"])
@roles_required(*EDITORS)
def quote_add(purchase_id: int):
    db.get_or_404(Purchase, purchase_id)  # 404 for a purchase that does not exist
    form = _quote_form()
    return _attempt(
        purchase_id,
        form,
        "supplier_id",
        lambda: services.add_quote(
            purchase_id,
            supplier_id=form.supplier_id.data or None,
            amount=form.amount.data,
            received_on=form.received_on.data,
            document=form.document.image,
            note=form.note.data,
            actor=_actor(),
        ),
        _("Quote kept."),
        "quote_form",
    )


@bp.route("/<int:purchase_id>/pesan", methods=["POST"])
@roles_required(*EDITORS)
def order(purchase_id: int):
    db.get_or_404(Purchase, purchase_id)
    form = _order_form(purchase_rows(purchase_id))
    return _attempt(
        purchase_id,
        form,
        "method",
        lambda: services.order_purchase(
            purchase_id,
            method=form.method.data,
            supplier_id=form.supplier_id.data or None,
            reason=form.reason.data,
            price_reason=form.price_reason.data,
            actor=_actor(),
        ),
        _("Ordered. The purchase order can be printed."),
        "order_form",
    )


@bp.route("/<int:purchase_id>/koreksi", methods=["POST"])
@roles_required(*EDITORS)
def correct(purchase_id: int):
    db.get_or_404(Purchase, purchase_id)
    form = forms.CorrectionForm()
    return _attempt(
        purchase_id,
        form,
        "reason",
        lambda: services.correct_purchase(purchase_id, reason=form.reason.data, actor=_actor()),
        _("A correction was started as a new draft."),
        "correction_form",
    )


@bp.route("/<int:purchase_id>/pengiriman", methods=["POST"])
@roles_required(*EDITORS)
def delivery_add(purchase_id: int):
    item = db.get_or_404(Purchase, purchase_id)
    form = _delivery_form(item, purchase_rows(purchase_id))
    return _attempt(
        purchase_id,
        form,
        "line_id",
        lambda: services.record_delivery(
            purchase_id,
            line_id=form.line_id.data or None,
            supplier_id=form.supplier_id.data or None,
            point_id=form.point_id.data or None,
            received_on=form.received_on.data,
            accepted=form.accepted.data or "0",
            rejected=form.rejected.data or "0",
            quality_note=form.quality_note.data,
            photo=form.photo.image,
            receipt=form.receipt.image,
            actor=_actor(),
        ),
        _("Delivery recorded."),
        "delivery_form",
    )


@bp.route("/<int:purchase_id>/pengembalian", methods=["POST"])
@roles_required(*EDITORS)
def return_add(purchase_id: int):
    db.get_or_404(Purchase, purchase_id)
    rows = purchase_rows(purchase_id)
    form = _return_form(rows)
    chosen = form.return_delivery.data if form.return_delivery.raw_data else None
    if chosen and chosen not in {d.id for d in rows.deliveries}:
        chosen = -1  # another purchase's delivery: refused like an unknown one
    return _attempt(
        purchase_id,
        form,
        "return_delivery",
        lambda: services.return_goods(
            chosen if chosen and chosen > 0 else None,
            quantity=form.return_quantity.data,
            reason=form.return_reason.data,
            returned_on=form.return_on.data,
            actor=_actor(),
        ),
        _("The goods given back were recorded."),
        "return_form",
    )


@bp.route("/<int:purchase_id>/po.pdf")
@roles_required(*READERS)
def purchase_order(purchase_id: int):
    item = db.get_or_404(Purchase, purchase_id)
    if item.status != "ordered":
        abort(404)
    body = orders.purchase_order_pdf(item)
    response = current_app.response_class(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="po-{item.id}.pdf"'
    return response
