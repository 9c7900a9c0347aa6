"""The staff's list of a round's entitlements, searched by RT/RW and status."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased

from portal.database import read
from portal.distribution.models import Entitlement, EntitlementLine, RoundItem
from portal.distribution.services.common import quantity_text
from portal.distribution.services.progress import rt_label
from portal.extensions import db
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


def _due_text(cash_due: int, lines: list[str], lang: str) -> str:
    parts = [money(cash_due, lang)] if cash_due else []
    return "; ".join(parts + lines)


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
        )
        .join(page, page.c.id == Entitlement.id)
        .outerjoin(collector, collector.id == Entitlement.collector_id)
        .outerjoin(alternate, alternate.id == Entitlement.alternate_id)
        .order_by(Entitlement.rw, Entitlement.rt, Entitlement.id)
    )


@cache
def _lines_statement(rt: bool, rw: bool, status: bool):
    """The lines of the page's entitlements, found again by the page's own subquery
    (the same parameters): no list of ids to expand into the statement."""
    page = _found(rt, rw, status)
    return (
        select(
            EntitlementLine.entitlement_id,
            RoundItem.name_id,
            RoundItem.name_en,
            RoundItem.unit,
            EntitlementLine.due_milli,
        )
        .join(page, page.c.id == EntitlementLine.entitlement_id)
        .join(RoundItem, RoundItem.id == EntitlementLine.item_id)
        .order_by(EntitlementLine.entitlement_id, EntitlementLine.item_id)
    )


def entitlement_page(
    round_id: int,
    *,
    rt: int | None = None,
    rw: int | None = None,
    status: str | None = None,
    page: int = 1,
    lang: str = "id",
) -> CountedPagination:
    """One page of a round's entitlements in RW/RT order, with the names of collector
    and alternate and the lines due as text in `lang` (the item's name, falling back to
    the Indonesian one, the quantity and the unit). Two statements."""
    values = {"round_id": round_id, "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE}
    for name, value in (("rt", rt), ("rw", rw), ("status", status)):
        if value is not None:
            values[name] = value
    shape = (rt is not None, rw is not None, status is not None)
    rows = read(db.session, _page_statement(*shape), values).all()
    lines: dict[int, list[str]] = {row[0]: [] for row in rows}
    if lines:
        texts: dict[tuple, str] = {}  # a page repeats the same few lines
        for entitlement_id, *line in read(db.session, _lines_statement(*shape), values):
            key = tuple(line)
            text = texts.get(key)
            if text is None:
                name_id, name_en, unit, due_milli = line
                name = (name_en if lang != "id" and name_en else name_id) or ""
                text = texts[key] = f"{name} {quantity_text(due_milli, lang)} {unit}"
            lines[entitlement_id].append(text)
    items = [
        EntitlementRow(
            *row[:9],
            lines[row[0]],
            rt_label(row.rt, row.rw),
            _due_text(row.cash_due, lines[row[0]], lang),
        )
        for row in rows
    ]
    return counted_page(items, rows[0][9] if rows else 0, page=page, per_page=PER_PAGE)
