"""A complaint and its dated steps.

The tracking code is never stored: only its SHA-256 (unique index, so a lookup is one
index probe). A complaint filed anonymously carries no name or contact (a CHECK
refuses them), and nothing else about the person who filed it is kept anywhere: no
user id, no IP address, not in the audit log either.

A complaint that names a staff member (`named_staff_id`, or a name typed in
`named_staff_text` that the office has yet to match) is "about staff": only the
village head and the BPD (role auditor) and admins see it, never the person named
(services.visible_to).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import status_tags
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import UTCDateTime, sql_in, utcnow

CATEGORIES = {
    "misuse": _l("Misuse of aid"),
    "unfair": _l("Unfair treatment"),
    "missed": _l("Missed delivery"),
    "service": _l("Service problem"),
    "other": _l("Other"),
}

# received → in_review → answered → closed (a reply may come before or after review).
STATUSES = {
    "received": _l("Received"),
    "in_review": _l("Being looked into"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
}

status_tags.register(
    "complaint", STATUSES, {"received": "info", "answered": "ok", "closed": "muted"}
)

PRIORITIES = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}

# What each kind of step is called; `public` steps are shown to the complainant.
STEP_KINDS = {
    "filed": _l("Complaint received"),
    "triaged": _l("Reviewed by the village office"),
    "assigned": _l("Handed to an officer"),
    "replied": _l("Reply from the village office"),
    "note": _l("Internal note"),
    "closed": _l("Closed"),
}


class Complaint(db.Model):
    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint(sql_in("category", CATEGORIES), name="category_known"),
        CheckConstraint(sql_in("status", STATUSES), name="status_known"),
        CheckConstraint(sql_in("priority", PRIORITIES), name="priority_known"),
        CheckConstraint(
            "NOT anonymous OR (reporter_name IS NULL AND reporter_contact IS NULL)",
            name="anonymous_has_no_identity",
        ),
        CheckConstraint(
            "status <> 'closed' OR (closed_at IS NOT NULL AND resolution IS NOT NULL)",
            name="closed_has_resolution",
        ),
        Index("ix_complaint_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 (hex) of the normalised tracking code; the code itself is not kept.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    category: Mapped[str] = mapped_column(String(12))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    status: Mapped[str] = mapped_column(String(12), default="received")
    description: Mapped[str] = mapped_column(Text)
    rt: Mapped[str | None] = mapped_column(String(3))
    rw: Mapped[str | None] = mapped_column(String(3))
    # A file name in instance/uploads/complaints (re-encoded, no metadata), never a path.
    photo_file: Mapped[str | None] = mapped_column(String(80))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    reporter_name: Mapped[str | None] = mapped_column(String(120))
    reporter_contact: Mapped[str | None] = mapped_column(String(120))
    named_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    named_staff_text: Mapped[str | None] = mapped_column(String(120))
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    # The first reply (or closing) the complainant could read: the 3-day clock stops.
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)

    named_staff = relationship("User", foreign_keys=[named_staff_id], lazy="joined")
    assigned_to = relationship("User", foreign_keys=[assigned_to_id], lazy="joined")
    steps = relationship("ComplaintStep", order_by="ComplaintStep.id", viewonly=True, lazy="select")

    @property
    def about_staff(self) -> bool:
        return self.named_staff_id is not None or bool(self.named_staff_text)


class ComplaintStep(db.Model):
    """One dated, signed step of a complaint (append-only: triggers in the migration)."""

    __tablename__ = "complaint_step"
    __table_args__ = (CheckConstraint(sql_in("kind", STEP_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="RESTRICT"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(10))
    # Shown on the complainant's status page.
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    actor_name: Mapped[str | None] = mapped_column(String(120))
    # For the record: "priority normal → high", "category ...".
    detail: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
