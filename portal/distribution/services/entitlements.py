"""The staff's list of a round's entitlements, searched by RT/RW and status."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased

from portal.distribution.models import Entitlement, EntitlementLine, RoundItem
from portal.distribution.services.common import quantity_text, reader
from portal.i18n import money
from portal.registry.models import Person
from portal.row_pages import CountedPagination, counted_page

PER_PAGE = 50


@dataclass(frozen=True)
class EntitlementRow:
    """An entitlement as the list shows it (plain values: a page shows 50)."""

    id: int
    rt: int
    rw: int | None
    household_id: int
    collector: str | None
    alternate: str | None
    cash_due: int
    status: str
    cancel_reason: str | None
    # Each line due as the list shows it: "Beras 10 kg" (item name, quantity, unit).
    lines: list[str]
    # As the list writes them: "007/002" ("007/–" without an RW), and the cash due and
    # the lines joined by "; " (worked out here: a page shows 50 rows).
    rt_rw: str
    due: str


# The statements are built once per process for each combination of filters (values as
# parameters): building them and their cache keys cost about as much as running them.
def _found(rt: bool, rw: bool, status: bool):
    # The page's ids (and the count of the whole search: no second statement) sorted
    # alone, then joined to the names: joined first, every entitlement of the round
    # would be joined to two people before the sort.
    found = (
        select(Entitlement.id, func.count().over().label("total"))
        .where(Entitlement.round_id == bindparam("round_id"))
        .order_by(Entitlement.rw, Entitlement.rt, Entitlement.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    if rt:
        found = found.where(Entitlement.rt == bindparam("rt"))
    if rw:
        found = found.where(Entitlement.rw == bindparam("rw"))
    if status:
        found = found.where(Entitlement.status == bindparam("status"))
    return found.subquery()


@cache
def _page_statement(rt: bool, rw: bool, status: bool):
    """The page's entitlements with the names of collector and alternate and the count
    of the whole search, one row for each of their lines (its item's names and unit,
    and what is due; NULLs for an entitlement without a line): one statement for two."""
    page = _found(rt, rw, status)
    collector, alternate = aliased(Person), aliased(Person)
    return (
        select(
            Entitlement.id,
            Entitlement.rt,
            Entitlement.rw,
            Entitlement.household_id,
            collector.name,
            alternate.name,
            Entitlement.cash_due,
            Entitlement.status,
            Entitlement.cancel_reason,
            page.c.total,
            RoundItem.name_id,
            RoundItem.name_en,
            RoundItem.unit,
            EntitlementLine.due_milli,
        )
        .join(page, page.c.id == Entitlement.id)
        .outerjoin(collector, collector.id == Entitlement.collector_id)
        .outerjoin(alternate, alternate.id == Entitlement.alternate_id)
        .outerjoin(EntitlementLine, EntitlementLine.entitlement_id == Entitlement.id)
        .outerjoin(RoundItem, RoundItem.id == EntitlementLine.item_id)
        .order_by(Entitlement.rw, Entitlement.rt, Entitlement.id, EntitlementLine.item_id)
    )


def entitlement_page(
    round_id: int,
    *,
    rt: int | None = None,
    rw: int | None = None,
    status: str | None = None,
    page: int = 1,
    lang: str = "id",
    run=None,
) -> CountedPagination:
    """One page of a round's entitlements in RW/RT order, with the names of collector
    and alternate and the lines due as text in `lang` (the item's name, falling back to
    the Indonesian one, the quantity and the unit). One statement (`run`: a page's
    common.reader, for a page that reads more). Each line's text and each amount of
    cash written once a page (a page repeats the same few), one call a line."""
    values = {"round_id": round_id, "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE}
    for name, value in (("rt", rt), ("rw", rw), ("status", status)):
        if value is not None:
            values[name] = value
    shape = (rt is not None, rw is not None, status is not None)
    # Each entitlement's first row and its lines' texts, in the page's order.
    found: dict[int, tuple] = {}
    texts: dict[tuple, str] = {}
    for row in (run or reader())(_page_statement(*shape), values).all():
        entitlement_id, *_, name_id, name_en, unit, due_milli = row
        if entitlement_id not in found:
            found[entitlement_id] = (row, lines := [])
        if unit is None:  # an entitlement without a line
            continue
        key = (name_id, name_en, unit, due_milli)
        if key not in texts:
            name = (name_en if lang != "id" and name_en else name_id) or ""
            texts[key] = f"{name} {quantity_text(due_milli, lang)} {unit}"
        lines.append(texts[key])
    firsts = found.values()
    cash = {due: money(due, lang) for due in {row[6] for row, _lines in firsts} if due}
    items = [
        EntitlementRow(
            *row[:9],
            lines,
            f"{row[1]:03d}/{row[2]:03d}" if row[2] is not None else f"{row[1]:03d}/–",  # rt_label
            "; ".join([cash[row[6]], *lines] if row[6] else lines),
        )
        for row, lines in firsts
    ]
    total = next(iter(firsts))[0][9] if found else 0
    return counted_page(items, total, page=page, per_page=PER_PAGE)
