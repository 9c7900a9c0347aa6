"""Reminders the day before a session, and client ids for offline marks."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models_base import village_today, village_tz
from portal.notify.models import OutboxMessage
from portal.training.models import Place, TrainingSession
from portal.training.services.common import _utc
from portal.training.services.messages import queue_message


def queue_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for every enrolled place in a session that starts tomorrow
    (village time). Once per place: the dedupe key is unique."""
    tz = village_tz()
    tomorrow = village_today(now) + timedelta(days=1)
    # Compare in UTC: SQLite keeps no offset, every stored time is UTC.
    start = _utc(datetime.combine(tomorrow, datetime.min.time(), tz))
    end = start + timedelta(days=1)
    places = db.session.scalars(
        select(Place)
        .join(TrainingSession)
        .where(
            Place.status == "enrolled",
            TrainingSession.cancelled.is_(False),
            TrainingSession.starts_at >= start,
            TrainingSession.starts_at < end,
        )
    ).all()
    queued = 0
    for place in places:
        key = f"reminder:{place.id}"
        if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
            continue
        try:
            if queue_message(place, "reminder", dedupe_key=key) is not None:
                db.session.commit()
                queued += 1
        except IntegrityError:
            db.session.rollback()
    return queued


def new_client_id() -> str:
    """An id for one attendance mark made by the server's plain form (no JavaScript):
    the same form sent twice carries the same id and counts once."""
    return "f-" + secrets.token_urlsafe(12)
