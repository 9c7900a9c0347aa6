"""Column helpers shared by the feature models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """A naive datetime taken as UTC (how the portal stores every time); aware ones as
    they are."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class UTCDateTime(TypeDecorator):
    """A timestamp column stored in UTC and always read back timezone-aware.

    PostgreSQL's timestamptz does this itself. SQLite keeps text without a zone and
    gives back naive values (written in UTC), which compared with an aware "now" raise
    TypeError: here they come back aware on every database. An aware value is turned
    into UTC before it is written (SQLite would otherwise keep a WIB wall-clock time as
    if it were UTC); a naive one is taken as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        return as_utc(value) if isinstance(value, datetime) else value


def village_tz() -> ZoneInfo:
    """The village's time zone (PORTAL_TIMEZONE, WIB by default)."""
    from flask import current_app, has_app_context

    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or "Asia/Jakarta")


def village_today(now: datetime | None = None) -> date:
    """Today's date in the village, not the server's: from 17:00 UTC it is already the
    next day in Duri Selatan, and deadlines such as the last day of an objection period
    are the village's days."""
    return (now or utcnow()).astimezone(village_tz()).date()


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def sql_in(column: str, values) -> str:
    """A CHECK constraint's text: `column` holds one of `values`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PublishableMixin:
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def set_published(self, value: bool) -> None:
        self.published = value
        if value and self.published_at is None:
            self.published_at = utcnow()


class ModeratedCommentMixin:
    """A resident's comment, moderated: the author's account (kept null when it is
    deleted) and masked label, the text, how often it was reported, and who hid it, when
    and why (the reason is shown in its place). Proposals' and activities' comments."""

    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    author_label: Mapped[str] = mapped_column(String(120), default="")
    body: Mapped[str] = mapped_column(Text)
    flags_count: Mapped[int] = mapped_column(Integer, default=0)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(String(300))
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
