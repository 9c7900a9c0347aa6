"""A round's points with their time slots, items and approvals as plain rows, in the
round's relationships' order: what the round pages list (the three were lazy loads of
the round, each row an ORM object with every column)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, select

from portal.database import read
from portal.distribution.models import DistributionPoint, RoundApproval, RoundItem, TimeSlot
from portal.distribution.services.progress import item_sums_statement
from portal.extensions import db


class Point(NamedTuple):
    id: int
    name: str
    address: str
    map_url: str | None
    opens_at: object
    closes_at: object


class Slot(NamedTuple):
    id: int
    point_id: int
    rt: int
    rw: int | None
    day: object
    starts_at: object
    ends_at: object


@dataclass(frozen=True, slots=True)
class RoundParts:
    points: list
    slots: dict
    items: list
    approvals: list


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
            TimeSlot.id,
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


def points_and_items(round_id: int, summed: bool = False) -> tuple[list, dict, list]:
    """The round's points (id, name, address, map_url, opens_at, closes_at) by id, their
    time slots by point id (id, point_id, rt, rw, day, starts_at, ends_at; by day, hour,
    RT) and its items (id, name_id, name_en, unit, quantity_milli, formula_key) by
    position; `summed`: each item with its due_milli and delivered_milli summed over
    the live entitlements (services.progress's `summed`)."""
    points_statement, items, _approvals, with_sums = _statements()
    if summed:
        items = with_sums
    values = {"round_id": round_id}
    points: list[Point] = []
    slots: dict[int, list[Slot]] = {}
    for *point, slot_id, rt, rw, day, starts_at, ends_at in read(
        db.session, points_statement, values
    ).all():
        point_id = point[0]
        if not points or points[-1].id != point_id:
            points.append(Point(*point))
        if slot_id is not None:
            if point_id not in slots:
                slots[point_id] = []
            slots[point_id].append(Slot(slot_id, point_id, rt, rw, day, starts_at, ends_at))
    return points, slots, read(db.session, items, values).all()


def round_parts(round_id: int) -> RoundParts:
    """The points, slots and items, and the approvals (approved_at, added, cancelled,
    reason) by number."""
    points, slots, items = points_and_items(round_id)
    approvals = read(db.session, _statements()[2], {"round_id": round_id}).all()
    return RoundParts(points=points, slots=slots, items=items, approvals=approvals)
