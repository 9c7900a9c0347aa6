"""A round's points with their time slots, items and approvals as plain rows, in the
round's relationships' order: what the round pages list (the three were lazy loads of
the round, each row an ORM object with every column)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, select

from portal.distribution.models import DistributionPoint, RoundApproval, RoundItem, TimeSlot
from portal.distribution.services.common import reader
from portal.distribution.services.progress import item_sums_statement


class Slot(NamedTuple):
    id: int
    point_id: int
    rt: int
    rw: int | None
    day: object
    starts_at: object
    ends_at: object


def points_of(rows: list) -> list:
    """The points of point_rows' rows, each once (its first row: it has the point's id,
    name, address, map_url, opens_at and closes_at), in their order."""
    points: list = []
    for row in rows:
        if not points or points[-1].id != row.id:
            points.append(row)
    return points


def slots_of(rows: list) -> dict[int, list[Slot]]:
    """The time slots of point_rows' rows by point id (a point without one has none)."""
    slots: dict[int, list[Slot]] = {}
    for point_id, *_p, slot_id, rt, rw, day, starts_at, ends_at in rows:
        if slot_id is not None:
            slots.setdefault(point_id, []).append(
                Slot(slot_id, point_id, rt, rw, day, starts_at, ends_at)
            )
    return slots


@dataclass(frozen=True, slots=True)
class RoundParts:
    """`rows`: the points with their slots (point_rows); `points` and `slots` made from
    them when asked (a draft's page and forms ask, not a later round's)."""

    rows: list
    items: list
    approvals: list

    @property
    def points(self) -> list:
        return points_of(self.rows)

    @property
    def slots(self) -> dict[int, list[Slot]]:
        return slots_of(self.rows)


@cache
def _statements():
    round_id = bindparam("round_id")
    # The points with their slots (a slot's point is of its round: the foreign key
    # names both), one row per slot or per point without one: one statement for two.
    points = (
        select(
            DistributionPoint.id,
            DistributionPoint.name,
            DistributionPoint.address,
            DistributionPoint.map_url,
            DistributionPoint.opens_at,
            DistributionPoint.closes_at,
            TimeSlot.id.label("slot_id"),
            TimeSlot.rt,
            TimeSlot.rw,
            TimeSlot.day,
            TimeSlot.starts_at,
            TimeSlot.ends_at,
        )
        .outerjoin(TimeSlot, TimeSlot.point_id == DistributionPoint.id)
        .where(DistributionPoint.round_id == round_id)
        .order_by(DistributionPoint.id, TimeSlot.day, TimeSlot.starts_at, TimeSlot.rt, TimeSlot.id)
    )
    item_columns = (
        RoundItem.id,
        RoundItem.name_id,
        RoundItem.name_en,
        RoundItem.unit,
        RoundItem.quantity_milli,
        RoundItem.formula_key,
    )
    items = (
        select(*item_columns)
        .where(RoundItem.round_id == round_id)
        .order_by(RoundItem.position, RoundItem.id)
    )
    # The items with their live lines' sums (progress's), outer joined: the public page.
    sums = item_sums_statement().subquery()
    summed = (
        select(*item_columns, sums.c.due_milli, sums.c.delivered_milli)
        .outerjoin(sums, sums.c.item_id == RoundItem.id)
        .where(RoundItem.round_id == round_id)
        .order_by(RoundItem.position, RoundItem.id)
    )
    approvals = (
        select(
            RoundApproval.approved_at,
            RoundApproval.added,
            RoundApproval.cancelled,
            RoundApproval.reason,
        )
        .where(RoundApproval.round_id == round_id)
        .order_by(RoundApproval.number)
    )
    return points, items, approvals, summed


def point_rows(round_id: int, run) -> list:
    """The round's points with their time slots, one row per slot or per point without
    one (slot_id None): the point's id, name, address, map_url, opens_at, closes_at, and
    the slot's slot_id, rt, rw, day, starts_at, ends_at; by point, then by day, hour and
    RT. `run`: common.reader's, for a page that reads several statements."""
    return run(_statements()[0], {"round_id": round_id}).all()


def summed_items(round_id: int, run) -> list:
    """The round's items (round_parts' columns) by position, each with its due_milli and
    delivered_milli summed over the live entitlements (services.progress's `summed`)."""
    return run(_statements()[3], {"round_id": round_id}).all()


def round_parts(round_id: int, run=None) -> RoundParts:
    """The points with their slots (point_rows), the items (id, name_id, name_en, unit,
    quantity_milli, formula_key) by position and the approvals (approved_at, added,
    cancelled, reason) by number, on one connection (`run`: common.reader's)."""
    run = run or reader()
    _points, items, approvals, _summed = _statements()
    values = {"round_id": round_id}
    return RoundParts(
        rows=point_rows(round_id, run),
        items=run(items, values).all(),
        approvals=run(approvals, values).all(),
    )
