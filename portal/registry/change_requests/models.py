"""A resident's request to change their own household's record, and its documents.

What is asked is kept as plain values in `details` (JSON): the registry itself only
changes when an operator accepts the request, through the registry's own services.
A household has at most `MAX_OPEN` open requests: each open request holds one of the
household's numbered slots (`open_slot`, UNIQUE per household, CHECK 1..MAX_OPEN), and
a decision gives the slot back (NULL), so the database refuses a fourth open request
even if two were filed at the same moment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import status_tags
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import UTCDateTime, sql_in, utcnow

MAX_OPEN = 3
MAX_DOCUMENTS = 3
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# Staff see a request as late once it has waited this long.
LATE_AFTER_DAYS = 7

KINDS = {
    "birth": _l("A birth"),
    "death": _l("A death"),
    "move_in": _l("Someone moved into the household"),
    "move_out": _l("Someone moved out of the household"),
    "kk_number": _l("A new family card (KK) number"),
    "address": _l("A new address or RT/RW"),
    "situation": _l("The household's situation (the 14 BPS criteria)"),
}
# Kinds about one member of the household (the person is chosen from the household).
PERSON_KINDS = ("death", "move_out")
STATUSES = {
    "open": _l("Waiting for the village office"),
    "accepted": _l("Accepted: the record was changed"),
    "refused": _l("Refused"),
}
status_tags.register(
    "change_request", STATUSES, {"open": "warn", "accepted": "ok", "refused": "danger"}
)


class ChangeRequest(db.Model):
    __tablename__ = "change_request"
    __table_args__ = (
        CheckConstraint(sql_in("kind", KINDS), name="kind_known"),
        CheckConstraint(sql_in("status", STATUSES), name="status_known"),
        # An open request holds a slot; a decided one holds none and carries its date.
        CheckConstraint(
            f"(status = 'open' AND open_slot BETWEEN 1 AND {MAX_OPEN} AND decided_at IS NULL)"
            " OR (status <> 'open' AND open_slot IS NULL AND decided_at IS NOT NULL)",
            name="slot_matches_status",
        ),
        CheckConstraint(
            "status <> 'refused' OR length(refusal_reason) > 0", name="refusal_has_reason"
        ),
        UniqueConstraint("household_id", "open_slot"),
        Index("ix_change_request_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    # The member a death or a move out is about.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    # What is asked, as plain values (dates as YYYY-MM-DD): see services.filing.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8), default="open")
    open_slot: Mapped[int | None] = mapped_column(Integer)
    # The resident whose request it is (None: filed at the office for a household
    # without an account), and who typed it (the resident, or an operator at the office).
    resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    filed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    at_office: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set at filing when a hook (lists, distribution) said the person or household
    # receives aid now: the staff list shows it at once.
    aid_warning: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    refusal_reason: Mapped[str] = mapped_column(Text, default="")

    household = relationship("Household")
    person = relationship("Person")
    documents: Mapped[list[ChangeDocument]] = relationship(
        back_populates="request", order_by="ChangeDocument.id"
    )

    def waited_days(self, now: datetime | None = None) -> int:
        end = self.decided_at or now or utcnow()
        return (end - self.created_at).days

    def is_late(self, now: datetime | None = None) -> bool:
        return self.status == "open" and self.waited_days(now) >= LATE_AFTER_DAYS


class ChangeDocument(db.Model):
    """A photo or PDF sent with a request: checked by content, stored privately under
    instance/uploads/change_requests/, served to staff only."""

    __tablename__ = "change_request_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("change_request.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(80), unique=True)
    mimetype: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[ChangeRequest] = relationship(back_populates="documents")
