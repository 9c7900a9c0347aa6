"""Correcting a delivery after the fact: accepted goods found wanting later go back to
the supplier as a `DeliveryReturn` (append-only) with its reason.

In one transaction under the purchase's lock: the delivery's returns may not pass what
it accepted, the line's accepted total comes down by a conditional UPDATE, and for a
round the goods leave the point's stock as "returned" through distribution's
`add_write_off` (refused when they are no longer on hand: handed out already).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, update

from portal.audit.services import record
from portal.database import write_transaction
from portal.distribution import services as distribution
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.procurement.models import DeliveryReturn, PurchaseDelivery, PurchaseLine
from portal.procurement.services.common import (
    ProcurementError,
    clean,
    parse_quantity,
    require_editor,
)
from portal.procurement.services.purchases import locked_purchase


def return_goods(
    delivery_id: int | None,
    *,
    quantity,
    reason: str | None,
    returned_on: date | None,
    actor,
) -> DeliveryReturn:
    """Give back part of what a delivery accepted, with the reason."""
    require_editor(actor)
    quantity_milli = parse_quantity(quantity, "return_quantity")
    if quantity_milli <= 0:
        raise ProcurementError(
            _l("Enter what goes back: a quantity above zero."), "return_quantity"
        )
    reason = clean(reason)
    if not reason:
        raise ProcurementError(_l("Say why the goods go back."), "return_reason")
    today = village_today()
    if returned_on is None or returned_on > today or returned_on < today - timedelta(days=365):
        raise ProcurementError(
            _l("Enter the day the goods went back (not in the future)."), "return_on"
        )
    delivery = db.session.get(PurchaseDelivery, delivery_id) if delivery_id else None
    if delivery is None:
        raise ProcurementError(_l("Choose one of this purchase's deliveries."), "return_delivery")
    purchase_id = delivery.purchase_id
    with write_transaction(db.session):
        purchase = locked_purchase(purchase_id)
        delivery = db.session.get(PurchaseDelivery, delivery_id, populate_existing=True)
        returned = db.session.scalar(
            select(func.coalesce(func.sum(DeliveryReturn.quantity_milli), 0)).where(
                DeliveryReturn.delivery_id == delivery.id
            )
        )
        if returned + quantity_milli > delivery.accepted_milli:
            raise ProcurementError(
                _l(
                    "That is more than this delivery accepted: %(left)s can still go back.",
                    left=f"{(delivery.accepted_milli - returned) / 1000:g}",
                ),
                "return_quantity",
            )
        moved = db.session.execute(
            update(PurchaseLine)
            .where(
                PurchaseLine.id == delivery.line_id,
                PurchaseLine.delivered_milli >= quantity_milli,
            )
            .values(delivered_milli=PurchaseLine.delivered_milli - quantity_milli)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # pragma: no cover - the sum above already holds it
            raise ProcurementError(_l("That is more than was accepted."), "return_quantity")
        item = DeliveryReturn(
            delivery_id=delivery.id,
            quantity_milli=quantity_milli,
            reason=reason,
            returned_on=returned_on,
            recorded_by_id=actor.id,
        )
        db.session.add(item)
        db.session.flush()
        if purchase.round_id and delivery.point_id:
            line = db.session.get(PurchaseLine, delivery.line_id)
            try:
                distribution.add_write_off(
                    purchase.round_id,
                    point_id=delivery.point_id,
                    item_id=line.round_item_id,
                    kind="returned",
                    quantity_milli=quantity_milli,
                    reason=reason,
                    source_ref=f"procurement_return:{item.id}",
                    actor=actor,
                )
            except distribution.DistributionError as error:
                raise ProcurementError(error.message, "return_quantity") from None
        record(
            "return_goods",
            "procurement_purchase",
            purchase.id,
            actor=actor,
            summary=reason,
            after={"delivery": delivery.id, "return": item.id, "quantity_milli": quantity_milli},
        )
    return item
