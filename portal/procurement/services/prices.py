"""Reference prices per item and month, and the check of a price against them."""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import bindparam, select

from portal.audit.services import record
from portal.database import read, write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.procurement.models import UNITS, ReferencePrice
from portal.procurement.services.common import (
    ProcurementError,
    check_amount,
    clean,
    item_key,
    month_start,
    require_editor,
    setting,
)


def set_reference_price(
    *, item: str, unit: str, month: date, price: int, source: str | None, actor
) -> ReferencePrice:
    """Record the reference price of an item for a month (once: a second one for the
    same item, unit and month is refused by a unique key)."""
    require_editor(actor)
    key = item_key(item)
    if len(key) < 2:
        raise ProcurementError(_l("Enter the item's name."), "item")
    if unit not in UNITS:
        raise ProcurementError(_l("Choose a unit."), "unit")
    if month is None:
        raise ProcurementError(_l("Enter the month."), "month")
    price = check_amount(price, "price")
    with write_transaction(db.session):
        first = month_start(month)
        taken = db.session.scalar(
            select(ReferencePrice.id).where(
                ReferencePrice.item_key == key,
                ReferencePrice.unit == unit,
                ReferencePrice.month == first,
            )
        )
        if taken:
            raise ProcurementError(
                _l("This item already has a reference price for that month."), "item"
            )
        row = ReferencePrice(
            item_key=key,
            unit=unit,
            month=first,
            price=price,
            source=clean(source, 200),
            created_by_id=actor.id,
        )
        db.session.add(row)
        db.session.flush()
        record(
            "create",
            "procurement_reference_price",
            row.id,
            actor=actor,
            after={"item": key, "unit": unit, "month": first.isoformat(), "price": price},
        )
    return row


def reference_price(name: str, unit: str, day: date) -> int | None:
    """The reference price for the item in the month of `day`, or None."""
    return db.session.scalar(
        select(ReferencePrice.price).where(
            ReferencePrice.item_key == item_key(name),
            ReferencePrice.unit == unit,
            ReferencePrice.month == month_start(day),
        )
    )


def too_dear(unit_price: int, reference: int | None) -> bool:
    """Whether a price is more than the allowed margin over its reference."""
    if not reference:
        return False
    margin = setting("PROCUREMENT_PRICE_MARGIN_PERCENT")
    return unit_price * 100 > reference * (100 + margin)


@cache
def _reference_prices_statement():
    return (
        select(
            ReferencePrice.item_key,
            ReferencePrice.unit,
            ReferencePrice.month,
            ReferencePrice.price,
            ReferencePrice.source,
        )
        .order_by(ReferencePrice.month.desc(), ReferencePrice.item_key)
        .limit(bindparam("limit"))
    )


def reference_prices(limit: int = 300):
    """The latest reference prices as plain rows (item_key, unit, month, price, source)."""
    return read(db.session, _reference_prices_statement(), {"limit": limit}).all()
