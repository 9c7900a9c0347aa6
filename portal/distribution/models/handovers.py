"""What was handed over at a point: handovers, their lines and voids, and the offline
conflicts kept for a person to decide (handovers, lines and voids are append-only)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.distribution.models.labels import (
    COLLECTOR_KINDS,
    CONFLICT_STATUSES,
    from_milli,
)
from portal.extensions import db
from portal.models_base import UTCDateTime, sql_in, utcnow


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
    round_id: Mapped[int] = mapped_column(Integer, index=True)
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
