"""What the staff page of one purchase shows under it, as plain rows: its lines, its
quotes with their suppliers' names, its deliveries with their lines' names and what
was given back of each, and the goods given back. The page and its forms only show
these (the ORM loaded and tracked every column of every row, four lazy loads)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, func, select

from portal.database import read
from portal.extensions import db
from portal.procurement.models import (
    DeliveryReturn,
    PurchaseDelivery,
    PurchaseLine,
    Quote,
    Supplier,
)


@dataclass(frozen=True, slots=True)
class PurchaseRows:
    lines: list
    quotes: list
    deliveries: list
    returns: list


# Built once per process (their cache keys cost more than running them on SQLite).
@cache
def _statements():
    purchase_id = bindparam("purchase_id")
    lines = (
        select(
            PurchaseLine.id,
            PurchaseLine.name,
            PurchaseLine.unit,
            PurchaseLine.quantity_milli,
            PurchaseLine.unit_price,
            PurchaseLine.reference_price,
            PurchaseLine.delivered_milli,
            PurchaseLine.packaging,
            PurchaseLine.packaging_grams,
        )
        .where(PurchaseLine.purchase_id == purchase_id)
        .order_by(PurchaseLine.id)
    )
    quotes = (
        select(
            Quote.id,
            Quote.supplier_id,
            Supplier.name.label("supplier_name"),
            Quote.amount,
            Quote.received_on,
            Quote.note,
        )
        .join(Supplier, Supplier.id == Quote.supplier_id)
        .where(Quote.purchase_id == purchase_id)
        .order_by(Quote.id)
    )
    returned = (
        select(func.coalesce(func.sum(DeliveryReturn.quantity_milli), 0))
        .where(DeliveryReturn.delivery_id == PurchaseDelivery.id)
        .scalar_subquery()
    )
    deliveries = (
        select(
            PurchaseDelivery.id,
            PurchaseDelivery.point_id,
            PurchaseDelivery.received_on,
            PurchaseDelivery.accepted_milli,
            PurchaseDelivery.rejected_milli,
            PurchaseDelivery.quality_note,
            PurchaseDelivery.photo_file,
            PurchaseLine.name.label("line_name"),
            PurchaseLine.unit.label("line_unit"),
            returned.label("returned_milli"),
        )
        .join(PurchaseLine, PurchaseLine.id == PurchaseDelivery.line_id)
        .where(PurchaseDelivery.purchase_id == purchase_id)
        .order_by(PurchaseDelivery.id)
    )
    returns = (
        select(
            DeliveryReturn.delivery_id,
            DeliveryReturn.returned_on,
            DeliveryReturn.quantity_milli,
            DeliveryReturn.reason,
        )
        .join(PurchaseDelivery, PurchaseDelivery.id == DeliveryReturn.delivery_id)
        .where(PurchaseDelivery.purchase_id == purchase_id)
        .order_by(DeliveryReturn.delivery_id, DeliveryReturn.id)
    )
    return lines, quotes, deliveries, returns


def purchase_rows(purchase_id: int) -> PurchaseRows:
    """The purchase's lines and quotes by id, its deliveries by id, and the goods given
    back delivery by delivery (read even when none were: a page sends the same
    statements whatever it shows, tests/test_query_counts.py)."""
    lines, quotes, deliveries, returns = _statements()
    values = {"purchase_id": purchase_id}
    return PurchaseRows(
        lines=read(db.session, lines, values).all(),
        quotes=read(db.session, quotes, values).all(),
        deliveries=read(db.session, deliveries, values).all(),
        returns=read(db.session, returns, values).all(),
    )
