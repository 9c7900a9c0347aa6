"""Purchases: a draft with lines and quotes, then ordered from a chosen supplier by the
method the amount requires. Once ordered the purchase is frozen (triggers); a mistake
is corrected by a new purchase that names the old one, with a reason."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow, village_today
from portal.procurement.models import (
    METHOD_ORDER,
    METHODS,
    PACKAGING,
    UNITS,
    Purchase,
    PurchaseLine,
    Quote,
    Supplier,
)
from portal.procurement.services import prices, targets
from portal.procurement.services.common import (
    ProcurementError,
    check_amount,
    clean,
    line_amount,
    parse_quantity,
    remove,
    require_editor,
    setting,
    store,
)


def required_method(total: int) -> str:
    """The least method the village's rules allow for an amount."""
    if total <= setting("PROCUREMENT_DIRECT_MAX"):
        return "direct"
    if total <= setting("PROCUREMENT_QUOTES_MAX"):
        return "quotes"
    return "tender"


def quotes_needed(method: str) -> int:
    return setting(f"PROCUREMENT_MIN_QUOTES_{method.upper()}")


def locked_purchase(purchase_id: int) -> Purchase:
    """The purchase's row, locked for the transaction (SQLite's write lock already holds
    the database), read afresh."""
    db.session.execute(select(Purchase.id).where(Purchase.id == purchase_id).with_for_update())
    purchase = db.session.get(Purchase, purchase_id, populate_existing=True)
    if purchase is None:
        raise ProcurementError(_l("There is no such purchase."))
    return purchase


def _draft(purchase_id: int) -> Purchase:
    purchase = locked_purchase(purchase_id)
    if purchase.status != "draft":
        raise ProcurementError(
            _l("This purchase was ordered and cannot change; record a correction instead.")
        )
    return purchase


def create_purchase(
    *, title: str, round_id: int | None, need_id: int | None, actor, corrects=None
) -> Purchase:
    """A draft purchase for a round that still takes stock, or for a CSR need."""
    require_editor(actor)
    title = clean(title, 200)
    if len(title) < 3:
        raise ProcurementError(_l("Give the purchase a title."), "title")
    if bool(round_id) == bool(need_id):
        raise ProcurementError(_l("Choose either a distribution round or a CSR need."), "target")
    if round_id:
        found = targets.round_row(round_id)
        if found is None or found.status not in targets.OPEN_ROUNDS:
            raise ProcurementError(_l("Choose a round that is still taking stock."), "target")
    if need_id and targets.need_title(need_id) is None:
        raise ProcurementError(_l("Choose a CSR need."), "target")
    purchase = Purchase(
        title=title,
        round_id=round_id or None,
        need_id=need_id or None,
        created_by_id=actor.id,
    )
    db.session.add(purchase)
    db.session.flush()
    return purchase


def start_purchase(*, title: str, target: str, actor) -> Purchase:
    """A draft purchase for `target` ("round:<id>" or "need:<id>") as its own transaction."""
    kind, _, number = (target or "").partition(":")
    round_id = int(number) if kind == "round" and number.isdigit() else None
    need_id = int(number) if kind == "need" and number.isdigit() else None
    with write_transaction(db.session):
        purchase = create_purchase(title=title, round_id=round_id, need_id=need_id, actor=actor)
        record("create", "procurement_purchase", purchase.id, actor=actor, after={"title": title})
    return purchase


def add_line(
    purchase_id: int,
    *,
    name: str,
    unit: str,
    quantity,
    unit_price: int | None,
    round_item_id: int | None,
    packaging: str,
    packaging_grams: int | None,
    actor,
) -> PurchaseLine:
    """Add an item to a draft purchase. A round purchase's line names the round's item
    its goods enter as stock."""
    require_editor(actor)
    name = clean(name, 80)
    if len(name) < 2:
        raise ProcurementError(_l("Enter the item's name."), "name")
    if unit not in UNITS:
        raise ProcurementError(_l("Choose a unit."), "unit")
    quantity_milli = parse_quantity(quantity)
    if quantity_milli <= 0:
        raise ProcurementError(_l("Enter a quantity above zero."), "quantity")
    unit_price = check_amount(unit_price, "unit_price")
    if packaging not in PACKAGING:
        raise ProcurementError(_l("Choose the packaging."), "packaging")
    if packaging_grams is not None and (packaging_grams < 0 or packaging_grams > 10**8):
        raise ProcurementError(_l("Enter the packaging's weight in grams."), "packaging_grams")
    with write_transaction(db.session):
        purchase = _draft(purchase_id)
        if purchase.round_id:
            items = {i[0]: i for i in targets.round_items(purchase.round_id)}
            if round_item_id not in items:
                raise ProcurementError(
                    _l("Choose the round's item this line is for."), "round_item_id"
                )
            if items[round_item_id][2] != unit:
                raise ProcurementError(_l("Use the unit of the round's item."), "unit")
        else:
            round_item_id = None
        line = PurchaseLine(
            purchase_id=purchase.id,
            name=name,
            unit=unit,
            round_item_id=round_item_id,
            quantity_milli=quantity_milli,
            unit_price=unit_price,
            packaging=packaging,
            packaging_grams=packaging_grams,
        )
        db.session.add(line)
        db.session.flush()
        record(
            "add_line",
            "procurement_purchase",
            purchase.id,
            actor=actor,
            after={
                "line": line.id,
                "name": name,
                "quantity_milli": quantity_milli,
                "unit_price": unit_price,
            },
        )
    return line


