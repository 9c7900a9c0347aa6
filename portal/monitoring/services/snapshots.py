"""The yearly snapshot of need levels, the only history of them the portal keeps.

`take_snapshot(year)` copies every household's need level as it stands into the year's
snapshot; a household already in it keeps its row (a UNIQUE key), so running it twice,
or at once from two places, stores one row per household and year.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, case, func, literal, select
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.monitoring.models import NeedSnapshot
from portal.registry.models import Household

VERY_POOR = "sangat_miskin"


def take_snapshot(year: int, *, actor=None) -> int:
    """Copy the registry's need levels into `year`'s snapshot; the rows added."""
    taken = select(NeedSnapshot.household_id).where(NeedSnapshot.year == year)
    rows = select(literal(year), Household.id, Household.need_level).where(
        Household.id.not_in(taken)
    )
    try:
        with write_transaction(db.session):
            inserted = db.session.execute(
                NeedSnapshot.__table__.insert()
                .from_select(["year", "household_id", "need_level"], rows)
                .returning(NeedSnapshot.__table__.c.id)
            )
            added = len(inserted.all())
            record(
                "take_snapshot",
                "monitoring_need_snapshot",
                year,
                actor=actor,
                summary=f"{year}: {added}",
            )
    except IntegrityError:
        db.session.rollback()
        return 0  # another run took the same households at the same moment
    return added


# Built once per process (with their cache keys); the years are parameters.
@cache
def _has_snapshot_statement():
    return select(NeedSnapshot.id).where(NeedSnapshot.year == bindparam("year")).limit(1)


def has_snapshot(year: int) -> bool:
    return bool(db.session.scalar(_has_snapshot_statement(), {"year": year}))


@cache
def _left_statement(current: bool):
    before = select(NeedSnapshot.household_id).where(
        NeedSnapshot.year == bindparam("before"), NeedSnapshot.need_level == VERY_POOR
    )
    if current:
        now = select(Household.id.label("hid"), Household.need_level.label("level"))
    else:
        now = select(
            NeedSnapshot.household_id.label("hid"), NeedSnapshot.need_level.label("level")
        ).where(NeedSnapshot.year == bindparam("year"))
    now = now.subquery()
    return (
        select(func.count(), func.sum(case((now.c.level != VERY_POOR, 1), else_=0)))
        .select_from(now)
        .where(now.c.hid.in_(before))
    )


def left_very_poor(
    year: int, *, current: bool, has_snapshot=has_snapshot
) -> tuple[int, int] | None:
    """(households very poor in last year's snapshot that are no more, those very poor
    then and still in the registry), or None without last year's snapshot (or this
    year's, for a past year). `current` reads this year from the registry itself;
    `has_snapshot` may be one that remembers its answers."""
    if not has_snapshot(year - 1):
        return None
    if current:
        params = {"before": year - 1}
    else:
        if not has_snapshot(year):
            return None
        params = {"before": year - 1, "year": year}
    then, left = db.session.execute(_left_statement(current), params).one()
    return int(left or 0), int(then or 0)
