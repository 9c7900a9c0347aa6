"""What the staff warnings page lists: stale enrolments, overlaps, NIK mismatches and
the number of likely duplicates, kept while the registry is unchanged on SQLite
(`stamp.kept`: the page counted over the whole registry on every view)."""

from __future__ import annotations

from portal.models_base import village_today
from portal.registry.services.duplicates import likely_duplicate_count
from portal.registry.services.enrolment_warnings import nik_mismatches, overlaps, stale_enrolments
from portal.registry.services.stamp import kept

EXTENSION = "registry_warnings"


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
    return dict(kept(EXTENSION, (limit, today), lambda: _count(limit, today), limit=4))
