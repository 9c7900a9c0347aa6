"""What a staff page read of the registry, kept while the registry is unchanged (SQLite).

Why: the warnings page counts over the whole registry on every view (overlapping
enrolments, likely duplicates: two scans of every person and enrolment) and the
household page reads a household with everything about it in two statements and puts
its warnings together in Python; the registry changes a few times a day, and those
pages are opened all day.

Why it stays true: on SQLite a trigger on every insert, update and delete of a
household, its KK numbers and memberships, a person, an enrolment, a national
enrolment, a programme or a duplicate decision (migration 0038) gives `registry_stamp`
a new random value in the writer's own transaction, whoever writes (the portal, an
import, the sqlite3 shell). `kept()` reads the stamp first and whatever it keeps after
it in the same transaction (a request's reads share one snapshot), so what is kept under
a stamp is the registry as it was under that stamp. A rolled-back change's stamp never
comes back (64 random bits). The callers key by village day what depends on it.

PostgreSQL has no stamp (see the migration): `kept()` reads afresh there every time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import column, select, table

from portal.database import read
from portal.extensions import db
from portal.kept_state import kept_under

T = TypeVar("T")
_STAMP = select(column("stamp")).select_from(table("registry_stamp"))


def registry_stamp() -> int | None:
    """The registry's stamp in this transaction; None on an engine without one."""
    session = db.session
    if session.get_bind().dialect.name != "sqlite":
        return None
    return read(session, _STAMP).scalar()


def kept(name: str, key: Hashable, build: Callable[[], T], *, limit: int) -> T:
    """`build()`, or what it gave under the same `key` while the registry's stamp is the
    same (`portal.kept_state.kept_under`, at most `limit` keys); afresh on PostgreSQL."""
    stamp = registry_stamp()
    if stamp is None:
        return build()
    return kept_under(name, key, stamp, build, limit=limit)
