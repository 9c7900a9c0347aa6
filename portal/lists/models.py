"""Recipient lists of a programme period, their village decision and published versions.

A period's entries are the working list (one row per household, active or removed);
every change to it is a `ListChange` row with its written reason (append-only, and
audited). A published version copies what the public may see into `ListVersionRow`
rows: the masked name, RT/RW, never a NIK, KK, birth date or address. Versions,
their rows, changes and approvals are append-only (database triggers refuse UPDATE and
DELETE), so every published version stays as it was.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import TimestampMixin, UTCDateTime, sql_in, utcnow

COMPOSITIONS = {
    "": _l("Any household"),
    "children": _l("With children under 18"),
    "school_age": _l("With children of school age (6-15)"),
    "elderly": _l("With a member aged 60 or over"),
    "disabled": _l("With a member with a disability"),
}
ENTRY_SOURCES = {
    "rule": _l("Proposed by the programme's rules"),
    "staff": _l("Added by staff"),
    "objection": _l("Added after an objection"),
}
CHANGE_ACTIONS = {"add": _l("Added"), "remove": _l("Removed")}
OBJECTION_KINDS = {
    "remove": _l("A listed household should not receive this aid"),
    "include": _l("A household that is not listed should receive this aid"),
}
OBJECTION_STATUSES = {
    "open": _l("Waiting for a decision"),
    "upheld": _l("Upheld"),
    "rejected": _l("Rejected"),
}


class ListPeriod(TimestampMixin, db.Model):
    """A period of a programme (e.g. BLT Dana Desa, January to March 2027)."""

    __tablename__ = "recipient_period"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period_order"),
        CheckConstraint("budget IS NULL OR budget >= 0", name="budget_positive"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_positive"),
        CheckConstraint(
            "rule_max_desil IS NULL OR (rule_max_desil BETWEEN 1 AND 10)", name="desil_range"
        ),
        CheckConstraint(
            "rule_min_members IS NULL OR rule_min_members >= 1", name="min_members_positive"
        ),
        CheckConstraint("objection_days BETWEEN 1 AND 60", name="objection_days_range"),
        CheckConstraint(sql_in("rule_composition", COMPOSITIONS), name="composition_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="RESTRICT"), index=True
    )
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    budget: Mapped[int | None] = mapped_column(BigInteger)
    # Cash per household for the period (None when the aid is goods only).
    amount: Mapped[int | None] = mapped_column(BigInteger)
    # What each household receives, in words ("Rp300.000 per bulan", "10 kg beras").
    benefit_id: Mapped[str] = mapped_column(Text, default="")
    benefit_en: Mapped[str | None] = mapped_column(Text)
    # The programme's rules for the draft list.
    rule_need_levels: Mapped[str] = mapped_column(String(80), default="sangat_miskin miskin")
    rule_max_desil: Mapped[int | None] = mapped_column(Integer)
    rule_min_members: Mapped[int | None] = mapped_column(Integer)
    rule_composition: Mapped[str] = mapped_column(String(16), default="")
    # The household must fit the programme's kind of aid (registry scoring).
    rule_aid_fit: Mapped[bool] = mapped_column(Boolean, default=True)
    # Leave out households already receiving the same kind of aid in the period.
    rule_not_covered: Mapped[bool] = mapped_column(Boolean, default=True)
    objection_days: Mapped[int] = mapped_column(Integer, default=7)
    # When the working list last changed: an approval older than this no longer holds.
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Who drew the working list from the registry: may not approve it (lists/duties.py).
    drafted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    programme = relationship("Programme")
    versions: Mapped[list[ListVersion]] = relationship(
        back_populates="period", order_by="ListVersion.number"
    )

    @property
    def need_levels(self) -> list[str]:
        return self.rule_need_levels.split()


class ListEntry(db.Model):
    """A household on the working list of a period (active) or taken off it."""

    __tablename__ = "recipient_entry"
    __table_args__ = (
        UniqueConstraint("period_id", "household_id"),
        CheckConstraint(sql_in("source", ENTRY_SOURCES), name="source_known"),
        Index("ix_recipient_entry_period_active", "period_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("recipient_period.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(12), default="rule")
    # The village decision that approved this entry (set when the list is approved).
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipient_decision.id", ondelete="RESTRICT"), index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The registry enrolment (programme, period) that approving the list made for this
    # household; None when it has none, or when the registry already had one (made by
    # hand), which the list then leaves alone.
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolment.id", ondelete="SET NULL"), index=True
    )

    household = relationship("Household")
    decision: Mapped[ListDecision | None] = relationship()


class ListChange(db.Model):
    """One manual change to a working list, with its reason (append-only)."""

    __tablename__ = "recipient_change"
    __table_args__ = (
        CheckConstraint(sql_in("action", CHANGE_ACTIONS), name="action_known"),
        CheckConstraint("length(reason) > 0", name="reason_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("recipient_period.id", ondelete="RESTRICT"), index=True
    )
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="RESTRICT"))
    action: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    objection_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipient_objection.id", ondelete="RESTRICT")
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str | None] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    household = relationship("Household")


class ListDecision(db.Model):
    """The special village meeting (Musyawarah Desa Khusus) that validated a list."""

    __tablename__ = "recipient_decision"
    __table_args__ = (
        CheckConstraint("attendees_count >= 0", name="attendees_positive"),
        CheckConstraint("quorum_required >= 1", name="quorum_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("recipient_period.id", ondelete="RESTRICT"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    # Everyone present (residents too); the named attendees are below.
    attendees_count: Mapped[int] = mapped_column(Integer)
    quorum_required: Mapped[int] = mapped_column(Integer)
    decisions: Mapped[str] = mapped_column(Text)
    minutes: Mapped[str] = mapped_column(Text)
    # The signed minutes (berita acara) as scanned: a PDF or an image, in instance/.
    scan_file: Mapped[str | None] = mapped_column(String(80))
    scan_mimetype: Mapped[str | None] = mapped_column(String(40))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendees: Mapped[list[ListAttendee]] = relationship(
        back_populates="decision", order_by="ListAttendee.id", cascade="all, delete-orphan"
    )

    @property
    def quorum_met(self) -> bool:
        return self.attendees_count >= self.quorum_required

    @property
    def bpd_present(self) -> bool:
        return any(a.is_bpd for a in self.attendees)


class ListAttendee(db.Model):
    """A named attendee of the meeting and their role (village head, BPD chair...):
    typed by staff, or picked among the accounts (user_id) for those who have one."""

    __tablename__ = "recipient_attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("recipient_decision.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(120))
    is_bpd: Mapped[bool] = mapped_column(Boolean, default=False)
    # The attendee's account, for those who have one (picked by staff, not typed).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    decision: Mapped[ListDecision] = relationship(back_populates="attendees")


class ListApproval(db.Model):
    """The village head's approval of the list as decided (append-only)."""

    __tablename__ = "recipient_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("recipient_period.id", ondelete="RESTRICT"), index=True
    )
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("recipient_decision.id", ondelete="RESTRICT")
    )
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    approver_name: Mapped[str] = mapped_column(String(120))
    approver_role: Mapped[str] = mapped_column(String(16))
    households: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    decision: Mapped[ListDecision] = relationship()


