"""A round's stock ledger and the arrival checks of its random sample."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.distribution.models.labels import (
    CHECK_METHODS,
    CHECK_RESULTS,
    STOCK_KINDS,
    STOCK_SOURCES,
    from_milli,
)
from portal.distribution.models.rounds import Entitlement
from portal.extensions import db
from portal.models_base import UTCDateTime, sql_in, utcnow


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
