"""What the public may know of a round: points, slots per RT, and progress (collected of
due per RT and per point, rupiah and items), counts only. A group of fewer than
`MIN_GROUP` households shows no figure, so that nobody can tell whether one named
household collected."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import bindparam, case, func, inspect, select, true

from portal.database import read
from portal.distribution.models import (
    DistributionRound,
    Entitlement,
    EntitlementLine,
    RoundItem,
)
from portal.extensions import db
from portal.lists import queries as lists

MIN_GROUP = 5
PUBLIC_STATUSES = ("approved", "open", "closed", "reconciled")
COLLECTED = ("collected", "partly_collected")


@dataclass(frozen=True)
class Group:
    """One RT/RW or one point: households due and collected, rupiah due and paid.
    `shown` is False for a group too small to show figures of."""

    label: str
    due: int
    collected: int
    cash_due: int
    cash_paid: int
    shown: bool

    @property
    def percent(self) -> int:
        return round(100 * self.collected / self.due) if self.due else 0


@dataclass(frozen=True)
class ItemTotal:
    item: RoundItem
    due_milli: int
    delivered_milli: int


@dataclass
class Progress:
    total: Group
    by_rt: list[Group] = field(default_factory=list)
    by_point: list[Group] = field(default_factory=list)
    items: list[ItemTotal] = field(default_factory=list)
    cancelled: int = 0


def rt_label(rt: int, rw: int | None) -> str:
    return f"{rt:03d}/{rw:03d}" if rw is not None else f"{rt:03d}/–"


def public_rounds(period_id: int | None = None) -> list[DistributionRound]:
    """Rounds the public may see (approved or later), newest first."""
    query = (
        select(DistributionRound)
        .where(DistributionRound.status.in_(PUBLIC_STATUSES))
        .order_by(DistributionRound.starts_on.desc(), DistributionRound.id.desc())
    )
    if period_id is not None:
        query = query.where(DistributionRound.period_id == period_id)
    return list(db.session.scalars(query))


def public_round(round_id: int) -> DistributionRound | None:
    round_ = db.session.get(DistributionRound, round_id)
    return round_ if round_ is not None and round_.status in PUBLIC_STATUSES else None


def _group(label: str, due: int, collected: int, cash_due: int, cash_paid: int) -> Group:
    # PostgreSQL's SUM of integers is a numeric (Decimal): plain ints for JSON and pages.
    due, collected = int(due or 0), int(collected or 0)
    return Group(label, due, collected, int(cash_due or 0), int(cash_paid or 0), due >= MIN_GROUP)


# The progress statements are built once per process (the round as a parameter):
# building grouped sums with their CASE and computing their cache keys cost about as
# much as running them.
@cache
def _sums_statement():
    live = Entitlement.status != "cancelled"
    got = case((Entitlement.status.in_(COLLECTED), 1), else_=0)
    keys = (Entitlement.rw, Entitlement.rt, Entitlement.point_id)
    return (
        select(
            *keys,
            func.coalesce(func.sum(case((live, 1), else_=0)), 0),
            func.coalesce(func.sum(got), 0),
            func.coalesce(func.sum(case((live, Entitlement.cash_due), else_=0)), 0),
            func.coalesce(func.sum(case((live, Entitlement.cash_paid), else_=0)), 0),
            func.coalesce(func.sum(case((Entitlement.status == "cancelled", 1), else_=0)), 0),
        )
        .where(Entitlement.round_id == bindparam("round_id"))
        .group_by(*keys)
    )


def _sums(round_id: int) -> tuple[list[tuple], int]:
    """(rw, rt, point_id, due, collected, cash due, cash paid) of a round's live
    entitlements, one row per RT and point, and how many were cancelled: the whole,
    the RTs and the points are summed from these (one scan of the round instead of
    four). A group with only cancelled entitlements has no row."""
    rows, cancelled = [], 0
    for *row, gone in read(db.session, _sums_statement(), {"round_id": round_id}).all():
        cancelled += int(gone or 0)
        if row[3]:  # live entitlements in the group
            rows.append(row)
    return rows, cancelled


@cache
def _total_statement():
    live = Entitlement.status != "cancelled"
    got = case((Entitlement.status.in_(COLLECTED), 1), else_=0)
    return select(
        func.coalesce(func.sum(case((live, 1), else_=0)), 0),
        func.coalesce(func.sum(got), 0),
        func.coalesce(func.sum(case((live, Entitlement.cash_due), else_=0)), 0),
        func.coalesce(func.sum(case((live, Entitlement.cash_paid), else_=0)), 0),
        func.coalesce(func.sum(case((Entitlement.status == "cancelled", 1), else_=0)), 0),
    ).where(Entitlement.round_id == bindparam("round_id"))


def _total(numbers) -> Progress:
    *numbers, cancelled = numbers
    return Progress(total=_group("", *numbers), cancelled=int(cancelled or 0))


def progress_total(round_id: int) -> Progress:
    """The whole round's collected of due and how many were cancelled, with no RT,
    point or item parts (what the staff round page shows): one sum, no grouping."""
    return _total(read(db.session, _total_statement(), {"round_id": round_id}).one())


@cache
def _round_with_total_statement():
    total = _total_statement().subquery()  # one row: sums without grouping
    return (
        select(*_round_columns(), *total.c)
        .join(total, true())
        .where(DistributionRound.id == bindparam("round_id"))
    )


def round_with_total(round_id: int) -> tuple[Any, Progress] | None:
    """The round (a plain row with its columns' attributes) and its progress_total in
    one statement, or None for no such round."""
    row = read(db.session, _round_with_total_statement(), {"round_id": round_id})
    row = row.first()
    if row is None:
        return None
    return row, _total(row[len(_round_columns()) :])


@cache
def _round_columns() -> tuple:
    """The round as a plain row of its columns, each named as the model's attribute
    (the round pages read only those: no ORM object)."""
    return tuple(
        getattr(DistributionRound, column.key).label(column.key)
        for column in inspect(DistributionRound).column_attrs
    )


@cache
def _public_round_with_version_statement():
    # The version's columns named version_0... (the round's own names stay unique).
    version = lists.version_with_period()
    return (
        select(
            *_round_columns(),
            *(column.label(f"version_{i}") for i, column in enumerate(version.c)),
        )
        .outerjoin(version, version.c[0] == DistributionRound.version_id)
        .where(
            DistributionRound.id == bindparam("round_id"),
            DistributionRound.status.in_(PUBLIC_STATUSES),
        )
    )


def public_round_with_version(round_id: int) -> tuple[Any, Any] | None:
    """`public_round` as a plain row of the round's columns (named as the model's
    attributes), for a page that reads only those, and its recipient list's version
    (lists.version_info's, None without one), in one statement; None for no such
    public round."""
    values = {"round_id": round_id}
    row = read(db.session, _public_round_with_version_statement(), values).first()
    if row is None:
        return None
    return row, lists.version_info_from(row[len(_round_columns()) :])


@cache
def item_sums_statement():
    """Due and delivered thousandths per item (item_id, due_milli, delivered_milli) over
    a round's live entitlements; round_parts joins it to the items."""
    return (
        select(
            EntitlementLine.item_id,
            func.sum(EntitlementLine.due_milli).label("due_milli"),
            func.sum(EntitlementLine.delivered_milli).label("delivered_milli"),
        )
        .join(Entitlement, Entitlement.id == EntitlementLine.entitlement_id)
        .where(EntitlementLine.round_id == bindparam("round_id"), Entitlement.status != "cancelled")
        .group_by(EntitlementLine.item_id)
    )


def progress(round_: DistributionRound, points=None, items=None, summed=False) -> Progress:
    """Collected of due for the whole round, per RT/RW, per point and per item. A
    caller that holds the round's points and items (round_parts.points_and_items)
    passes them; the round's relationships otherwise. `summed`: the items were read
    with their sums (points_and_items(..., summed=True)), not read again here."""
    points = round_.points if points is None else points
    items = round_.items if items is None else items
    total, by_rt, by_point = [0, 0, 0, 0], {}, {}
    sums, cancelled = _sums(round_.id)
    # Summed in place (a few dozen groups: no call per group), as _add sums.
    for rw, rt, point_id, due, got, cash_due, cash_paid in sums:
        numbers = (int(due or 0), int(got or 0), int(cash_due or 0), int(cash_paid or 0))
        for totals, key in ((by_rt, (rw, rt)), (by_point, point_id)):
            kept = totals.get(key)
            if kept is None:
                totals[key] = list(numbers)
            else:
                kept[0] += numbers[0]
                kept[1] += numbers[1]
                kept[2] += numbers[2]
                kept[3] += numbers[3]
        total[0] += numbers[0]
        total[1] += numbers[1]
        total[2] += numbers[2]
        total[3] += numbers[3]
    result = Progress(total=_group("", *total))
    # Sorted as _first_none sorts: a missing RW or point first, then by value. The sums
    # are ints already: each Group made as _group makes it, its label as rt_label's.
    rts = sorted([(((rw is not None, rw or 0), rt), rw, rt) for rw, rt in by_rt])
    result.by_rt = [
        Group(
            f"{rt:03d}/{rw:03d}" if rw is not None else f"{rt:03d}/–",
            *(sums := by_rt[(rw, rt)]),
            sums[0] >= MIN_GROUP,
        )
        for _, rw, rt in rts
    ]
    names = {p.id: p.name for p in points}
    result.by_point = [
        Group(names.get(point_id, "–"), *(sums := by_point[point_id]), sums[0] >= MIN_GROUP)
        for _, point_id in sorted([((p is not None, p or 0), p) for p in by_point])
    ]
    if summed:
        lines = {item.id: (item.due_milli, item.delivered_milli) for item in items}
    else:
        lines = dict(
            (item_id, (due_milli, delivered))
            for item_id, due_milli, delivered in read(
                db.session, item_sums_statement(), {"round_id": round_.id}
            )
        )
    for item in items:
        due_milli, delivered = lines.get(item.id, (0, 0))
        result.items.append(ItemTotal(item, int(due_milli or 0), int(delivered or 0)))
    result.cancelled = cancelled
    return result
