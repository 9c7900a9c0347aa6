"""Procurement (pengadaan): suppliers, purchases with their lines and quotes, deliveries
received, reference prices and packed batches.

Money is whole rupiah; quantities are whole thousandths of their unit (`*_milli`), as in
distribution. A purchase is a draft until it is ordered; from then on its row and its
lines are frozen by triggers except for the lines' running total of accepted goods
(`delivered_milli`), which a conditional UPDATE moves and a CHECK keeps within the
ordered quantity. Quotes and deliveries are append-only. A correction is a new purchase
naming the one it corrects, with a reason.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import TimestampMixin, UTCDateTime, sql_in, utcnow
from portal.status_tags import register as register_status

SUPPLIER_KINDS = {
    "farmer": _l("Farmer"),
    "producer_group": _l("Producer group"),
    "umkm": _l("Micro or small business (UMKM)"),
    "bumdes": _l("Village-owned enterprise (BUMDes)"),
    "cooperative": _l("Cooperative"),
    "shop": _l("Shop"),
    "other": _l("Other"),
}
LOCATIONS = {
    "village": _l("In the village"),
    "district": _l("Elsewhere in the district"),
    "outside": _l("Outside the district"),
}
SUPPLIER_STATUSES = {
    "pending": _l("Waiting for verification"),
    "verified": _l("Verified"),
    "rejected": _l("Rejected"),
}
METHODS = {
    "direct": _l("Direct purchase"),
    "quotes": _l("Request for quotations"),
    "tender": _l("Tender"),
}
METHOD_ORDER = ("direct", "quotes", "tender")
PURCHASE_STATUSES = {"draft": _l("Draft"), "ordered": _l("Ordered")}
PACKAGING = {
    "reusable": _l("Reusable (bag, basket, container brought back)"),
    "biodegradable": _l("Paper or other biodegradable"),
    "plastic": _l("Single-use plastic"),
    "none": _l("No packaging"),
}
UNITS = ("kg", "l", "pcs", "pack")

register_status(
    "procurement.supplier",
    SUPPLIER_STATUSES,
    {"pending": "warn", "verified": "ok", "rejected": "muted"},
)
register_status("procurement.purchase", PURCHASE_STATUSES, {"draft": "info", "ordered": "ok"})


class Supplier(TimestampMixin, db.Model):
    """Who the village buys from. A private person's contact stays with staff: public
    pages show only the business name and the village."""

    __tablename__ = "procurement_supplier"
    __table_args__ = (
        CheckConstraint(sql_in("kind", SUPPLIER_KINDS), name="kind_known"),
        CheckConstraint(sql_in("location", LOCATIONS), name="location_known"),
        CheckConstraint(sql_in("status", SUPPLIER_STATUSES), name="status_known"),
        CheckConstraint(
            "location <> 'village' OR (rt IS NOT NULL AND rw IS NOT NULL)", name="village_has_rt"
        ),
        CheckConstraint("rt IS NULL OR rt BETWEEN 1 AND 99", name="rt_range"),
        CheckConstraint("rw IS NULL OR rw BETWEEN 1 AND 99", name="rw_range"),
        CheckConstraint("nib IS NULL OR length(nib) = 13", name="nib_length"),
        CheckConstraint(
            "status <> 'verified' OR verified_at IS NOT NULL", name="verified_has_time"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16))
    # A private person (a farmer selling in their own name): contact never public.
    is_person: Mapped[bool] = mapped_column(Boolean, default=False)
    location: Mapped[str] = mapped_column(String(10))
    village_name: Mapped[str] = mapped_column(String(120))
    rt: Mapped[int | None] = mapped_column(Integer)
    rw: Mapped[int | None] = mapped_column(Integer)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    nib: Mapped[str | None] = mapped_column(String(13), unique=True)
    sells: Mapped[str] = mapped_column(Text, default="")
    # A place in an entrepreneurship course the supplier completed (training's row).
    training_place_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_place.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    status_note: Mapped[str | None] = mapped_column(String(500))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    @property
    def from_course(self) -> bool:
        return self.training_place_id is not None


class Purchase(TimestampMixin, db.Model):
    """A purchase for a distribution round or a CSR need."""

    __tablename__ = "procurement_purchase"
    __table_args__ = (
        UniqueConstraint("id", "supplier_id", name="uq_procurement_purchase_id_supplier"),
        CheckConstraint(sql_in("status", PURCHASE_STATUSES), name="status_known"),
        CheckConstraint("method IS NULL OR " + sql_in("method", METHODS), name="method_known"),
        CheckConstraint("(round_id IS NULL) <> (need_id IS NULL)", name="for_round_or_need"),
        CheckConstraint(
            "status = 'draft' OR (supplier_id IS NOT NULL AND method IS NOT NULL "
            "AND choice_reason IS NOT NULL AND ordered_on IS NOT NULL)",
            name="ordered_complete",
        ),
        CheckConstraint("total >= 0", name="total_positive"),
        CheckConstraint(
            "corrects_id IS NULL OR correction_reason IS NOT NULL", name="correction_has_reason"
        ),
        CheckConstraint("NOT price_flagged OR price_reason IS NOT NULL", name="flag_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("distribution_round.id", ondelete="RESTRICT"), index=True
    )
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("csr_need.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    method: Mapped[str | None] = mapped_column(String(10))
    supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("procurement_supplier.id", ondelete="RESTRICT"), index=True
    )
    choice_reason: Mapped[str | None] = mapped_column(Text)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    # A line priced over the reference by more than the allowed share.
    price_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    price_reason: Mapped[str | None] = mapped_column(Text)
    ordered_on: Mapped[date | None] = mapped_column(Date)
    ordered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ordered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("procurement_purchase.id", ondelete="RESTRICT"), unique=True
    )
    correction_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    supplier = relationship("Supplier")
    lines: Mapped[list[PurchaseLine]] = relationship(
        back_populates="purchase", order_by="PurchaseLine.id"
    )
    quotes: Mapped[list[Quote]] = relationship(order_by="Quote.id", viewonly=True)
    deliveries: Mapped[list[PurchaseDelivery]] = relationship(
        order_by="PurchaseDelivery.id", viewonly=True
    )


class PurchaseLine(db.Model):
    """One item of a purchase: quantity, unit price, packaging, and what was accepted."""

    __tablename__ = "procurement_line"
    __table_args__ = (
        CheckConstraint("quantity_milli > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="price_positive"),
        CheckConstraint(
            "delivered_milli >= 0 AND delivered_milli <= quantity_milli", name="delivered_in_range"
        ),
        CheckConstraint(sql_in("unit", UNITS), name="unit_known"),
        CheckConstraint(sql_in("packaging", PACKAGING), name="packaging_known"),
        CheckConstraint(
            "packaging_grams IS NULL OR packaging_grams >= 0", name="packaging_grams_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_purchase.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    unit: Mapped[str] = mapped_column(String(8))
    # The round's item the goods enter as stock (round purchases only).
    round_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("distribution_item.id", ondelete="RESTRICT")
    )
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    reference_price: Mapped[int | None] = mapped_column(BigInteger)
    delivered_milli: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    packaging: Mapped[str] = mapped_column(String(14), default="none")
    packaging_grams: Mapped[int | None] = mapped_column(Integer)

    purchase: Mapped[Purchase] = relationship(back_populates="lines")

    @property
    def amount(self) -> int:
        return self.quantity_milli * self.unit_price // 1000

    @property
    def over_reference(self) -> float | None:
        """How far the price is over the reference (0.25 = 25% over), None without one."""
        if not self.reference_price:
            return None
        return self.unit_price / self.reference_price - 1


class Quote(db.Model):
    """A quotation received from a supplier for a purchase, with its document."""

    __tablename__ = "procurement_quote"
    __table_args__ = (
        UniqueConstraint("purchase_id", "supplier_id", name="uq_procurement_quote_supplier"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_purchase.id", ondelete="RESTRICT"), index=True
    )
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_supplier.id", ondelete="RESTRICT")
    )
    amount: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date] = mapped_column(Date)
    document_file: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    supplier = relationship("Supplier")


class PurchaseDelivery(db.Model):
    """Goods received against one line of an ordered purchase; the supplier must be the
    purchase's (a composite key the database checks)."""

    __tablename__ = "procurement_delivery"
    __table_args__ = (
        ForeignKeyConstraint(
            ["purchase_id", "supplier_id"],
            ["procurement_purchase.id", "procurement_purchase.supplier_id"],
            name="fk_procurement_delivery_purchase_supplier",
            ondelete="RESTRICT",
        ),
        CheckConstraint("accepted_milli >= 0 AND rejected_milli >= 0", name="quantities_positive"),
        CheckConstraint("accepted_milli + rejected_milli > 0", name="something_received"),
        CheckConstraint("rejected_milli = 0 OR quality_note <> ''", name="rejection_has_note"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_id: Mapped[int] = mapped_column(Integer, index=True)
    supplier_id: Mapped[int] = mapped_column(Integer)
    line_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_line.id", ondelete="RESTRICT"), index=True
    )
    point_id: Mapped[int | None] = mapped_column(
        ForeignKey("distribution_point.id", ondelete="RESTRICT")
    )
    received_on: Mapped[date] = mapped_column(Date)
    accepted_milli: Mapped[int] = mapped_column(BigInteger)
    rejected_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    quality_note: Mapped[str] = mapped_column(Text, default="")
    photo_file: Mapped[str | None] = mapped_column(String(64))
    receipt_file: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    line = relationship("PurchaseLine")
    returns: Mapped[list[DeliveryReturn]] = relationship(
        order_by="DeliveryReturn.id", viewonly=True
    )

    @property
    def returned_milli(self) -> int:
        return sum(r.quantity_milli for r in self.returns)


class DeliveryReturn(db.Model):
    """Accepted goods found wanting later and given back to the supplier (append-only):
    the correction of a delivery is this new record with its reason, never an edit. It
    lowers the line's accepted total and, for a round, takes the goods out of the
    point's stock as "returned"."""

    __tablename__ = "procurement_return"
    __table_args__ = (
        CheckConstraint("quantity_milli > 0", name="quantity_positive"),
        CheckConstraint("reason <> ''", name="has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_delivery.id", ondelete="RESTRICT"), index=True
    )
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    returned_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class ReferencePrice(db.Model):
    """The price staff expect for an item in a month (e.g. the regency's market survey)."""

    __tablename__ = "procurement_reference_price"
    __table_args__ = (
        UniqueConstraint("item_key", "unit", "month", name="uq_procurement_reference"),
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint(sql_in("unit", UNITS), name="unit_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_key: Mapped[str] = mapped_column(String(80))
    unit: Mapped[str] = mapped_column(String(8))
    # The first day of the month the price holds for.
    month: Mapped[date] = mapped_column(Date)
    price: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class PackedBatch(db.Model):
    """A batch of aid packages packed for a round, with its packaging and the households
    asked to bring their own bag."""

    __tablename__ = "procurement_packed_batch"
    __table_args__ = (
        CheckConstraint(sql_in("packaging", PACKAGING), name="packaging_known"),
        CheckConstraint("packages >= 0", name="packages_positive"),
        CheckConstraint("own_bags >= 0", name="own_bags_positive"),
        CheckConstraint("packages + own_bags > 0", name="something_packed"),
        CheckConstraint(
            "packaging_grams IS NULL OR packaging_grams >= 0", name="packaging_grams_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_round.id", ondelete="RESTRICT"), index=True
    )
    packed_on: Mapped[date] = mapped_column(Date)
    packages: Mapped[int] = mapped_column(Integer)
    packaging: Mapped[str] = mapped_column(String(14))
    # Weight of the packaging of the whole batch, when known.
    packaging_grams: Mapped[int | None] = mapped_column(Integer)
    own_bags: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
