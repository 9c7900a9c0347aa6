"""portal/models_base.py: every stored time is UTC and comes back timezone-aware, on
SQLite as on PostgreSQL (UTCDateTime), so no feature needs its own "naive means UTC"
helper."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from portal.extensions import db
from portal.models_base import as_utc
from portal.public.models import Meeting

WIB = timezone(timedelta(hours=7))


def _meeting(starts_at) -> int:
    item = Meeting(kind="musdes", starts_at=starts_at, place="Balai Desa", title_id="Rapat")
    db.session.add(item)
    db.session.commit()
    item_id = item.id
    db.session.expunge_all()
    return item_id


def test_a_stored_time_comes_back_aware_in_utc(app):
    item_id = _meeting(datetime(2026, 12, 5, 9, 30, tzinfo=UTC))
    back = db.session.get(Meeting, item_id)
    assert back.starts_at.utcoffset() == timedelta(0)
    assert back.starts_at == datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    assert back.created_at.tzinfo is not None  # the timestamp mixin too
    # Comparing with an aware "now" works on every database.
    assert back.starts_at < datetime(2026, 12, 6, tzinfo=UTC)


def test_a_village_time_is_stored_as_the_same_instant(app):
    """09:00 WIB is 02:00 UTC: SQLite kept the wall-clock 09:00 as if it were UTC."""
    item_id = _meeting(datetime(2026, 12, 5, 9, 0, tzinfo=WIB))
    back = db.session.get(Meeting, item_id)
    assert back.starts_at == datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    found = db.session.scalar(
        select(Meeting.id).where(Meeting.starts_at < datetime(2026, 12, 5, 9, 30, tzinfo=WIB))
    )
    assert found == item_id


def test_as_utc_takes_naive_as_utc_and_leaves_aware_alone():
    assert as_utc(datetime(2026, 1, 1, 8)) == datetime(2026, 1, 1, 8, tzinfo=UTC)
    aware = datetime(2026, 1, 1, 8, tzinfo=WIB)
    assert as_utc(aware) is aware
    assert as_utc(None) is None
