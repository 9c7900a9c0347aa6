"""The rules a subscriber's messages keep when they are sent: STOP, quiet hours and the
daily cap, each held by the database (a condition of the claim, a conditional UPDATE).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.models_base import village_today, village_tz
from portal.notify.models import DailyCount, OutboxMessage, Subscriber


def quiet_hours() -> tuple[int, int]:
    """(start, end) hours of the village's night, e.g. (21, 7): no subscriber's message
    goes out from 21:00 to 06:59 village time."""
    start, _, end = str(current_app.config.get("NOTIFY_QUIET_HOURS", "21-7")).partition("-")
    return int(start), int(end)


def quiet(now: datetime) -> bool:
    start, end = quiet_hours()
    hour = now.astimezone(village_tz()).hour
    if start == end:
        return False
    return start <= hour or hour < end if start > end else start <= hour < end


def subscriber_may_receive(now: datetime):
    """The claim's condition: no subscriber, or an active one outside quiet hours."""
    if quiet(now):
        return OutboxMessage.subscriber_id.is_(None)
    # Correlated on the primary key: one row looked at, not every active subscriber.
    active = (
        select(Subscriber.id)
        .where(Subscriber.id == OutboxMessage.subscriber_id, Subscriber.status == "active")
        .exists()
    )
    return or_(OutboxMessage.subscriber_id.is_(None), active)


def insert_ignore(model):
    """INSERT ... ON CONFLICT DO NOTHING on either engine."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model).on_conflict_do_nothing()


def daily_cap() -> int:
    return int(current_app.config.get("NOTIFY_DAILY_CAP", 3))


def count_one(subscriber_id: int, now: datetime) -> bool:
    """Count one message for the subscriber's village day, only while below the cap."""
    day = village_today(now)
    db.session.execute(
        insert_ignore(DailyCount).values(subscriber_id=subscriber_id, day=day, sent=0)
    )
    raised = db.session.execute(
        update(DailyCount)
        .where(
            DailyCount.subscriber_id == subscriber_id,
            DailyCount.day == day,
            DailyCount.sent < daily_cap(),
        )
        .values(sent=DailyCount.sent + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    return raised == 1


def uncount_one(subscriber_id: int, now: datetime) -> None:
    """A message that failed to go out does not use up the day."""
    db.session.execute(
        update(DailyCount)
        .where(
            DailyCount.subscriber_id == subscriber_id,
            DailyCount.day == village_today(now),
            DailyCount.sent > 0,
        )
        .values(sent=DailyCount.sent - 1)
        .execution_options(synchronize_session=False)
    )


def next_morning(now: datetime) -> datetime:
    """The end of the quiet hours on the next village day."""
    tomorrow = village_today(now) + timedelta(days=1)
    return datetime.combine(tomorrow, time(hour=quiet_hours()[1]), tzinfo=village_tz())


def postpone_to_next_day(message_id: int, now: datetime) -> None:
    """Undo a claim the daily cap refused: the message waits for tomorrow morning."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            status="queued",
            attempts=OutboxMessage.attempts - 1,
            next_attempt_at=next_morning(now),
        )
        .execution_options(synchronize_session=False)
    )


def withhold_stopped(subscriber_ids: list[int] | None = None) -> int:
    """Queued messages of stopped subscribers are withheld, never sent (the caller
    commits)."""
    stopped = select(Subscriber.id).where(Subscriber.status == "stopped")
    if subscriber_ids is not None:
        stopped = stopped.where(Subscriber.id.in_(subscriber_ids))
    return db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "queued", OutboxMessage.subscriber_id.in_(stopped))
        .values(status="withheld")
        .execution_options(synchronize_session=False)
    ).rowcount
