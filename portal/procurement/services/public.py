"""What the public pages show per round and per year, and the open data.

Only ordered purchases count, and not one replaced by an ordered correction. A supplier
appears by business name, kind and village only: a private person's contact, address
and RT/RW never leave the staff pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import bindparam, extract, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from portal.extensions import db
from portal.procurement.models import (
    LOCATIONS,
    PACKAGING,
    PackedBatch,
    Purchase,
    Supplier,
)
from portal.procurement.services.common import setting
from portal.procurement.services.purchases import superseded_ids

OWN_BAG = "own_bag"
DATA_COLUMNS = (
    "purchase_id",
    "title",
    "round_id",
    "csr_need_id",
    "ordered_on",
    "method",
    "supplier",
    "supplier_kind",
    "supplier_location",
    "supplier_village",
    "supplier_from_course",
    "item",
    "unit",
    "quantity",
    "unit_price_idr",
    "amount_idr",
    "reference_price_idr",
    "packaging",
    "packaging_grams",
    "accepted_quantity",
)


@dataclass
class Summary:
    spend: int = 0
    spend_by_location: dict[str, int] = field(default_factory=dict)
    suppliers: int = 0
    local_suppliers: int = 0
    local_from_courses: int = 0
    prices: list[dict] = field(default_factory=list)
    packaging: dict[str, int] = field(default_factory=dict)
    line_packaging_grams: dict[str, int] = field(default_factory=dict)
    plastic_avoided_kg: float = 0.0
    purchases: int = 0

    def share(self, *locations: str) -> int:
        """Percent of spend with suppliers in these locations (0 without spend)."""
        if not self.spend:
            return 0
        kept = sum(self.spend_by_location.get(loc, 0) for loc in locations)
        return round(kept * 100 / self.spend)


# Built once per process (with their cache keys), the round or year as parameters.
@cache
def _purchases_statement(by_round: bool, by_year: bool):
    """Counted purchases with their supplier (joined) and lines (a second statement):
    ordered, and not replaced by an ordered correction."""
    correction = aliased(Purchase)
    replaced = select(correction.corrects_id).where(
        correction.corrects_id.is_not(None), correction.status == "ordered"
    )
    stmt = (
        select(Purchase)
        .where(Purchase.status == "ordered", Purchase.id.not_in(replaced))
        .options(joinedload(Purchase.supplier), selectinload(Purchase.lines))
        .order_by(Purchase.id)
    )
    if by_round:
        stmt = stmt.where(Purchase.round_id == bindparam("round_id"))
    if by_year:
        stmt = stmt.where(extract("year", Purchase.ordered_on) == bindparam("year"))
    return stmt


def _purchases(*, round_id: int | None = None, year: int | None = None) -> list[Purchase]:
    stmt = _purchases_statement(round_id is not None, year is not None)
    values = {"round_id": round_id, "year": year}
    return list(db.session.scalars(stmt, {k: v for k, v in values.items() if v is not None}))


@cache
def _batches_statement(by_round: bool, by_year: bool):
    stmt = select(PackedBatch)
    if by_round:
        stmt = stmt.where(PackedBatch.round_id == bindparam("round_id"))
    if by_year:
        stmt = stmt.where(extract("year", PackedBatch.packed_on) == bindparam("year"))
    return stmt


def _batches(*, round_id: int | None = None, year: int | None = None) -> list[PackedBatch]:
    stmt = _batches_statement(round_id is not None, year is not None)
    values = {"round_id": round_id, "year": year}
    return list(db.session.scalars(stmt, {k: v for k, v in values.items() if v is not None}))


def summary(*, round_id: int | None = None, year: int | None = None) -> Summary:
    """Spend by where the suppliers are, local suppliers and those from the courses,
    prices against the reference, the packaging mix and the plastic avoided."""
    out = Summary()
    purchases = _purchases(round_id=round_id, year=year)
    out.purchases = len(purchases)
    by_location: Counter = Counter({loc: 0 for loc in LOCATIONS})
    suppliers: dict[int, Supplier] = {}
    grams: Counter = Counter()
    for purchase in purchases:
        by_location[purchase.supplier.location] += purchase.total
        suppliers[purchase.supplier_id] = purchase.supplier
        for line in purchase.lines:
            if line.packaging_grams:
                grams[line.packaging] += line.packaging_grams
            if line.reference_price:
                out.prices.append(
                    {
                        "item": line.name,
                        "unit": line.unit,
                        "price": line.unit_price,
                        "reference": line.reference_price,
                        "percent": round(line.over_reference * 100),
                    }
                )
    out.spend = sum(by_location.values())
    out.spend_by_location = dict(by_location)
    out.suppliers = len(suppliers)
    local = [s for s in suppliers.values() if s.location == "village"]
    out.local_suppliers = len(local)
    out.local_from_courses = sum(1 for s in local if s.from_course)
    out.line_packaging_grams = dict(grams)
    mix: Counter = Counter({kind: 0 for kind in PACKAGING})
    avoided = 0
    for batch in _batches(round_id=round_id, year=year):
        mix[batch.packaging] += batch.packages
        mix[OWN_BAG] += batch.own_bags
        avoided += batch.own_bags + (0 if batch.packaging == "plastic" else batch.packages)
    out.packaging = dict(mix)
    out.plastic_avoided_kg = round(avoided * setting("PROCUREMENT_PLASTIC_BAG_GRAMS") / 1000, 1)
    return out


def years() -> list[int]:
    """Years with an ordered purchase or a packed batch, latest first."""
    found = set(
        db.session.scalars(
            select(extract("year", Purchase.ordered_on))
            .where(Purchase.status == "ordered")
            .distinct()
        )
    ) | set(db.session.scalars(select(extract("year", PackedBatch.packed_on)).distinct()))
    return sorted((int(y) for y in found if y is not None), reverse=True)


def round_ids() -> list[int]:
    """Rounds with an ordered purchase or a packed batch."""
    found = set(
        db.session.scalars(
            select(Purchase.round_id).where(
                Purchase.status == "ordered", Purchase.round_id.is_not(None)
            )
        )
    ) | set(db.session.scalars(select(PackedBatch.round_id)))
    return sorted(found, reverse=True)


@cache
def _round_listed_statement():
    round_id = bindparam("round_id")
    purchases = (
        select(Purchase.id)
        .where(Purchase.status == "ordered", Purchase.round_id == round_id)
        .exists()
    )
    batches = select(PackedBatch.id).where(PackedBatch.round_id == round_id).exists()
    return select(or_(purchases, batches))


def round_listed(round_id: int) -> bool:
    """Whether the round is among `round_ids()` (one statement)."""
    return bool(db.session.scalar(_round_listed_statement(), {"round_id": round_id}))


def data_rows(*, round_id: int | None = None, year: int | None = None) -> list[dict]:
    """One row per purchase line of the counted purchases (open data)."""
    rows = []
    for purchase in _purchases(round_id=round_id, year=year):
        supplier = purchase.supplier
        for line in purchase.lines:
            rows.append(
                {
                    "purchase_id": purchase.id,
                    "title": purchase.title,
                    "round_id": purchase.round_id,
                    "csr_need_id": purchase.need_id,
                    "ordered_on": purchase.ordered_on.isoformat(),
                    "method": purchase.method,
                    "supplier": supplier.name,
                    "supplier_kind": supplier.kind,
                    "supplier_location": supplier.location,
                    "supplier_village": supplier.village_name,
                    "supplier_from_course": supplier.from_course,
                    "item": line.name,
                    "unit": line.unit,
                    "quantity": line.quantity_milli / 1000,
                    "unit_price_idr": line.unit_price,
                    "amount_idr": line.amount,
                    "reference_price_idr": line.reference_price,
                    "packaging": line.packaging,
                    "packaging_grams": line.packaging_grams,
                    "accepted_quantity": line.delivered_milli / 1000,
                }
            )
    return rows


def counted_total() -> int:
    """Rupiah of every counted purchase (the index page's headline)."""
    gone = superseded_ids()
    rows = db.session.execute(
        select(Purchase.id, Purchase.total).where(Purchase.status == "ordered")
    )
    return sum(total for pid, total in rows if pid not in gone)
