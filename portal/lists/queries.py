"""Read-only questions other features ask of the recipient lists (distribution rounds):
what a published version holds, without reaching into this package's models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import bindparam, select

from portal.database import read
from portal.extensions import db
from portal.lists.models import ListPeriod, ListVersion, ListVersionRow


@dataclass(frozen=True)
class VersionInfo:
    id: int
    period_id: int
    number: int
    households: int
    period_title_id: str
    period_title_en: str | None
    programme_id: int
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class ListedHousehold:
    household_id: int
    rt: int
    rw: int | None
    masked_name: str


def _info(*row) -> VersionInfo:
    return VersionInfo(*row)


def _with_period():
    """A version with its period: the columns of VersionInfo in its order, plain rows
    (no ORM object: a round's pages read one on every request)."""
    return select(
        ListVersion.id,
        ListPeriod.id,
        ListVersion.number,
        ListVersion.households,
        ListPeriod.title_id,
        ListPeriod.title_en,
        ListPeriod.programme_id,
        ListPeriod.starts_on,
        ListPeriod.ends_on,
    ).join(ListPeriod, ListPeriod.id == ListVersion.period_id)


@cache  # built once per process
def version_with_period():
    """The versions with their periods as a subquery, its columns in VersionInfo's order:
    for a feature that reads a version beside its own row in one statement (outer joined
    on the first column, the version's id); `version_info_from` makes the VersionInfo."""
    return _with_period().subquery()


def version_info_from(columns) -> VersionInfo | None:
    """The VersionInfo of version_with_period()'s columns of a row; None when they are
    empty (an outer join that found no version)."""
    return None if columns[0] is None else VersionInfo(*columns)


def version_info(version_id: int) -> VersionInfo | None:
    """A published version and its period, or None when there is no such version."""
    row = read(db.session, _version_statement(), {"version_id": version_id}).first()
    return None if row is None else _info(*row)


def published_versions(period_id: int | None = None) -> list[VersionInfo]:
    """Published versions, newest first (of one period when given), in one query."""
    query = _published_statement(period_id is not None)
    values = {} if period_id is None else {"period_id": period_id}
    return [_info(*row) for row in read(db.session, query, values)]


# Built once (round pages and the new-round form ask on every request); values bound.
@cache
def _version_statement():
    return _with_period().where(ListVersion.id == bindparam("version_id"))


@cache
def _published_statement(of_one_period: bool):
    query = _with_period().order_by(ListVersion.published_at.desc(), ListVersion.id.desc())
    if of_one_period:
        query = query.where(ListVersion.period_id == bindparam("period_id"))
    return query


def listed_households(version_id: int) -> list[ListedHousehold]:
    """The households on a published version with their RT/RW, in RW/RT order."""
    rows = db.session.execute(
        select(
            ListVersionRow.household_id,
            ListVersionRow.rt,
            ListVersionRow.rw,
            ListVersionRow.masked_name,
        )
        .where(ListVersionRow.version_id == version_id)
        .order_by(ListVersionRow.rw, ListVersionRow.rt, ListVersionRow.id)
    )
    return [ListedHousehold(*row) for row in rows]


def objections_between(start, end) -> tuple[int, int]:
    """(objections decided, objections upheld) among those decided in [start, end)."""
    decided, upheld = db.session.execute(
        _objections_statement(), {"start": start, "end": end}
    ).one()
    return int(decided or 0), int(upheld or 0)


@cache  # built once per process (with its cache key); the dates are parameters
def _objections_statement():
    from sqlalchemy import bindparam, func

    from portal.lists.models import ListObjection

    return select(
        func.count(ListObjection.id),
        func.count(ListObjection.id).filter(ListObjection.status == "upheld"),
    ).where(
        ListObjection.status != "open",
        ListObjection.decided_at >= bindparam("start"),
        ListObjection.decided_at < bindparam("end"),
    )
