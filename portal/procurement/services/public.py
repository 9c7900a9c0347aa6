"""What the public pages show per round and per year, and the open data.

Only ordered purchases count, and not one replaced by an ordered correction. A supplier
appears by business name, kind and village only: a private person's contact, address
and RT/RW never leave the staff pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import bindparam, extract, func, or_, select, union
from sqlalchemy.orm import aliased, joinedload, selectinload

from portal.extensions import db
from portal.procurement.models import (
    LOCATIONS,
    PACKAGING,
    PackedBatch,
    Purchase,
    PurchaseLine,
    Supplier,
)
from portal.procurement.services.common import setting

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


def _counted(stmt, by_round: bool, by_year: bool):
    """`stmt` kept to counted purchases: ordered, and not replaced by an ordered
    correction; of the round or the year (parameters) when asked."""
    correction = aliased(Purchase)
    replaced = select(correction.corrects_id).where(
        correction.corrects_id.is_not(None), correction.status == "ordered"
    )
    stmt = stmt.where(Purchase.status == "ordered", Purchase.id.not_in(replaced))
    if by_round:
        stmt = stmt.where(Purchase.round_id == bindparam("round_id"))
    if by_year:
        stmt = stmt.where(extract("year", Purchase.ordered_on) == bindparam("year"))
    return stmt


# Built once per process (with their cache keys), the round or year as parameters.
@cache
def _purchases_statement(by_round: bool, by_year: bool):
    """Counted purchases with their supplier (joined) and lines (a second statement)."""
    stmt = (
        select(Purchase)
        .options(joinedload(Purchase.supplier), selectinload(Purchase.lines))
        .order_by(Purchase.id)
    )
    return _counted(stmt, by_round, by_year)


def _values(round_id: int | None, year: int | None) -> dict:
    values = {"round_id": round_id, "year": year}
    return {k: v for k, v in values.items() if v is not None}


def _purchases(*, round_id: int | None = None, year: int | None = None) -> list[Purchase]:
    stmt = _purchases_statement(round_id is not None, year is not None)
    return list(db.session.scalars(stmt, _values(round_id, year)))


@cache
def _summary_statements(by_round: bool, by_year: bool):
    """The summary's plain rows: each counted purchase's lines with the purchase's total
    and supplier (a purchase without lines as one row of None), and the packed batches."""
    lines = (
        select(
            Purchase.id,
            Purchase.total,
            Purchase.supplier_id,
            Supplier.location,
            Supplier.training_place_id,
            PurchaseLine.name,
            PurchaseLine.unit,
            PurchaseLine.unit_price,
            PurchaseLine.reference_price,
            PurchaseLine.packaging,
            PurchaseLine.packaging_grams,
        )
        .join(Supplier, Supplier.id == Purchase.supplier_id)
        .outerjoin(PurchaseLine, PurchaseLine.purchase_id == Purchase.id)
        .order_by(Purchase.id, PurchaseLine.id)
    )
    batches = select(PackedBatch.packaging, PackedBatch.packages, PackedBatch.own_bags)
    if by_round:
        batches = batches.where(PackedBatch.round_id == bindparam("round_id"))
    if by_year:
        batches = batches.where(extract("year", PackedBatch.packed_on) == bindparam("year"))
    return _counted(lines, by_round, by_year), batches


def summary(*, round_id: int | None = None, year: int | None = None) -> Summary:
    """Spend by where the suppliers are, local suppliers and those from the courses,
    prices against the reference, the packaging mix and the plastic avoided (two
    statements, plain rows)."""
    out = Summary()
    lines_stmt, batches_stmt = _summary_statements(round_id is not None, year is not None)
    values = _values(round_id, year)
    by_location: Counter = Counter({loc: 0 for loc in LOCATIONS})
    counted: set[int] = set()
    suppliers: dict[int, tuple[str, int | None]] = {}
    grams: Counter = Counter()
    for row in db.session.execute(lines_stmt, values):
        if row.id not in counted:
            counted.add(row.id)
            by_location[row.location] += row.total
            suppliers[row.supplier_id] = (row.location, row.training_place_id)
        if row.packaging_grams:
            grams[row.packaging] += row.packaging_grams
        if row.reference_price:
            out.prices.append(
                {
                    "item": row.name,
                    "unit": row.unit,
                    "price": row.unit_price,
                    "reference": row.reference_price,
                    "percent": round((row.unit_price / row.reference_price - 1) * 100),
                }
            )
    out.purchases = len(counted)
    out.spend = sum(by_location.values())
    out.spend_by_location = dict(by_location)
    out.suppliers = len(suppliers)
    local = [place for location, place in suppliers.values() if location == "village"]
    out.local_suppliers = len(local)
    out.local_from_courses = sum(1 for place in local if place is not None)
    out.line_packaging_grams = dict(grams)
    mix: Counter = Counter({kind: 0 for kind in PACKAGING})
    avoided = 0
    for packaging, packages, own_bags in db.session.execute(batches_stmt, values):
        mix[packaging] += packages
        mix[OWN_BAG] += own_bags
        avoided += own_bags + (0 if packaging == "plastic" else packages)
    out.packaging = dict(mix)
    out.plastic_avoided_kg = round(avoided * setting("PROCUREMENT_PLASTIC_BAG_GRAMS") / 1000, 1)
    return out


# The index page's three reads, each one statement built once per process.
@cache
def _index_statements():
    purchase_years = (
        select(extract("year", Purchase.ordered_on)).where(Purchase.status == "ordered").distinct()
    )
    batch_years = select(extract("year", PackedBatch.packed_on)).distinct()
    purchase_rounds = select(Purchase.round_id).where(
        Purchase.status == "ordered", Purchase.round_id.is_not(None)
    )
    correction = aliased(Purchase)
    replaced = select(correction.corrects_id).where(
        correction.corrects_id.is_not(None), correction.status == "ordered"
    )
    total = select(func.coalesce(func.sum(Purchase.total), 0)).where(
        Purchase.status == "ordered", Purchase.id.not_in(replaced)
    )
    return (
        union(purchase_years, batch_years),
        union(purchase_rounds, select(PackedBatch.round_id)),
        total,
    )


def years() -> list[int]:
    """Years with an ordered purchase or a packed batch, latest first."""
    found = db.session.scalars(_index_statements()[0])
    return sorted({int(y) for y in found if y is not None}, reverse=True)


def round_ids() -> list[int]:
    """Rounds with an ordered purchase or a packed batch."""
    return sorted(set(db.session.scalars(_index_statements()[1])), reverse=True)


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
    return int(db.session.scalar(_index_statements()[2]) or 0)
