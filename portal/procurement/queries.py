"""Read-only procurement figures for other features (monitoring's indicators). They
read them here, never through procurement's tables, and change nothing. The rules are
those of the public summary (`services/public.py`): ordered purchases only, not one
replaced by an ordered correction; a package not in plastic, or an own bag, avoids one
plastic bag of `PROCUREMENT_PLASTIC_BAG_GRAMS`."""

from __future__ import annotations

from datetime import date
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.procurement.models import PackedBatch, Purchase, Supplier

PLASTIC_BAG_GRAMS = 15  # the default of services/common.py's DEFAULTS


# Built once per process (with their cache keys: an aliased correction cost more to
# build than the query took to run); a year's first and last day are parameters.
@cache
def _statements():
    first, last = bindparam("first"), bindparam("last")
    correction = aliased(Purchase)
    replaced = select(correction.corrects_id).where(
        correction.corrects_id.is_not(None), correction.status == "ordered"
    )
    spend = (
        select(Supplier.location, func.sum(Purchase.total))
        .join(Supplier, Supplier.id == Purchase.supplier_id)
        .where(
            Purchase.status == "ordered",
            Purchase.ordered_on.between(first, last),
            Purchase.id.not_in(replaced),
        )
        .group_by(Supplier.location)
    )
    avoided = PackedBatch.own_bags + case(
        (PackedBatch.packaging == "plastic", 0), else_=PackedBatch.packages
    )
    plastic = select(func.count(PackedBatch.id), func.coalesce(func.sum(avoided), 0)).where(
        PackedBatch.packed_on.between(first, last)
    )
    return spend, plastic


def _year(year: int) -> dict:
    return {"first": date(year, 1, 1), "last": date(year, 12, 31)}


def spend_by_location(year: int) -> dict[str, int]:
    """{supplier location: rupiah} of the purchases ordered in `year` that count."""
    rows = db.session.execute(_statements()[0], _year(year))
    return {location: int(total or 0) for location, total in rows}


def plastic_avoided(year: int) -> tuple[int, float]:
    """(batches packed in `year`, kg of single-use plastic they avoided)."""
    batches, bags = db.session.execute(_statements()[1], _year(year)).one()
    grams = int(current_app.config.get("PROCUREMENT_PLASTIC_BAG_GRAMS", PLASTIC_BAG_GRAMS))
    return batches, round(int(bags) * grams / 1000, 1)
