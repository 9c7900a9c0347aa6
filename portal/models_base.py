"""Column helpers shared by the feature models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, DateTime
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


def sql_in(column: str, values) -> str:
    """A CHECK constraint's text: `column` holds one of `values`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PublishableMixin:
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def set_published(self, value: bool) -> None:
        self.published = value
        if value and self.published_at is None:
            self.published_at = utcnow()
