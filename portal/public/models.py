"""Public content written by staff: announcements, meetings, partners (the aid
programmes are portal.programmes).

Every text a reader sees has an Indonesian column (required) and an English one
(optional); `portal.i18n.localized` picks the reader's and falls back with a note.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import PublishableMixin, TimestampMixin, UTCDateTime, sql_in

ANNOUNCEMENT_CATEGORIES = {
    "general": _l("General"),
    "aid": _l("Social assistance"),
    "training": _l("Training"),
    "meeting": _l("Village meeting"),
    "health": _l("Health"),
}
MEETING_KINDS = {
    "musdus": _l("Hamlet meeting (Musdus)"),
    "musdes": _l("Village meeting (Musdes)"),
    "musdesus": _l("Special village meeting (Musdesus)"),
    "other": _l("Other meeting"),
}
PARTNER_KINDS = {
    "institution": _l("Village institution"),
    "government": _l("Government"),
    "ngo": _l("Non-governmental organisation"),
    "company": _l("Company"),
}


class Announcement(PublishableMixin, TimestampMixin, db.Model):
    __tablename__ = "announcement"
    __table_args__ = (
        CheckConstraint(sql_in("category", ANNOUNCEMENT_CATEGORIES), name="category_known"),
        Index("ix_announcement_listing", "published", "pinned", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(16), default="general")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    body_id: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class Meeting(PublishableMixin, TimestampMixin, db.Model):
    """An open village meeting (musyawarah): agenda beforehand, minutes once held."""

    __tablename__ = "meeting"
    __table_args__ = (CheckConstraint(sql_in("kind", MEETING_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="musdes")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    place: Mapped[str] = mapped_column(String(200))
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    agenda_id: Mapped[str] = mapped_column(Text, default="")
    agenda_en: Mapped[str | None] = mapped_column(Text)
    minutes_id: Mapped[str | None] = mapped_column(Text)
    minutes_en: Mapped[str | None] = mapped_column(Text)
    attendance: Mapped[int | None] = mapped_column(Integer)

    @property
    def has_minutes(self) -> bool:
        return bool(self.minutes_id)


class Partner(PublishableMixin, TimestampMixin, db.Model):
    __tablename__ = "partner"
    __table_args__ = (CheckConstraint(sql_in("kind", PARTNER_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="institution")
    name: Mapped[str] = mapped_column(String(160))
    description_id: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    contact: Mapped[str | None] = mapped_column(String(160))
