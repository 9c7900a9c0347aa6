"""Distribution rounds (penyaluran) and what was handed to whom.

A round belongs to one published recipient-list version of one programme period. The
village head's approval snapshots one `Entitlement` per household on that version; the
database refuses an entitlement for a household that is not on the version its approval
names (composite foreign keys down to `recipient_version_row`). What is due is frozen
once written (triggers), handovers and stock movements are append-only, and a second
handover of the same entitlement is refused by a unique key (`Handover.attempt`, the
number of voids before it). Quantities are whole thousandths of their unit (`*_milli`:
2.5 kg is 2500), so that sums are exact on both engines.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models_base import TimestampMixin, UTCDateTime, sql_in, utcnow
from portal.status_tags import register as register_status

ROUND_STATUSES = {
    "draft": _l("Draft"),
    "approved": _l("Approved"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    "reconciled": _l("Reconciled"),
    "cancelled": _l("Cancelled"),
}
# status -> the statuses it may move to (cancel only before the round opens).
ROUND_TRANSITIONS = {
    "draft": ("approved", "cancelled"),
    "approved": ("open", "cancelled"),
    "open": ("closed",),
    "closed": ("reconciled",),
    "reconciled": (),
    "cancelled": (),
}
ENTITLEMENT_STATUSES = {
    "due": _l("Due"),
    "collected": _l("Collected"),
    "partly_collected": _l("Partly collected"),
    "not_collected": _l("Not collected"),
    "cancelled": _l("Cancelled"),
}
COLLECTOR_KINDS = {
    "collector": _l("The household's collector"),
    "alternate": _l("The alternate"),
    "proxy": _l("A proxy with a power of attorney"),
}
UNITS = {"kg": "kg", "l": "l", "pcs": _l("pcs"), "pack": _l("pack")}
STOCK_KINDS = {
    "received": _l("Received"),
    "moved_in": _l("Moved in from another point"),
    "moved_out": _l("Moved out to another point"),
    "returned": _l("Returned"),
    "damaged": _l("Damaged"),
    "lost": _l("Lost"),
}
STOCK_SOURCES = {
    "supplier": _l("A supplier"),
    "csr": _l("A CSR delivery"),
    "purchase": _l("A purchase"),
    "other": _l("Other"),
}
CHECK_RESULTS = {
    "received_full": _l("Received in full"),
    "not_received": _l("Not received"),
    "problems": _l("Received with problems"),
}
CHECK_METHODS = {"call": _l("Phone call"), "visit": _l("Visit")}
CONFLICT_STATUSES = {
    "open": _l("Waiting for a decision"),
    "accepted": _l("Recorded after review"),
    "rejected": _l("Rejected after review"),
}

register_status(
    "distribution.round",
    ROUND_STATUSES,
    {
        "draft": "info",
        "approved": "warn",
        "open": "ok",
        "closed": "muted",
        "reconciled": "ok",
        "cancelled": "danger",
    },
)
register_status(
    "distribution.entitlement",
    ENTITLEMENT_STATUSES,
    {
        "due": "info",
        "collected": "ok",
        "partly_collected": "warn",
        "not_collected": "danger",
        "cancelled": "muted",
    },
)
register_status(
    "distribution.conflict",
    CONFLICT_STATUSES,
    {"open": "warn", "accepted": "ok", "rejected": "muted"},
)


def milli(quantity: Decimal | float | int | str) -> int:
    """A quantity as whole thousandths of its unit (2.5 -> 2500)."""
    return int((Decimal(str(quantity)) * 1000).to_integral_value())


def from_milli(value: int) -> Decimal:
    """Thousandths back to a quantity for people (2500 -> Decimal('2.5'))."""
    return (Decimal(value) / 1000).normalize()


class DistributionRound(TimestampMixin, db.Model):
    """A round of handing out one period's aid to the households of one list version."""

    __tablename__ = "distribution_round"
    __table_args__ = (
        UniqueConstraint("id", "period_id", name="uq_distribution_round_id_period"),
        CheckConstraint("ends_on >= starts_on", name="round_order"),
        CheckConstraint(sql_in("status", ROUND_STATUSES), name="status_known"),
        CheckConstraint("cash_amount IS NULL OR cash_amount >= 0", name="cash_positive"),
        CheckConstraint("sample_percent BETWEEN 1 AND 100", name="sample_percent_range"),
        CheckConstraint("sample_minimum >= 0", name="sample_minimum_positive"),
        CheckConstraint(
            "status <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancel_has_reason"
        ),
        ForeignKeyConstraint(
            ["version_id", "period_id"],
            ["recipient_version.id", "recipient_version.period_id"],
            name="fk_distribution_round_version_period",
            ondelete="RESTRICT",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("recipient_period.id", ondelete="RESTRICT"), index=True
    )
    # The published version the round hands out to (a later one through an amendment).
    version_id: Mapped[int] = mapped_column(Integer, index=True)
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    # Cash per household (rupiah), None when the round hands out goods only.
    cash_amount: Mapped[int | None] = mapped_column(BigInteger)
    # Item lines that scale with the household follow the registry's food formula.
    use_food_formula: Mapped[bool] = mapped_column(Boolean, default=False)
    notes_id: Mapped[str] = mapped_column(Text, default="")
    notes_en: Mapped[str | None] = mapped_column(Text)
    # The sample of households asked afterwards whether the aid arrived.
    sample_percent: Mapped[int] = mapped_column(Integer, default=10)
    sample_minimum: Mapped[int] = mapped_column(Integer, default=30)
    # A follow-up round for households that did not collect in the one it follows.
    follows_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("distribution_round.id", ondelete="RESTRICT")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    period = relationship("ListPeriod")
    version = relationship(
        "ListVersion",
        foreign_keys=[version_id],
        viewonly=True,
        primaryjoin="DistributionRound.version_id == ListVersion.id",
    )
    points: Mapped[list[DistributionPoint]] = relationship(
        back_populates="round", order_by="DistributionPoint.id"
    )
    items: Mapped[list[RoundItem]] = relationship(
        back_populates="round", order_by="RoundItem.position, RoundItem.id"
    )
    approvals: Mapped[list[RoundApproval]] = relationship(
        back_populates="round", order_by="RoundApproval.number"
    )

    @property
    def is_frozen(self) -> bool:
        """Points, items and what is due may change only while the round is a draft."""
        return self.status != "draft"


class DistributionPoint(db.Model):
    """A place where a round hands out aid, with its opening hours."""

    __tablename__ = "distribution_point"
    __table_args__ = (
        UniqueConstraint("id", "round_id", name="uq_distribution_point_id_round"),
        CheckConstraint("closes_at > opens_at", name="hours_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_round.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    map_url: Mapped[str | None] = mapped_column(String(300))
    opens_at: Mapped[time] = mapped_column(Time)
    closes_at: Mapped[time] = mapped_column(Time)

    round: Mapped[DistributionRound] = relationship(back_populates="points")
    slots: Mapped[list[TimeSlot]] = relationship(
        back_populates="point", order_by="TimeSlot.day, TimeSlot.starts_at, TimeSlot.rt"
    )


class TimeSlot(db.Model):
    """When the households of one RT (of one RW) come to a point, so nobody queues all day."""

    __tablename__ = "distribution_slot"
    __table_args__ = (
        UniqueConstraint("round_id", "rw", "rt", name="uq_distribution_slot_round_rt"),
        CheckConstraint("ends_at > starts_at", name="slot_order"),
        CheckConstraint("rt BETWEEN 1 AND 999", name="rt_range"),
        ForeignKeyConstraint(
            ["point_id", "round_id"],
            ["distribution_point.id", "distribution_point.round_id"],
            name="fk_distribution_slot_point_round",
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_round.id", ondelete="CASCADE"), index=True
    )
    point_id: Mapped[int] = mapped_column(Integer, index=True)
    rt: Mapped[int] = mapped_column(Integer)
    # None where the village has no RW (as Household.rw).
    rw: Mapped[int | None] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)

    point: Mapped[DistributionPoint] = relationship(
        back_populates="slots",
        foreign_keys=[point_id],
        primaryjoin="TimeSlot.point_id == DistributionPoint.id",
    )


class RoundItem(db.Model):
    """An item each household gets (10 kg rice); with the food formula it scales."""

    __tablename__ = "distribution_item"
    __table_args__ = (
        UniqueConstraint("id", "round_id", name="uq_distribution_item_id_round"),
        CheckConstraint("quantity_milli > 0", name="quantity_positive"),
        CheckConstraint(sql_in("unit", UNITS), name="unit_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_round.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_id: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str | None] = mapped_column(String(80))
    unit: Mapped[str] = mapped_column(String(8))
    # Per household; where `formula_key` names a food-formula item (rice, oil, eggs,
    # mung_beans) and the round uses the formula, the household's own quantity instead.
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    formula_key: Mapped[str | None] = mapped_column(String(20))

    round: Mapped[DistributionRound] = relationship(back_populates="items")

    @property
    def quantity(self) -> Decimal:
        return from_milli(self.quantity_milli)


class RoundApproval(db.Model):
    """The village head's approval of a round (append-only): the first snapshots the
    entitlements; a later one, after a new list version, adds or cancels them, with the
    reason."""

    __tablename__ = "distribution_approval"
    __table_args__ = (
        UniqueConstraint("round_id", "number"),
        UniqueConstraint("id", "round_id", "version_id", name="uq_distribution_approval_key"),
        ForeignKeyConstraint(
            ["round_id", "period_id"],
            ["distribution_round.id", "distribution_round.period_id"],
            name="fk_distribution_approval_round_period",
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["version_id", "period_id"],
            ["recipient_version.id", "recipient_version.period_id"],
            name="fk_distribution_approval_version_period",
            ondelete="RESTRICT",
        ),
        CheckConstraint("number = 1 OR reason IS NOT NULL", name="amendment_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, index=True)
    period_id: Mapped[int] = mapped_column(Integer)
    version_id: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    added: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[DistributionRound] = relationship(
        back_populates="approvals",
        foreign_keys=[round_id],
        primaryjoin="RoundApproval.round_id == DistributionRound.id",
    )


class Entitlement(db.Model):
    """What one household of the list is due in a round, and whether it was collected."""

    __tablename__ = "distribution_entitlement"
    __table_args__ = (
        UniqueConstraint("round_id", "household_id"),
        UniqueConstraint("code"),
        UniqueConstraint("id", "round_id", name="uq_distribution_entitlement_id_round"),
        # Only from an approval of this round, for a household on that approval's version.
        ForeignKeyConstraint(
            ["approval_id", "round_id", "version_id"],
            [
                "distribution_approval.id",
                "distribution_approval.round_id",
                "distribution_approval.version_id",
            ],
            name="fk_distribution_entitlement_approval",
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["version_id", "household_id"],
            ["recipient_version_row.version_id", "recipient_version_row.household_id"],
            name="fk_distribution_entitlement_listed",
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["point_id", "round_id"],
            ["distribution_point.id", "distribution_point.round_id"],
            name="fk_distribution_entitlement_point_round",
            ondelete="RESTRICT",
        ),
        CheckConstraint(sql_in("status", ENTITLEMENT_STATUSES), name="status_known"),
        # Aid is carried over to a follow-up round once (migration 0028).
        Index("uq_distribution_entitlement_follows_id", "follows_id", unique=True),
        CheckConstraint("cash_due >= 0", name="cash_due_positive"),
        CheckConstraint("cash_paid >= 0 AND cash_paid <= cash_due", name="cash_paid_range"),
        CheckConstraint(
            "status <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancel_has_reason"
        ),
        CheckConstraint("voids >= 0", name="voids_positive"),
        Index("ix_distribution_entitlement_round_status", "round_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_round.id", ondelete="RESTRICT"), index=True
    )
    approval_id: Mapped[int] = mapped_column(Integer, index=True)
    version_id: Mapped[int] = mapped_column(Integer)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), index=True
    )
    # A random code of 80 bits (16 letters of Crockford's base 32), printed as a QR code
    # and in groups of four (portal.codes).
    code: Mapped[str] = mapped_column(String(32))
    collector_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    alternate_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    point_id: Mapped[int | None] = mapped_column(Integer, index=True)
    slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("distribution_slot.id", ondelete="SET NULL")
    )
    rt: Mapped[int] = mapped_column(Integer)
    rw: Mapped[int | None] = mapped_column(Integer)
    cash_due: Mapped[int] = mapped_column(BigInteger, default=0)
    cash_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(16), default="due")
    # How many handovers of it were voided: the next handover's `attempt`.
    voids: Mapped[int] = mapped_column(Integer, default=0)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by_approval_id: Mapped[int | None] = mapped_column(
        ForeignKey("distribution_approval.id", ondelete="RESTRICT")
    )
    # The entitlement of an earlier round this one carries over.
    follows_id: Mapped[int | None] = mapped_column(
        ForeignKey("distribution_entitlement.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    round: Mapped[DistributionRound] = relationship(foreign_keys=[round_id])
    household = relationship("Household")
    collector = relationship("Person", foreign_keys=[collector_id])
    alternate = relationship("Person", foreign_keys=[alternate_id])
    lines: Mapped[list[EntitlementLine]] = relationship(
        back_populates="entitlement", order_by="EntitlementLine.item_id"
    )


class EntitlementLine(db.Model):
    """One item due to one household; `delivered_milli` never passes `due_milli`."""

    __tablename__ = "distribution_entitlement_line"
    __table_args__ = (
        UniqueConstraint("entitlement_id", "item_id"),
        CheckConstraint("due_milli > 0", name="due_positive"),
        CheckConstraint(
            "delivered_milli >= 0 AND delivered_milli <= due_milli", name="delivered_range"
        ),
        ForeignKeyConstraint(
            ["entitlement_id", "round_id"],
            ["distribution_entitlement.id", "distribution_entitlement.round_id"],
            name="fk_distribution_entitlement_line_entitlement",
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["item_id", "round_id"],
            ["distribution_item.id", "distribution_item.round_id"],
            name="fk_distribution_entitlement_line_item",
            ondelete="RESTRICT",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entitlement_id: Mapped[int] = mapped_column(Integer, index=True)
    round_id: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(Integer)
    due_milli: Mapped[int] = mapped_column(BigInteger)
    delivered_milli: Mapped[int] = mapped_column(BigInteger, default=0)

    entitlement: Mapped[Entitlement] = relationship(
        back_populates="lines",
        foreign_keys=[entitlement_id],
        primaryjoin="EntitlementLine.entitlement_id == Entitlement.id",
    )
    item: Mapped[RoundItem] = relationship(
        foreign_keys=[item_id], primaryjoin="EntitlementLine.item_id == RoundItem.id"
    )

    @property
    def due(self) -> Decimal:
        return from_milli(self.due_milli)

    @property
    def delivered(self) -> Decimal:
        return from_milli(self.delivered_milli)


class Handover(db.Model):
    """Aid handed over at a point (append-only). One live handover per entitlement: the
    key (entitlement, attempt) is unique and `attempt` is the entitlement's voids
    before it, so a second handover is refused until the first is voided."""

    __tablename__ = "distribution_handover"
    __table_args__ = (
        UniqueConstraint("entitlement_id", "attempt"),
        UniqueConstraint("client_id"),
        UniqueConstraint("id", "round_id", name="uq_distribution_handover_id_round"),
        ForeignKeyConstraint(
            ["entitlement_id", "round_id"],
            ["distribution_entitlement.id", "distribution_entitlement.round_id"],
            name="fk_distribution_handover_entitlement",
            ondelete="RESTRICT",
        ),
        CheckConstraint(sql_in("collected_by", COLLECTOR_KINDS), name="collector_known"),
        CheckConstraint(
            "collected_by <> 'proxy' OR (proxy_name IS NOT NULL AND proxy_relation IS NOT NULL"
            " AND proxy_letter IS NOT NULL)",
            name="proxy_named",
        ),
        CheckConstraint("cash_paid >= 0", name="cash_paid_positive"),
        CheckConstraint("attempt >= 0", name="attempt_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entitlement_id: Mapped[int] = mapped_column(Integer, index=True)
    round_id: Mapped[int] = mapped_column(Integer, index=True)
    point_id: Mapped[int | None] = mapped_column(
        ForeignKey("distribution_point.id", ondelete="RESTRICT"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    # Made by the officer's phone for a handover recorded offline: a batch sent twice
    # stores it once.
    client_id: Mapped[str | None] = mapped_column(String(64))
    collected_by: Mapped[str] = mapped_column(String(10))
    proxy_name: Mapped[str | None] = mapped_column(String(120))
    proxy_relation: Mapped[str | None] = mapped_column(String(60))
    # Stored files (private, staff only): the signed power of attorney and a photo.
    proxy_letter: Mapped[str | None] = mapped_column(String(200))
    photo: Mapped[str | None] = mapped_column(String(200))
    cash_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    # Why less than due was handed over.
    partial_reason: Mapped[str | None] = mapped_column(Text)
    # When it happened (the phone's time for an offline handover) and when it was stored.
    handed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    lines: Mapped[list[HandoverLine]] = relationship(back_populates="handover")
    void: Mapped[HandoverVoid | None] = relationship(back_populates="handover", uselist=False)


class HandoverLine(db.Model):
    """One item of a handover (append-only)."""

    __tablename__ = "distribution_handover_line"
    __table_args__ = (
        UniqueConstraint("handover_id", "item_id"),
        CheckConstraint("quantity_milli >= 0", name="quantity_positive"),
        ForeignKeyConstraint(
            ["handover_id", "round_id"],
            ["distribution_handover.id", "distribution_handover.round_id"],
            name="fk_distribution_handover_line_handover",
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["item_id", "round_id"],
            ["distribution_item.id", "distribution_item.round_id"],
            name="fk_distribution_handover_line_item",
            ondelete="RESTRICT",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(Integer, index=True)
    round_id: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    quantity_milli: Mapped[int] = mapped_column(BigInteger)

    handover: Mapped[Handover] = relationship(
        back_populates="lines",
        foreign_keys=[handover_id],
        primaryjoin="HandoverLine.handover_id == Handover.id",
    )

    @property
    def quantity(self) -> Decimal:
        return from_milli(self.quantity_milli)


class HandoverVoid(db.Model):
    """A handover declared void by a second officer or an admin (append-only): the only
    correction there is."""

    __tablename__ = "distribution_handover_void"
    __table_args__ = (UniqueConstraint("handover_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_handover.id", ondelete="RESTRICT")
    )
    reason: Mapped[str] = mapped_column(Text)
    voided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    voided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    handover: Mapped[Handover] = relationship(back_populates="void")


class SyncConflict(db.Model):
    """A handover recorded offline for an entitlement already collected elsewhere: kept
    for a person to decide, never merged by itself nor dropped."""

    __tablename__ = "distribution_conflict"
    __table_args__ = (
        UniqueConstraint("client_id"),
        CheckConstraint(sql_in("status", CONFLICT_STATUSES), name="status_known"),
        CheckConstraint(
            "status = 'open' OR (decided_by_id IS NOT NULL AND decision_note IS NOT NULL)",
            name="decision_recorded",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_round.id", ondelete="RESTRICT"), index=True
    )
    entitlement_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_entitlement.id", ondelete="RESTRICT"), index=True
    )
    point_id: Mapped[int | None] = mapped_column(
        ForeignKey("distribution_point.id", ondelete="RESTRICT")
    )
    client_id: Mapped[str] = mapped_column(String(64))
    # What the phone sent, as it sent it.
    payload: Mapped[dict] = mapped_column(JSON)
    handed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="open")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)


class StockMovement(db.Model):
    """A line of a round's stock ledger at a point (append-only). Handed-over quantities
    come from the handovers themselves; a move between points is two rows sharing a
    `transfer` key."""

    __tablename__ = "distribution_stock"
    __table_args__ = (
        CheckConstraint(sql_in("kind", STOCK_KINDS), name="kind_known"),
        CheckConstraint("quantity_milli > 0", name="quantity_positive"),
        CheckConstraint(
            "source IS NULL OR " + sql_in("source", STOCK_SOURCES), name="source_known"
        ),
        CheckConstraint(
            "kind NOT IN ('returned', 'damaged', 'lost') OR reason IS NOT NULL",
            name="loss_has_reason",
        ),
        ForeignKeyConstraint(
            ["point_id", "round_id"],
            ["distribution_point.id", "distribution_point.round_id"],
            name="fk_distribution_stock_point_round",
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["item_id", "round_id"],
            ["distribution_item.id", "distribution_item.round_id"],
            name="fk_distribution_stock_item_round",
            ondelete="RESTRICT",
        ),
        Index("ix_distribution_stock_round_point_item", "round_id", "point_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer)
    point_id: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str | None] = mapped_column(String(10))
    # Where it came from, in words, and the record of another feature it came with
    # (a CSR delivery's id, a purchase delivery's id), as "csr_delivery:12".
    source_note: Mapped[str | None] = mapped_column(String(200))
    source_ref: Mapped[str | None] = mapped_column(String(60))
    transfer: Mapped[str | None] = mapped_column(String(32), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    @property
    def quantity(self) -> Decimal:
        return from_milli(self.quantity_milli)


class ArrivalCheck(db.Model):
    """A household of the round's random sample, asked whether the aid arrived."""

    __tablename__ = "distribution_check"
    __table_args__ = (
        UniqueConstraint("entitlement_id"),
        CheckConstraint(
            "result IS NULL OR " + sql_in("result", CHECK_RESULTS), name="result_known"
        ),
        CheckConstraint(
            "method IS NULL OR " + sql_in("method", CHECK_METHODS), name="method_known"
        ),
        CheckConstraint(
            "result IS NULL OR (method IS NOT NULL AND checked_at IS NOT NULL)",
            name="result_recorded",
        ),
        ForeignKeyConstraint(
            ["entitlement_id", "round_id"],
            ["distribution_entitlement.id", "distribution_entitlement.round_id"],
            name="fk_distribution_check_entitlement",
            ondelete="RESTRICT",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_round.id", ondelete="RESTRICT"), index=True
    )
    entitlement_id: Mapped[int] = mapped_column(Integer)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    method: Mapped[str | None] = mapped_column(String(8))
    result: Mapped[str | None] = mapped_column(String(16))
    # "Did anyone ask for or take a part of it?"
    part_taken: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    # The complaint filed for a "not received" or a part taken (its tracking code went
    # to the household; only the complaint's id is kept here).
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint.id", ondelete="RESTRICT")
    )
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    entitlement: Mapped[Entitlement] = relationship(
        foreign_keys=[entitlement_id], primaryjoin="ArrivalCheck.entitlement_id == Entitlement.id"
    )


# Tables that are written once and never changed (triggers in the migration).
APPEND_ONLY = (
    "distribution_approval",
    "distribution_handover",
    "distribution_handover_line",
    "distribution_handover_void",
    "distribution_stock",
)
# Columns of an entitlement frozen once written (a trigger refuses a change).
FROZEN_ENTITLEMENT_COLUMNS = (
    "round_id",
    "approval_id",
    "version_id",
    "household_id",
    "code",
    "cash_due",
    "follows_id",
)
