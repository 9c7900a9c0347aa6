"""What the officer's phone keeps for a day at a point: only what the point needs
(the code, RT/RW, the collector's and alternate's names with the last four digits of
their NIKs, what is due and whether it was collected), never an address or a full NIK."""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import selectinload

from portal.distribution.models import (
    DistributionPoint,
    DistributionRound,
    Entitlement,
    EntitlementLine,
    TimeSlot,
)
from portal.distribution.services import nik_tail
from portal.extensions import db
from portal.i18n import localized


# Built once per process (their cache keys cost about as much as running them).
@cache
def _statements():
    point_id = bindparam("point_id")
    point_days = (
        select(TimeSlot.day).where(TimeSlot.point_id == point_id).distinct().order_by(TimeSlot.day)
    )
    return (point_days,)


def days(point: DistributionPoint) -> list[date]:
    """The days the point has time slots on (one statement of days, not its slots)."""
    return list(db.session.scalars(_statements()[0], {"point_id": point.id}))


def slot_days(point: DistributionPoint) -> list[date]:
    """The same from the point's slots, for a caller that reads them anyway (`roster`)."""
    return sorted({slot.day for slot in point.slots})


def default_day(point_days: list[date], today: date) -> date | None:
    """Today when the point serves today, else its next day, else its last one."""
    if not point_days:
        return None
    later = [d for d in point_days if d >= today]
    return later[0] if later else point_days[-1]


def roster(
    round_: DistributionRound, point: DistributionPoint, day: date | None, *, csrf: str
) -> dict:
    """The roster as JSON for the phone: the point's households whose RT comes on `day`
    (and those without a slot)."""
    slot_ids = [s.id for s in point.slots if s.day == day]
    query = (
        select(Entitlement)
        .where(
            Entitlement.round_id == round_.id,
            Entitlement.point_id == point.id,
            or_(Entitlement.slot_id.in_(slot_ids), Entitlement.slot_id.is_(None)),
        )
        .options(
            selectinload(Entitlement.lines).selectinload(EntitlementLine.item),
            selectinload(Entitlement.collector),
            selectinload(Entitlement.alternate),
        )
        .order_by(Entitlement.rt, Entitlement.id)
    )
    slots = {s.id: s for s in db.session.scalars(select(TimeSlot).where(TimeSlot.id.in_(slot_ids)))}
    households = []
    for e in db.session.scalars(query):
        slot = slots.get(e.slot_id)
        households.append(
            {
                "id": e.id,
                "code": e.code,
                "rt": e.rt,
                "rw": e.rw,
                "slot": f"{slot.starts_at:%H:%M}-{slot.ends_at:%H:%M}" if slot else "",
                "status": e.status,
                "collector": e.collector.name if e.collector else None,
                "collector_nik": nik_tail(e.collector) if e.collector else None,
                "alternate": e.alternate.name if e.alternate else None,
                "alternate_nik": nik_tail(e.alternate) if e.alternate else None,
                "cash_due": e.cash_due,
                "lines": [
                    {
                        "item_id": line.item_id,
                        "name": localized(line.item, "name").text,
                        "unit": line.item.unit,
                        "due_milli": line.due_milli,
                    }
                    for line in e.lines
                ],
            }
        )
    return {
        "round_id": round_.id,
        "point_id": point.id,
        "day": day.isoformat() if day else None,
        "status": round_.status,
        "csrf": csrf,
        "households": households,
    }