class ListVersion(db.Model):
    """A published version of a list (append-only): what the public board shows."""

    __tablename__ = "recipient_version"
    __table_args__ = (
        UniqueConstraint("period_id", "number"),
        # A distribution round names a version of its own period (a composite key).
        Index("uq_recipient_version_id_period", "id", "period_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("recipient_period.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("recipient_decision.id", ondelete="RESTRICT")
    )
    approval_id: Mapped[int] = mapped_column(
        ForeignKey("recipient_approval.id", ondelete="RESTRICT")
    )
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Objections are taken up to and including this day.
    objection_until: Mapped[date] = mapped_column(Date)
    households: Mapped[int] = mapped_column(Integer)
    # Changes since the previous version and the outcome of objections (no objectors).
    summary: Mapped[dict] = mapped_column(JSON)

    period: Mapped[ListPeriod] = relationship(back_populates="versions")
    decision: Mapped[ListDecision] = relationship()
    approval: Mapped[ListApproval] = relationship()


class ListVersionRow(db.Model):
    """One household on a published version: only what the public may see (append-only)."""

    __tablename__ = "recipient_version_row"
    __table_args__ = (
        UniqueConstraint("version_id", "household_id"),
        Index("ix_recipient_version_row_place", "version_id", "rw", "rt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("recipient_version.id", ondelete="RESTRICT"))
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), index=True
    )
    masked_name: Mapped[str] = mapped_column(String(120))
    # Only in the staff print, where the village setting LISTS_PRINT_FULL_NAMES allows it.
    full_name: Mapped[str] = mapped_column(String(120))
    rt: Mapped[int] = mapped_column(Integer)
    rw: Mapped[int | None] = mapped_column(Integer)

    @property
    def rt_rw(self) -> str:
        if self.rw is None:
            return f"{self.rt:03d}/–"
        return f"{self.rt:03d}/{self.rw:03d}"


class ListObjection(db.Model):
    """An objection (sanggahan) to a published list. Nothing about the objector is kept."""

    __tablename__ = "recipient_objection"
    __table_args__ = (
        CheckConstraint(sql_in("kind", OBJECTION_KINDS), name="kind_known"),
        CheckConstraint(sql_in("status", OBJECTION_STATUSES), name="status_known"),
        CheckConstraint("kind <> 'remove' OR row_id IS NOT NULL", name="remove_names_row"),
        CheckConstraint(
            "status = 'open' OR (decided_at IS NOT NULL AND length(decision_reason) > 0)",
            name="decision_has_reason",
        ),
        Index("ix_recipient_objection_period_status", "period_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("recipient_period.id", ondelete="RESTRICT"))
    version_id: Mapped[int] = mapped_column(ForeignKey("recipient_version.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(8))
    # For "remove": the row of the published version the objection is about.
    row_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipient_version_row.id", ondelete="RESTRICT")
    )
    # For "include": who should be listed, as the objector describes them.
    subject_name: Mapped[str | None] = mapped_column(String(120))
    rt: Mapped[int | None] = mapped_column(Integer)
    rw: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="open")
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # The household the decision applied to (taken off, or added to the list).
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT")
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    row: Mapped[ListVersionRow | None] = relationship()
    version: Mapped[ListVersion] = relationship()
