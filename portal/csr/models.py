"""The CSR pledge board: what the village needs, the companies that help, their pledges
and the deliveries that fulfil them.

A pledge is never deleted: it moves through its statuses (each step written to
`PledgeEvent`, dated and signed) and ends closed or withdrawn. The database refuses
DELETE on pledges and any change to events and deliveries (triggers in the migration),
and a CHECK keeps what was delivered between 0 and what was pledged.

A need names the village priority it serves in words and, when a priority ballot of
the participation package decided it, links to that ballot (`ballot_id`, a foreign key
since migration 0014); the need's page then links to the ballot's results once they
are public. A pledge of kind "training" can become a course: the staff pledge page
offers "turn into a course", which opens the training package's course form with the
sponsor filled in.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import status_tags
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import PublishableMixin, TimestampMixin, UTCDateTime, sql_in, utcnow

NEED_KINDS = {
    "money": _l("Money"),
    "goods": _l("Goods"),
    "training": _l("Training"),
    "expertise": _l("Expertise"),
    "equipment": _l("Equipment"),
}

SECTORS = {
    "agriculture": _l("Agriculture and food"),
    "energy": _l("Energy and mining"),
    "finance": _l("Banking and finance"),
    "manufacturing": _l("Manufacturing"),
    "retail": _l("Trade and retail"),
    "telecom": _l("Telecommunications and technology"),
    "health": _l("Health"),
    "construction": _l("Construction"),
    "services": _l("Services"),
    "other": _l("Other"),
}

COMPANY_STATUSES = {
    "pending": _l("Waiting for verification"),
    "verified": _l("Verified"),
    "rejected": _l("Not verified"),
}

status_tags.register(
    "csr.company", COMPANY_STATUSES, {"verified": "ok", "pending": "warn", "rejected": "muted"}
)

# offered: a partner's own proposal, not yet tied to a need (staff may accept it).
# pledged → confirmed → partly_delivered → delivered → closed, or withdrawn.
PLEDGE_STATUSES = {
    "offered": _l("Offer"),
    "pledged": _l("Pledged"),
    "confirmed": _l("Confirmed"),
    "partly_delivered": _l("Partly delivered"),
    "delivered": _l("Delivered"),
    "closed": _l("Closed"),
    "withdrawn": _l("Withdrawn"),
}

status_tags.register(
    "csr.pledge",
    PLEDGE_STATUSES,
    {
        "offered": "info",
        "pledged": "info",
        "delivered": "ok",
        "closed": "muted",
        "withdrawn": "muted",
    },
)

RECEIPT_LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}


class Need(PublishableMixin, TimestampMixin, db.Model):
    """Something the village needs, published by staff in both languages."""

    __tablename__ = "csr_need"
    __table_args__ = (
        CheckConstraint(sql_in("kind", NEED_KINDS), name="kind_known"),
        CheckConstraint("target > 0", name="target_positive"),
        Index("ix_csr_need_board", "published", "rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="goods")
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    # Why the village needs it.
    description_id: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str | None] = mapped_column(Text)
    # How the target is counted ("sacks of 25 kg", "hours"); rupiah for money.
    unit_id: Mapped[str | None] = mapped_column(String(60))
    unit_en: Mapped[str | None] = mapped_column(String(60))
    target: Mapped[int] = mapped_column(BigInteger)
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="SET NULL"), index=True
    )
    # Which village priority it serves, in words (e.g. "Musdes 12 March 2026, item 3").
    priority_id: Mapped[str | None] = mapped_column(String(300))
    priority_en: Mapped[str | None] = mapped_column(String(300))
    # The priority ballot that decided it, if one did (its results are linked publicly).
    ballot_id: Mapped[int | None] = mapped_column(
        ForeignKey("ballot.id", ondelete="SET NULL"), index=True
    )
    deadline: Mapped[date | None] = mapped_column(Date)
    # 1 is the most urgent; the board lists by rank, then deadline.
    rank: Mapped[int] = mapped_column(Integer, default=100)
    is_open: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    # Loaded when read (only the public need page shows it): joined, every pledge and
    # delivery loaded with its need also carried the programme's columns.
    programme = relationship("Programme", lazy="select")
    ballot = relationship("Ballot", lazy="select")

    @property
    def is_money(self) -> bool:
        return self.kind == "money"


class Company(TimestampMixin, db.Model):
    """A company with a CSR programme (a "partner organisation"), represented by one
    user account of role "partner". Not `Partner`: that is the public directory entry
    (portal.public.models.Partner), which a verified company may also get."""

    __tablename__ = "csr_company"
    __table_args__ = (
        CheckConstraint(sql_in("status", COMPANY_STATUSES), name="status_known"),
        CheckConstraint(sql_in("sector", SECTORS), name="sector_known"),
        CheckConstraint(sql_in("locale", RECEIPT_LANGUAGES), name="locale_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), unique=True
    )
    name: Mapped[str] = mapped_column(String(160))
    sector: Mapped[str] = mapped_column(String(20), default="other")
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    # The language of the company's receipts.
    locale: Mapped[str] = mapped_column(String(5), default="id")
    # A file name inside the upload folder (instance/uploads/csr/logos), never a path.
    logo_file: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    status_note: Mapped[str | None] = mapped_column(String(500))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    directory_partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner.id", ondelete="SET NULL")
    )

    # The partner's account, loaded when read (the staff company page shows its e-mail
    # address): joined, every pledge carried a whole account row with its company.
    user = relationship("User", foreign_keys=[user_id], lazy="select")

    @property
    def is_verified(self) -> bool:
        return self.status == "verified"


def delivered_value(value: int, delivered: int, amount: int) -> int:
    """The rupiah worth of what was delivered: the pledge's value in proportion."""
    return value * delivered // amount if amount else 0


