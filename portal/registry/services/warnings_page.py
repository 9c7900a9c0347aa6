"""What the staff warnings page lists, kept while the registry is unchanged (SQLite).

Why: the page counts over the whole registry on every view: enrolments that overlap
(every active enrolment paired with the others of its household) and likely duplicates
(every person paired with their namesakes). Those two statements were a third of the
page's time; the registry changes a few times a day, the page is opened all day.

Why it stays true: on SQLite a trigger on every insert, update and delete of a
household, person, enrolment, national enrolment, programme or duplicate decision
(migration 0038) gives `registry_stamp` a new random value in the writer's own
transaction, whoever writes (the portal, an import, the sqlite3 shell). The page reads
the stamp first and its figures after it in the same transaction (a request's reads
share one snapshot), so figures kept under a stamp are the registry as it was under that
stamp. A rolled-back change's stamp never comes back (64 random bits). The figures are
also kept per village day (enrolments run out); each worker keeps its own.

PostgreSQL has no stamp (see the migration): the page counts on every view there.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import column, select, table

from portal.database import read
from portal.extensions import db
from portal.models_base import village_today
from portal.registry.services.duplicates import likely_duplicate_count
from portal.registry.services.enrolment_warnings import nik_mismatches, overlaps, stale_enrolments

EXTENSION = "registry_warnings"
_STAMP = select(column("stamp")).select_from(table("registry_stamp"))
MAX_KEPT = 4


def registry_stamp() -> int | None:
    """The registry's stamp in this transaction; None on an engine without one."""
    session = db.session
    if session.get_bind().dialect.name != "sqlite":
        return None
    return read(session, _STAMP).scalar()


def _count(limit: int, today) -> dict:
    return {
        "stale": tuple(stale_enrolments(today=today)),
        "overlaps": tuple(overlaps(today=today)),
        "nik": tuple(nik_mismatches(limit)),
        "duplicates": likely_duplicate_count(limit),
        "limit": limit,
    }


def warnings_overview(limit: int = 200) -> dict:
    """Everything the warnings page lists: stale enrolments and overlaps (all of them),
    NIK mismatches (the first `limit`) and the number of likely duplicates (up to
    `limit`); the lists are tuples (shared with the next view while nothing changed)."""
    today = village_today()
    stamp = registry_stamp()
    if stamp is None:
        return _count(limit, today)
    kept: dict = current_app.extensions.setdefault(EXTENSION, {})
    key = (limit, today)
    found = kept.get(key)
    if found is not None and found[0] == stamp:
        return dict(found[1])
    overview = _count(limit, today)
    if key not in kept and len(kept) >= MAX_KEPT:
        kept.clear()
    kept[key] = (stamp, overview)
    return dict(overview)
