"""Deliveries received against an ordered purchase, and their way into the round's
stock ledger.

The line's running total of accepted goods moves by a conditional UPDATE that cannot
pass the ordered quantity (a CHECK is the backstop), so two deliveries at once never
take a line past it. An accepted delivery for a round enters the round's stock through
distribution's `add_received` in the same transaction: both are written or neither.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from portal.audit.services import record
from portal.database import write_transaction
from portal.distribution import services as distribution
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.procurement.models import Purchase, PurchaseDelivery, PurchaseLine
from portal.procurement.services import targets
from portal.procurement.services.common import (
    ProcurementError,
    clean,
    parse_quantity,
    remove,
    require_editor,
    store,
)
from portal.procurement.services.purchases import locked_purchase

# distribution's field names -> the delivery form's.
_FIELDS = {"point_id": "point_id", "item_id": "line_id", "round_id": "line_id"}


def _check_dates_and_files(received_on, receipt) -> None:
    if received_on is None or received_on > village_today() + timedelta(days=1):
        raise ProcurementError(
            _l("Enter the day the goods arrived (not in the future)."), "received_on"
        )
    if receipt is None:
        raise ProcurementError(_l("Attach the receipt or invoice (PDF or picture)."), "receipt")


def _add_to_line(line_id: int, accepted: int) -> None:
    """Move the line's accepted total; refused when it would pass the ordered quantity."""
    moved = db.session.execute(
        update(PurchaseLine)
        .where(
            PurchaseLine.id == line_id,
            PurchaseLine.delivered_milli + accepted <= PurchaseLine.quantity_milli,
        )
        .values(delivered_milli=PurchaseLine.delivered_milli + accepted)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        left = db.session.scalar(
            select(PurchaseLine.quantity_milli - PurchaseLine.delivered_milli).where(
                PurchaseLine.id == line_id
            )
        )
        raise ProcurementError(
            _l(
                "That is more than was ordered: %(left)s still to come on this line.",
                left=f"{(left or 0) / 1000:g}",
            ),
            "accepted",
        )


def record_delivery(
    purchase_id: int,
    *,
    line_id: int | None,
    supplier_id: int | None,
    point_id: int | None,
    received_on: date | None,
    accepted,
    rejected,
    quality_note: str | None,
    photo=None,
    receipt=None,
    actor,
) -> PurchaseDelivery:
    """Record goods received for one line of an ordered purchase: accepted and rejected
    quantities (a rejection needs a quality note), a photo, the receipt or invoice. An
    accepted quantity for a round enters its stock at the chosen point."""
    require_editor(actor)
    accepted_milli = parse_quantity(accepted, "accepted")
    rejected_milli = parse_quantity(rejected or "0", "rejected")
    if accepted_milli + rejected_milli <= 0:
        raise ProcurementError(_l("Enter what was accepted or rejected."), "accepted")
    note = clean(quality_note)
    if rejected_milli and not note:
        raise ProcurementError(_l("Say why goods were rejected."), "quality_note")
    _check_dates_and_files(received_on, receipt)
    photo_name = store(photo, "photos")
    receipt_name = store(receipt, "receipts")
    try:
        with write_transaction(db.session):
            delivery = _write(
                purchase_id,
                line_id,
                supplier_id,
                point_id,
                received_on,
                accepted_milli,
                rejected_milli,
                note,
                photo_name,
                receipt_name,
                actor,
            )
    except BaseException:
        remove("photos", photo_name)
        remove("receipts", receipt_name)
        raise
    return delivery


def _write(
    purchase_id,
    line_id,
    supplier_id,
    point_id,
    received_on,
    accepted_milli,
    rejected_milli,
    note,
    photo_name,
    receipt_name,
    actor,
) -> PurchaseDelivery:
    purchase = locked_purchase(purchase_id)
    if purchase.status != "ordered":
        raise ProcurementError(_l("Goods are received only for an ordered purchase."), "line_id")
    # A correction (even a draft) takes over: goods come in against it, never twice.
    if db.session.scalar(select(Purchase.id).where(Purchase.corrects_id == purchase.id)):
        raise ProcurementError(_l("This purchase was replaced by a correction."), "line_id")
    if supplier_id != purchase.supplier_id:
        raise ProcurementError(_l("This order is not from that supplier."), "supplier_id")
    line = db.session.get(PurchaseLine, line_id) if line_id else None
    if line is None or line.purchase_id != purchase.id:
        raise ProcurementError(_l("Choose one of this purchase's lines."), "line_id")
    if purchase.round_id and accepted_milli:
        points = {p[0] for p in targets.round_points(purchase.round_id)}
        if point_id not in points:
            raise ProcurementError(_l("Choose the point the goods were taken to."), "point_id")
    if accepted_milli:
        _add_to_line(line.id, accepted_milli)
    delivery = PurchaseDelivery(
        purchase_id=purchase.id,
        supplier_id=purchase.supplier_id,
        line_id=line.id,
        point_id=point_id if purchase.round_id else None,
        received_on=received_on,
        accepted_milli=accepted_milli,
        rejected_milli=rejected_milli,
        quality_note=note,
        photo_file=photo_name,
        receipt_file=receipt_name,
        recorded_by_id=actor.id,
    )
    db.session.add(delivery)
    db.session.flush()
    if purchase.round_id and accepted_milli:
        try:
            distribution.add_received(
                round_id=purchase.round_id,
                point_id=point_id,
                item_id=line.round_item_id,
                quantity_milli=accepted_milli,
                source="purchase",
                source_ref=f"purchase_delivery:{delivery.id}",
                actor=actor,
            )
        except distribution.DistributionError as error:
            raise ProcurementError(error.message, _FIELDS.get(error.field, "point_id")) from None
    record(
        "receive",
        "procurement_purchase",
        purchase.id,
        actor=actor,
        after={
            "delivery": delivery.id,
            "line": line.id,
            "accepted_milli": accepted_milli,
            "rejected_milli": rejected_milli,
        },
    )
    return delivery


def deliveries_of(purchase_id: int) -> list[PurchaseDelivery]:
    return list(
        db.session.scalars(
            select(PurchaseDelivery)
            .where(PurchaseDelivery.purchase_id == purchase_id)
            .order_by(PurchaseDelivery.id)
        )
    )