class Pledge(TimestampMixin, db.Model):
    """A company's promise against a need (or an offer without a need yet).

    `delivered` is the running sum of its deliveries, moved only by a conditional
    UPDATE that can never take it past `amount`; the CHECK is the backstop.
    """

    __tablename__ = "csr_pledge"
    __table_args__ = (
        CheckConstraint(sql_in("status", PLEDGE_STATUSES), name="status_known"),
        CheckConstraint(sql_in("kind", NEED_KINDS), name="kind_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint("delivered >= 0 AND delivered <= amount", name="delivered_in_range"),
        # Only an offer may be without a need.
        CheckConstraint("need_id IS NOT NULL OR status IN ('offered', 'withdrawn')", name="need"),
        Index("ix_csr_pledge_need_status", "need_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("csr_company.id", ondelete="RESTRICT"), index=True
    )
    need_id: Mapped[int | None] = mapped_column(ForeignKey("csr_need.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(16))
    # In the need's unit (rupiah for money); for an offer in `unit`.
    amount: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str | None] = mapped_column(String(60))
    # Estimated worth in rupiah, so that goods, training and money add up on the board.
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    delivered: Mapped[int] = mapped_column(BigInteger, default=0)
    expected_on: Mapped[date | None] = mapped_column(Date)
    conditions: Mapped[str | None] = mapped_column(Text)
    # What an offer is, in the partner's words.
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pledged", index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Printed on the acknowledgement of a confirmed pledge; checked on the verify page.
    receipt_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    company = relationship("Company", lazy="joined")
    need = relationship("Need", lazy="joined")
    # Loaded on demand (a list of 5,000 pledges must not fetch every event with it).
    deliveries = relationship("Delivery", order_by="Delivery.id", viewonly=True)
    events = relationship("PledgeEvent", order_by="PledgeEvent.id", viewonly=True)

    @property
    def remaining(self) -> int:
        return self.amount - self.delivered

    @property
    def delivered_value(self) -> int:
        return delivered_value(self.value, self.delivered, self.amount)


class PledgeEvent(db.Model):
    """One step of a pledge's life: dated, signed, never changed (append-only)."""

    __tablename__ = "csr_pledge_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(
        ForeignKey("csr_pledge.id", ondelete="RESTRICT"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    actor_name: Mapped[str | None] = mapped_column(String(120))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(1000))
    # For a delivery step: how much this delivery brought.
    amount: Mapped[int | None] = mapped_column(BigInteger)

    pledge = relationship("Pledge", viewonly=True)


class Delivery(db.Model):
    """A delivery against a pledge, recorded by staff (append-only; partial ones add up)."""

    __tablename__ = "csr_delivery"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(
        ForeignKey("csr_pledge.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[int] = mapped_column(BigInteger)
    delivered_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(1000))
    # A receipt or photo (re-encoded image) inside the upload folder; staff and the
    # company see it, the public does not (it may show people or signatures).
    attachment_file: Mapped[str | None] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    recorded_by_name: Mapped[str | None] = mapped_column(String(120))
    # Staff confirmed that this delivery may take the need past its target.
    beyond_target: Mapped[bool] = mapped_column(default=False)
    receipt_code: Mapped[str] = mapped_column(String(32), unique=True)

    # Loaded when read: deliveries are mostly read through their pledge (already in the
    # session), and joined each delivery carried its pledge, company, account, need and
    # programme again. A list of deliveries that reads the pledge loads it with them.
    pledge = relationship("Pledge", lazy="select")
