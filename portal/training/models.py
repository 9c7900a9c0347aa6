"""Training and entrepreneurship courses: courses, their sessions, places (seats and the
waitlist), attendance marks, feedback; their messages go
through the notify service's outbox (portal/notify/).

The seat limit is the database's: `TrainingSession.taken` moves only by a conditional
UPDATE (`WHERE taken < seats`) and a CHECK keeps it between 0 and `seats`; a partial
unique index lets one person hold at most one live place (enrolled or waitlisted) per
session. Attendance marks carry a client-made id that is unique, so a mark sent twice
(an offline phone retrying) is applied once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import status_tags
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import TimestampMixin, UTCDateTime, sql_in, utcnow

CATEGORIES = {
    "entrepreneurship": _l("Entrepreneurship"),
    "food": _l("Cooking and food processing"),
    "sewing": _l("Sewing"),
    "digital": _l("Digital marketing"),
    "farming": _l("Farming"),
    "finance": _l("Financial literacy"),
    "crafts": _l("Handicrafts"),
    "other": _l("Other"),
}

# Who may take a place. "open": anyone; the others admit only people the registry
# knows to match (the page states the rule, a refused person is told why).
PRIORITY_RULES = {
    "open": _l("Open to all"),
    "need_level": _l("Households with a given need level"),
    "programme": _l("Households enrolled in a programme"),
    "women": _l("Women"),
}

PLACE_STATUSES = {
    "enrolled": _l("Place confirmed"),
    "waitlisted": _l("On the waitlist"),
    "cancelled": _l("Cancelled"),
}
LIVE = ("enrolled", "waitlisted")
status_tags.register(
    "training.place", PLACE_STATUSES, {"enrolled": "ok", "waitlisted": "warn", "cancelled": "muted"}
)

BUSINESS_ANSWERS = {
    "none": _l("Not (yet)"),
    "started": _l("I started a business"),
    "grew": _l("I grew my business"),
}

LANGUAGES = ("id", "en")


class Course(TimestampMixin, db.Model):
    """A course, written by staff in both languages, with one or more sessions."""

    __tablename__ = "training_course"
    __table_args__ = (
        CheckConstraint(sql_in("category", CATEGORIES), name="category_known"),
        CheckConstraint(sql_in("priority_rule", PRIORITY_RULES), name="priority_rule_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    description_id: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20), default="entrepreneurship")
    place: Mapped[str] = mapped_column(String(200), default="")
    # The trainer's account (trainer role) sees the sessions; the name is what the
    # public page prints (also for an outside trainer without an account).
    trainer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    trainer_name: Mapped[str | None] = mapped_column(String(120))
    # A CSR company that pays for it, and the pledge it came from.
    sponsor_company_id: Mapped[int | None] = mapped_column(
        ForeignKey("csr_company.id", ondelete="SET NULL"), index=True
    )
    pledge_id: Mapped[int | None] = mapped_column(
        ForeignKey("csr_pledge.id", ondelete="SET NULL"), index=True
    )
    priority_rule: Mapped[str] = mapped_column(String(16), default="open")
    # For "need_level": the admitted levels, space-separated ("sangat_miskin miskin").
    priority_levels: Mapped[str | None] = mapped_column(String(80))
    # For "programme": the programme whose enrolled households are admitted.
    priority_programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="SET NULL")
    )
    published: Mapped[bool] = mapped_column(default=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    # Loaded on demand: a session's course is read inside the sign-up transaction, and
    # should not drag the trainer, the sponsor and its user along.
    trainer = relationship("User", foreign_keys=[trainer_id])
    sponsor = relationship("Company")
    priority_programme = relationship("Programme")
    sessions = relationship("TrainingSession", order_by="TrainingSession.starts_at", viewonly=True)

    @property
    def level_list(self) -> list[str]:
        return (self.priority_levels or "").split()


class TrainingSession(TimestampMixin, db.Model):
    """One run of a course: when, where and how many seats.

    `taken` counts enrolled places; `waitlist_seq` hands out waitlist numbers.
    """

    __tablename__ = "training_session"
    __table_args__ = (
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("taken >= 0 AND taken <= seats", name="taken_in_range"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_course.id", ondelete="RESTRICT"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Where, if not the course's usual place.
    place: Mapped[str | None] = mapped_column(String(200))
    seats: Mapped[int] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    waitlist_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cancelled: Mapped[bool] = mapped_column(default=False)

    course = relationship("Course", lazy="joined")

    @property
    def free(self) -> int:
        return max(self.seats - self.taken, 0)

    @property
    def where(self) -> str:
        return self.place or self.course.place


class Place(TimestampMixin, db.Model):
    """A person's place in a session: enrolled, on the waitlist, or cancelled.

    `holder` names the person once for the uniqueness rule: "p<person id>" for someone
    the registry knows, else "u<user id>", else "t<phone>" (signed up at the office).
    """

    __tablename__ = "training_place"
    __table_args__ = (
        CheckConstraint(sql_in("status", PLACE_STATUSES), name="status_known"),
        CheckConstraint(sql_in("locale", LANGUAGES), name="locale_known"),
        CheckConstraint(
            "status <> 'waitlisted' OR waitlist_no IS NOT NULL", name="waitlist_numbered"
        ),
        Index(
            "uq_training_place_live",
            "session_id",
            "holder",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
        Index("ix_training_place_queue", "session_id", "status", "waitlist_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="RESTRICT"), index=True
    )
    holder: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    # The language of the person's messages and certificate.
    locale: Mapped[str] = mapped_column(String(5), default="id")
    status: Mapped[str] = mapped_column(String(12), default="enrolled")
    waitlist_no: Mapped[int | None] = mapped_column(Integer)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    certificate_code: Mapped[str | None] = mapped_column(String(24), unique=True)
    signed_up_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    session = relationship("TrainingSession", lazy="joined")
    person = relationship("Person")


class AttendanceMark(db.Model):
    """One attendance mark as a trainer's phone sent it; the client id is unique, so a
    mark sent again (offline retry) is recognised and not applied twice."""

    __tablename__ = "training_attendance_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    place_id: Mapped[int] = mapped_column(
        ForeignKey("training_place.id", ondelete="CASCADE"), index=True
    )
    present: Mapped[bool] = mapped_column()
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class Feedback(db.Model):
    """A participant's rating after the course, once per place."""

    __tablename__ = "training_feedback"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint(sql_in("business", BUSINESS_ANSWERS), name="business_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(
        ForeignKey("training_place.id", ondelete="CASCADE"), unique=True
    )
    rating: Mapped[int] = mapped_column(Integer)
    business: Mapped[str] = mapped_column(String(10), default="none")
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    place = relationship("Place", lazy="joined")
