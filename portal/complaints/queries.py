"""Read-only complaint figures for other features (the monitoring dashboard): counts
and days to close, never a complaint's text or who filed it."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, select

from portal.complaints.models import Complaint
from portal.extensions import db
from portal.models_base import as_utc


# Built once per process (with its cache key); the dates are parameters.
@cache
def _statements():
    start, end = bindparam("start"), bindparam("end")
    filed = select(func.count(Complaint.id)).where(
        Complaint.created_at >= start, Complaint.created_at < end
    )
    closed = select(Complaint.created_at, Complaint.closed_at).where(
        Complaint.closed_at.is_not(None),
        Complaint.closed_at >= start,
        Complaint.closed_at < end,
    )
    return filed, closed


def filed_between(start: datetime, end: datetime) -> int:
    """Complaints filed in [start, end)."""
    return db.session.scalar(_statements()[0], {"start": start, "end": end})


def days_to_close(start: datetime, end: datetime) -> list[float]:
    """For complaints closed in [start, end): the days from filing to closing."""
    rows = db.session.execute(_statements()[1], {"start": start, "end": end})
    return [(as_utc(closed) - as_utc(filed)).total_seconds() / 86400 for filed, closed in rows]
