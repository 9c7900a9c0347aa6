"""The outbox of every feature, residents' subscriptions with their consent records,
broadcasts, and the per-person daily counters.

Once-only and at-most-N are the database's: a live subscription per phone is a partial
unique index; one message per subscriber per broadcast is a UNIQUE constraint; the
daily cap is a counter moved by a conditional UPDATE; a broadcast's approver differs
from its author by a CHECK. Consent records are append-only (triggers, migration 0023).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal import status_tags
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import UTCDateTime, sql_in, utcnow

OUTBOX_STATUSES = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "withheld": _l("Withheld (stopped)"),
}
status_tags.register(
    "notify.message",
    OUTBOX_STATUSES,
    {"queued": "warn", "sending": "warn", "sent": "ok", "failed": "danger", "withheld": "muted"},
)
CHANNELS = {"email": _l("E-mail"), "sms": _l("SMS"), "whatsapp": _l("WhatsApp")}
PHONE_CHANNELS = ("sms", "whatsapp")

TOPICS = {
    "announcements": _l("Village announcements"),
    "programmes": _l("Aid programmes"),
    "distribution": _l("Distribution days"),
    "meetings": _l("Village meetings"),
    "training": _l("Training courses"),
}
SUBSCRIBER_STATUSES = {
    "pending": _l("Waiting for the code"),
    "active": _l("Subscribed"),
    "stopped": _l("Stopped"),
}
status_tags.register(
    "notify.subscriber",
    SUBSCRIBER_STATUSES,
    {"pending": "warn", "active": "ok", "stopped": "muted"},
)
# How a consent was given or withdrawn (UU PDP: who, when, how).
CONSENT_WAYS = {
    "web": _l("On the portal, confirmed by a code"),
    "link": _l("The link in a message"),
    "reply": _l("A reply STOP"),
    "office": _l("At the village office"),
}
CONSENT_ACTIONS = {"consent": _l("Consent given"), "withdraw": _l("Consent withdrawn")}

BROADCAST_STATUSES = {
    "draft": _l("Draft"),
    "waiting": _l("Waiting for approval"),
    "queued": _l("Sent to the outbox"),
    "cancelled": _l("Cancelled"),
}
status_tags.register(
    "notify.broadcast",
    BROADCAST_STATUSES,
    {"draft": "muted", "waiting": "warn", "queued": "ok", "cancelled": "muted"},
)


class OutboxMessage(db.Model):
    """A message waiting to go out (or gone). Claimed by a conditional UPDATE before
    sending, so two workers never send it twice; a failure puts it back in the queue
    with a later `next_attempt_at`. A broadcast's message names its subscriber: the
    pair is unique, and the sender honours the subscriber's STOP, quiet hours and cap."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(sql_in("status", OUTBOX_STATUSES), name="status_known"),
        CheckConstraint(sql_in("channel", CHANNELS), name="channel_known"),
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
        UniqueConstraint("broadcast_id", "subscriber_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    channel: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # What it is about, and a key that makes "once only" messages (reminders) unique.
    kind: Mapped[str] = mapped_column(String(20), default="other")
    # The record it is about, named by its table (a training place, ...): the outbox
    # sits below the features and points at none of their tables.
    about_type: Mapped[str | None] = mapped_column(String(30))
    about_id: Mapped[int | None] = mapped_column(Integer)
    dedupe_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("notify_broadcast.id", ondelete="RESTRICT"), index=True
    )
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("notify_subscriber.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscriber(db.Model):
    """A phone (or an e-mail address) that asked for the village's messages. Pending
    until the code sent to it comes back; stopped for good by STOP (a new subscription
    is a new row and a new consent). One live (pending or active) row per address."""

    __tablename__ = "notify_subscriber"
    __table_args__ = (
        CheckConstraint(sql_in("status", SUBSCRIBER_STATUSES), name="status_known"),
        CheckConstraint(sql_in("channel", CHANNELS), name="channel_known"),
        # An e-mail subscription holds an e-mail address, a phone one an E.164 number.
        CheckConstraint("(channel = 'email') = (phone LIKE '%@%')", name="address_fits_channel"),
        CheckConstraint("locale IN ('id', 'en')", name="locale_known"),
        CheckConstraint("code_tries >= 0", name="code_tries_positive"),
        CheckConstraint(
            "(status = 'stopped') = (stopped_at IS NOT NULL)", name="stopped_when_stopped"
        ),
        Index(
            "uq_notify_subscriber_live_phone",
            "phone",
            unique=True,
            sqlite_where=text("status <> 'stopped'"),
            postgresql_where=text("status <> 'stopped'"),
        ),
        Index("ix_notify_subscriber_area", "status", "rw", "rt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address messages go to: an E.164 phone (SMS, WhatsApp) or, for the e-mail
    # channel, an e-mail address (confirmed by a code like a phone).
    phone: Mapped[str] = mapped_column(String(254))
    channel: Mapped[str] = mapped_column(String(10), default="whatsapp")
    locale: Mapped[str] = mapped_column(String(2), default="id")
    rt: Mapped[str | None] = mapped_column(String(3))
    rw: Mapped[str | None] = mapped_column(String(3))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="pending")
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    code_tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TopicChoice(db.Model):
    """A topic a subscriber chose."""

    __tablename__ = "notify_topic_choice"
    __table_args__ = (
        PrimaryKeyConstraint("subscriber_id", "topic"),
        CheckConstraint(sql_in("topic", TOPICS), name="topic_known"),
        Index("ix_notify_topic_choice_topic", "topic", "subscriber_id"),
    )

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("notify_subscriber.id", ondelete="CASCADE")
    )
    topic: Mapped[str] = mapped_column(String(20))


class Consent(db.Model):
    """A consent given or withdrawn (append-only): who (the subscriber, and the staff
    member or account that acted), when, how, and what it covered."""

    __tablename__ = "notify_consent"
    __table_args__ = (
        CheckConstraint(sql_in("action", CONSENT_ACTIONS), name="action_known"),
        CheckConstraint(sql_in("how", CONSENT_WAYS), name="how_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("notify_subscriber.id", ondelete="RESTRICT"), index=True
    )
    action: Mapped[str] = mapped_column(String(10))
    how: Mapped[str] = mapped_column(String(10))
    topics: Mapped[str] = mapped_column(String(200), default="")
    by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DailyCount(db.Model):
    """Messages a subscriber was sent on a village day; raised only while below the cap
    (a conditional UPDATE), so two senders at once cannot pass it."""

    __tablename__ = "notify_daily_count"
    __table_args__ = (
        PrimaryKeyConstraint("subscriber_id", "day"),
        CheckConstraint("sent >= 0", name="sent_positive"),
    )

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("notify_subscriber.id", ondelete="CASCADE")
    )
    day: Mapped[date] = mapped_column(Date)
    sent: Mapped[int] = mapped_column(Integer, default=0)


class Broadcast(db.Model):
    """An announcement written once and sent to an audience: a topic's subscribers,
    some RTs of them, or the people a feature's audience hook names (a list's
    households, a course's participants, a distribution round)."""

    __tablename__ = "notify_broadcast"
    __table_args__ = (
        CheckConstraint(sql_in("status", BROADCAST_STATUSES), name="status_known"),
        CheckConstraint(sql_in("topic", TOPICS), name="topic_known"),
        CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> created_by_id", name="four_eyes"
        ),
        CheckConstraint("size >= 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(20))
    # "topic", "rt", or a kind a feature registered (portal/notify/hooks.py).
    audience: Mapped[str] = mapped_column(String(20), default="topic")
    audience_ref: Mapped[int | None] = mapped_column(Integer)
    areas: Mapped[str] = mapped_column(String(500), default="")  # "001/002 003/002"
    sms_id: Mapped[str] = mapped_column(String(480))
    sms_en: Mapped[str | None] = mapped_column(String(480))
    text_id: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    size: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