def remove_line(purchase_id: int, line_id: int, *, actor) -> None:
    """Take a line out of a draft purchase."""
    require_editor(actor)
    with write_transaction(db.session):
        _draft(purchase_id)
        line = db.session.get(PurchaseLine, line_id)
        if line is None or line.purchase_id != purchase_id:
            raise ProcurementError(_l("There is no such line."))
        db.session.delete(line)
        record(
            "remove_line",
            "procurement_purchase",
            purchase_id,
            actor=actor,
            before={"line": line_id, "name": line.name},
        )


def add_quote(
    purchase_id: int,
    *,
    supplier_id: int | None,
    amount: int | None,
    received_on: date | None,
    document,
    note: str | None,
    actor,
) -> Quote:
    """Keep a supplier's quotation with its document (a PDF or a picture, checked by
    content before it gets here). One per supplier and purchase."""
    require_editor(actor)
    amount = check_amount(amount, "amount")
    if received_on is None or received_on > village_today():
        raise ProcurementError(
            _l("Enter the date the quote arrived (not in the future)."), "received_on"
        )
    if document is None:
        raise ProcurementError(_l("Attach the quotation (PDF or picture)."), "document")
    stored = store(document, "quotes")
    try:
        with write_transaction(db.session):
            purchase = _draft(purchase_id)
            supplier = db.session.get(Supplier, supplier_id) if supplier_id else None
            if supplier is None or supplier.status != "verified":
                raise ProcurementError(_l("Choose a verified supplier."), "supplier_id")
            if db.session.scalar(
                select(Quote.id).where(
                    Quote.purchase_id == purchase.id, Quote.supplier_id == supplier.id
                )
            ):
                raise ProcurementError(_l("This supplier's quote is already here."), "supplier_id")
            quote = Quote(
                purchase_id=purchase.id,
                supplier_id=supplier.id,
                amount=amount,
                received_on=received_on,
                document_file=stored,
                note=clean(note),
                created_by_id=actor.id,
            )
            db.session.add(quote)
            db.session.flush()
            record(
                "add_quote",
                "procurement_purchase",
                purchase.id,
                actor=actor,
                after={"quote": quote.id, "supplier_id": supplier.id, "amount": amount},
            )
    except BaseException:
        remove("quotes", stored)
        raise
    return quote


def _price_lines(purchase: Purchase, day: date) -> bool:
    """Copy each line's reference price; whether any is over the allowed margin."""
    flagged = False
    for line in purchase.lines:
        line.reference_price = prices.reference_price(line.name, line.unit, day)
        flagged = flagged or prices.too_dear(line.unit_price, line.reference_price)
    return flagged


def _check_method(purchase: Purchase, method: str | None, total: int) -> None:
    if method not in METHODS:
        raise ProcurementError(_l("Choose the procurement method."), "method")
    needed = required_method(total)
    if METHOD_ORDER.index(method) < METHOD_ORDER.index(needed):
        raise ProcurementError(
            _l(
                "An amount of Rp%(total)s needs at least “%(method)s”.",
                total=f"{total:,}".replace(",", "."),
                method=METHODS[needed],
            ),
            "method",
        )
    count = len(purchase.quotes)
    if count < quotes_needed(method):
        raise ProcurementError(
            _l(
                "“%(method)s” needs at least %(n)s quotes; this purchase has %(count)s.",
                method=METHODS[method],
                n=quotes_needed(method),
                count=count,
            ),
            "method",
        )


