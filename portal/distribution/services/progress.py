"""What the public may know of a round: points, slots per RT, and progress (collected of
due per RT and per point, rupiah and items), counts only. A group of fewer than
`MIN_GROUP` households shows no figure, so that nobody can tell whether one named
household collected."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, bindparam, case, cast, func, inspect, or_, select, true

from portal.database import read
from portal.distribution import hooks
from portal.distribution.models import (
    DistributionRound,
    Entitlement,
    EntitlementLine,
    RoundItem,
)
from portal.distribution.services.common import reader
from portal.extensions import db
from portal.lists import queries as lists
from portal.models_base import UTCDateTime

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


def _collected_case():
    """1 for a collected entitlement, else 0: one WHEN per status, not IN (...), whose
    list SQLAlchemy expands into the statement on every run (some fifty Python calls)."""
    return case(*((Entitlement.status == status, 1) for status in COLLECTED), else_=0)


# The progress statements are built once per process (the round as a parameter):
# building grouped sums with their CASE and computing their cache keys cost about as
# much as running them.
@cache
def sums_statement():
    """(rw, rt, point_id, due, collected, cash due, cash paid, cancelled) of a round's
    entitlements, one row per RT and point: the whole, the RTs and the points are summed
    from these (one scan of the round instead of four); the due, collected and cash of
    the live ones only. Each sum a BIGINT, an int on PostgreSQL too (its SUM of a BIGINT
    is a numeric), so that they are added up without a conversion a row."""
    live = Entitlement.status != "cancelled"
    got = _collected_case()
    keys = (Entitlement.rw, Entitlement.rt, Entitlement.point_id)
    sums = (
        case((live, 1), else_=0),
        got,
        case((live, Entitlement.cash_due), else_=0),
        case((live, Entitlement.cash_paid), else_=0),
        case((Entitlement.status == "cancelled", 1), else_=0),
    )
    return (
        select(*keys, *(cast(func.coalesce(func.sum(s), 0), BigInteger) for s in sums))
        .where(Entitlement.round_id == bindparam("round_id"))
        .group_by(*keys)
    )


@cache
def _total_statement():
    live = Entitlement.status != "cancelled"
    got = _collected_case()
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
    version = lists.version_with_period()
    return (
        select(
            *_round_columns(),
            *(column.label(f"version_{i}") for i, column in enumerate(version.c)),
            *total.c,
        )
        .select_from(DistributionRound)
        .join(total, true())
        .outerjoin(version, version.c[0] == DistributionRound.version_id)
        .where(DistributionRound.id == bindparam("round_id"))
    )


def round_with_total(round_id: int, run=None) -> tuple[Any, Progress, Any] | None:
    """The round (a plain row with its columns' attributes), its progress_total and its
    recipient list's version (lists.version_info's, None without one) in one statement,
    or None for no such round. `run`: common.reader's, for a page that reads more."""
    statement, values = _round_with_total_statement(), {"round_id": round_id}
    row = (read(db.session, statement, values) if run is None else run(statement, values)).first()
    if row is None:
        return None
    start, end = _version_columns()
    return row, _total(row[end:]), lists.version_info_from(row[start:end])


@cache
def _version_columns() -> tuple[int, int]:
    """Where the version's columns start and end in a row of the round and its version."""
    start = len(_round_columns())
    return start, start + len(lists.version_with_period().c)


@cache
def _round_columns() -> tuple:
    """The round as a plain row of its columns, each named as the model's attribute
    (the round pages read only those: no ORM object), but for its stored times (when
    it was made, changed, opened, closed...: no round page shows them, and each is a
    Python conversion a row)."""
    return tuple(
        getattr(DistributionRound, column.key).label(column.key)
        for column in inspect(DistributionRound).column_attrs
        if not isinstance(column.columns[0].type, UTCDateTime)
    )


@cache
def _public_round_with_version_statement():
    # The version's columns named version_0... (the round's own names stay unique), and
    # last the open survey its evaluation links (hooks.round_survey: monitoring's).
    version = lists.version_with_period()
    return (
        select(
            *_round_columns(),
            *(column.label(f"version_{i}") for i, column in enumerate(version.c)),
            hooks.round_survey(DistributionRound.id).label("evaluation_survey_id"),
        )
        .outerjoin(version, version.c[0] == DistributionRound.version_id)
        .where(
            DistributionRound.id == bindparam("round_id"),
            or_(*(DistributionRound.status == status for status in PUBLIC_STATUSES)),
        )
    )


def public_round_with_version(round_id: int, run=None) -> tuple[Any, Any] | None:
    """`public_round` as a plain row of the round's columns (named as the model's
    attributes, _round_columns'), for a page that reads only those, and its recipient
    list's version (lists.version_info's, None without one), in one statement; None for
    no such public round. The row's `evaluation_survey_id`: the open survey the round's
    evaluation links (hooks.round_survey), None without one. `run`: common.reader's,
    for a page that reads more."""
    statement, values = _public_round_with_version_statement(), {"round_id": round_id}
    row = (read(db.session, statement, values) if run is None else run(statement, values)).first()
    if row is None:
        return None
    start, end = _version_columns()
    return row, lists.version_info_from(row[start:end])


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


def progress(round_: DistributionRound) -> Progress:
    """Collected of due for the whole round, per RT/RW, per point and per item (the
    round's points and items from its relationships: the open data)."""
    run = reader()
    values = {"round_id": round_.id}
    lines = {
        item_id: (due_milli, delivered)
        for item_id, due_milli, delivered in run(item_sums_statement(), values)
    }
    return progress_of(
        run(sums_statement(), values).all(),
        {p.id: p.name for p in round_.points},
        round_.items,
        lines,
    )


def progress_of(sums: list, names: dict, items: list, lines: dict | None = None) -> Progress:
    """The Progress of a round's `sums_statement` rows, its points' `names` by id and
    its `items` with their due and delivered thousandths: `lines` by item id, or without
    them each item's own last two (round_parts.summed_items). Summed in place, without
    a call per row."""
    total, by_rt, by_point, cancelled = [0, 0, 0, 0], {}, {}, 0
    for rw, rt, point_id, due, got, cash_due, cash_paid, gone in sums:
        cancelled += gone
        if not due:  # only cancelled entitlements in the group
            continue
        for totals, key in ((by_rt, (rw, rt)), (by_point, point_id)):
            if key in totals:
                kept = totals[key]
                kept[0] += due
                kept[1] += got
                kept[2] += cash_due
                kept[3] += cash_paid
            else:
                totals[key] = [due, got, cash_due, cash_paid]
        total[0] += due
        total[1] += got
        total[2] += cash_due
        total[3] += cash_paid
    result = Progress(total=_group("", *total), cancelled=cancelled)
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
    result.by_point = [
        Group(
            names.get(point_id, "–"),
            *(sums := by_point[point_id]),
            sums[0] >= MIN_GROUP,
        )
        for _, point_id in sorted([((p is not None, p or 0), p) for p in by_point])
    ]
    # PostgreSQL's SUM of integers is a numeric (Decimal): plain ints for JSON and pages.
    if lines is None:
        result.items = [ItemTotal(i, int(i[-2] or 0), int(i[-1] or 0)) for i in items]
    else:
        result.items = [
            ItemTotal(i, *(int(n or 0) for n in lines.get(i.id, (0, 0)))) for i in items
        ]
    return result
