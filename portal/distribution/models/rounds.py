"""A round, its points, time slots, items and approvals, and the entitlements they
snapshot (what each household is due)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
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

from portal.distribution.models.labels import (
    ENTITLEMENT_STATUSES,
    ROUND_STATUSES,
    UNITS,
    from_milli,
)
from portal.extensions import db
from portal.models_base import TimestampMixin, UTCDateTime, sql_in, utcnow


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
    round_id: Mapped[int] = mapped_column(Integer, index=True)
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