def order_purchase(
    purchase_id: int,
    *,
    method: str | None,
    supplier_id: int | None,
    reason: str | None,
    price_reason: str | None,
    actor,
) -> Purchase:
    """Order a draft: the method the amount requires with enough quotes, a verified
    supplier that quoted, the reason for the choice, and the reason for any price more
    than the margin over its reference (flagged for the village head)."""
    require_editor(actor)
    reason, price_reason = clean(reason), clean(price_reason)
    with write_transaction(db.session):
        purchase = _draft(purchase_id)
        if not purchase.lines:
            raise ProcurementError(_l("Add at least one item before ordering."), "method")
        total = sum(line_amount(li.quantity_milli, li.unit_price) for li in purchase.lines)
        _check_method(purchase, method, total)
        quoted = {q.supplier_id for q in purchase.quotes}
        supplier = db.session.get(Supplier, supplier_id) if supplier_id else None
        if supplier is None or supplier.id not in quoted:
            raise ProcurementError(_l("Choose one of the suppliers that quoted."), "supplier_id")
        if supplier.status != "verified":
            raise ProcurementError(_l("Choose a verified supplier."), "supplier_id")
        if len(reason) < 5:
            raise ProcurementError(_l("Say why this supplier was chosen."), "reason")
        today = village_today()
        flagged = _price_lines(purchase, today)
        if flagged and len(price_reason) < 5:
            raise ProcurementError(
                _l(
                    "A price is more than %(p)s%% over the reference: say why.",
                    p=setting("PROCUREMENT_PRICE_MARGIN_PERCENT"),
                ),
                "price_reason",
            )
        purchase.method, purchase.supplier_id, purchase.choice_reason = method, supplier.id, reason
        purchase.total, purchase.price_flagged = total, flagged
        purchase.price_reason = price_reason if flagged else None
        purchase.ordered_on, purchase.ordered_at, purchase.ordered_by_id = today, utcnow(), actor.id
        purchase.status = "ordered"
        record(
            "order",
            "procurement_purchase",
            purchase.id,
            actor=actor,
            after={
                "method": method,
                "supplier_id": supplier.id,
                "total": total,
                "price_flagged": flagged,
                "reason": reason,
            },
        )
    return purchase


def correct_purchase(purchase_id: int, *, reason: str | None, actor) -> Purchase:
    """A new draft that corrects an ordered purchase (same target and lines to edit),
    with the reason; the old one stays as it was and counts no more once the new one is
    ordered. One correction per purchase (a unique key)."""
    require_editor(actor)
    reason = clean(reason)
    if len(reason) < 5:
        raise ProcurementError(_l("Say what is corrected and why."), "reason")
    with write_transaction(db.session):
        old = locked_purchase(purchase_id)
        if old.status != "ordered":
            raise ProcurementError(
                _l("Only an ordered purchase is corrected; change the draft."), "reason"
            )
        if db.session.scalar(select(Purchase.id).where(Purchase.corrects_id == old.id)):
            raise ProcurementError(_l("This purchase already has a correction."), "reason")
        if db.session.scalar(
            select(func.count())
            .select_from(PurchaseLine)
            .where(PurchaseLine.purchase_id == old.id, PurchaseLine.delivered_milli > 0)
        ):
            raise ProcurementError(
                _l("Goods were already received for this purchase; it cannot be replaced."),
                "reason",
            )
        new = Purchase(
            title=old.title,
            round_id=old.round_id,
            need_id=old.need_id,
            corrects_id=old.id,
            correction_reason=reason,
            created_by_id=actor.id,
        )
        db.session.add(new)
        db.session.flush()
        for line in old.lines:
            db.session.add(
                PurchaseLine(
                    purchase_id=new.id,
                    name=line.name,
                    unit=line.unit,
                    round_item_id=line.round_item_id,
                    quantity_milli=line.quantity_milli,
                    unit_price=line.unit_price,
                    packaging=line.packaging,
                    packaging_grams=line.packaging_grams,
                )
            )
        record(
            "correct",
            "procurement_purchase",
            old.id,
            actor=actor,
            after={"correction": new.id, "reason": reason},
        )
    return new


def superseded_ids() -> set[int]:
    """Purchases replaced by an ordered correction (they count no more)."""
    return set(
        db.session.scalars(
            select(Purchase.corrects_id).where(
                Purchase.corrects_id.is_not(None), Purchase.status == "ordered"
            )
        )
    )


def list_purchases(limit: int = 300) -> list[Purchase]:
    return list(db.session.scalars(select(Purchase).order_by(Purchase.id.desc()).limit(limit)))


def flagged_purchases() -> list[Purchase]:
    """Ordered purchases with a price over the reference, for the village head."""
    return list(
        db.session.scalars(
            select(Purchase).where(Purchase.price_flagged.is_(True)).order_by(Purchase.id.desc())
        )
    )
