"""Demo data for procurement: local suppliers (one of them a graduate of a village
course), reference prices, an ordered purchase for a CSR need with its quotes and a
delivery, a draft purchase, and, when the demo has a distribution round, a purchase for
it whose delivery entered the round's stock, with packed batches.

Rows are written directly in the caller's transaction (as the other demo modules do);
the sums and statuses are what the services would have produced.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from portal.accounts.models import User
from portal.distribution import services as distribution
from portal.extensions import db
from portal.models_base import utcnow, village_today
from portal.procurement import services
from portal.procurement.models import (
    PackedBatch,
    Purchase,
    PurchaseDelivery,
    PurchaseLine,
    Quote,
    ReferencePrice,
    Supplier,
)
from portal.procurement.services.common import store
from portal.training import queries as training_queries
from portal.uploads import CleanImage

DEMO_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

SUPPLIERS = [
    dict(
        name="Kelompok Tani Sri Rejeki",
        kind="producer_group",
        location="village",
        village_name="Duri Selatan",
        rt=2,
        rw=1,
        sells="Beras, gabah, jagung",
    ),
    dict(
        name="Dapur Bu Yati",
        kind="umkm",
        location="village",
        is_person=True,
        village_name="Duri Selatan",
        rt=4,
        rw=2,
        sells="Kue kering, keripik, telur asin",
    ),
    dict(
        name="BUMDes Duri Makmur",
        kind="bumdes",
        location="village",
        village_name="Duri Selatan",
        rt=1,
        rw=1,
        sells="Minyak goreng, gula, tas kain",
    ),
    dict(
        name="Koperasi Serba Usaha Kecamatan",
        kind="cooperative",
        location="district",
        village_name="Duri Utara",
        sells="Beras, minyak goreng, telur",
    ),
    dict(
        name="Toko Grosir Kota",
        kind="shop",
        location="outside",
        village_name="Kota Kabupaten",
        sells="Sembako",
    ),
]
PRICES = [("beras", "kg", 13_000), ("minyak goreng", "l", 17_000), ("telur", "kg", 28_000)]


def _staff(role: str) -> User | None:
    return db.session.scalars(select(User).where(User.role == role).order_by(User.id)).first()


def _document() -> str:
    return store(CleanImage(DEMO_PDF, "pdf", "application/pdf"), "receipts")


def seed() -> None:
    """Add the demo (the caller commits)."""
    operator = _staff("operator")
    actor_id = operator.id if operator else None
    now, today = utcnow(), village_today()
    suppliers = []
    for i, row in enumerate(SUPPLIERS):
        supplier = Supplier(
            contact_name="",
            phone="",
            address="",
            status="verified",
            verified_at=now,
            verified_by_id=actor_id,
            created_by_id=actor_id,
            **row,
        )
        if i == 1:
            graduates = training_queries.business_completions(limit=1)
            supplier.training_place_id = graduates[0].place_id if graduates else None
        db.session.add(supplier)
        suppliers.append(supplier)
    db.session.add(
        Supplier(
            name="Peternak Ayam Pak Slamet",
            kind="farmer",
            location="village",
            is_person=True,
            village_name="Duri Selatan",
            rt=3,
            rw=2,
            sells="Telur ayam",
            status="pending",
            created_by_id=actor_id,
        )
    )
    for key, unit, price in PRICES:
        db.session.add(
            ReferencePrice(
                item_key=key,
                unit=unit,
                month=today.replace(day=1),
                price=price,
                source="Survei harga pasar kecamatan",
                created_by_id=actor_id,
            )
        )
    db.session.flush()
    _csr_purchase(suppliers, actor_id, today, now)
    _round_purchase(suppliers, operator, today, now)


def _order(purchase: Purchase, supplier: Supplier, method: str, reason: str, today, now, actor_id):
    db.session.flush()
    total = sum(services.line_amount(li.quantity_milli, li.unit_price) for li in purchase.lines)
    db.session.execute(
        update(Purchase)
        .where(Purchase.id == purchase.id)
        .values(
            status="ordered",
            method=method,
            supplier_id=supplier.id,
            choice_reason=reason,
            total=total,
            ordered_on=today,
            ordered_at=now,
            ordered_by_id=actor_id,
        )
    )
    db.session.expire(purchase)


def _csr_purchase(suppliers, actor_id, today, now) -> None:
    need_id = next(iter(services.needs()), (None,))[0]
    if need_id is None:
        return
    purchase = Purchase(
        title="Telur dan kue untuk paket lansia", need_id=need_id, created_by_id=actor_id
    )
    db.session.add(purchase)
    db.session.flush()
    lines = [
        PurchaseLine(
            purchase_id=purchase.id,
            name="Telur",
            unit="kg",
            quantity_milli=50_000,
            unit_price=27_500,
            reference_price=28_000,
            packaging="reusable",
        ),
        PurchaseLine(
            purchase_id=purchase.id,
            name="Kue kering",
            unit="pack",
            quantity_milli=100_000,
            unit_price=15_000,
            packaging="biodegradable",
            packaging_grams=2_000,
        ),
    ]
    db.session.add_all(lines)
    db.session.add(
        Quote(
            purchase_id=purchase.id,
            supplier_id=suppliers[1].id,
            amount=2_875_000,
            received_on=today - timedelta(days=3),
            document_file=_document(),
            created_by_id=actor_id,
        )
    )
    _order(
        purchase,
        suppliers[1],
        "direct",
        "Usaha lulusan pelatihan desa, harga di bawah referensi",
        today,
        now,
        actor_id,
    )
    db.session.execute(
        update(PurchaseLine).where(PurchaseLine.id == lines[0].id).values(delivered_milli=50_000)
    )
    db.session.add(
        PurchaseDelivery(
            purchase_id=purchase.id,
            supplier_id=suppliers[1].id,
            line_id=lines[0].id,
            received_on=today,
            accepted_milli=50_000,
            rejected_milli=0,
            receipt_file=_document(),
            recorded_by_id=actor_id,
        )
    )
    draft = Purchase(
        title="Tas kain untuk paket berikutnya", need_id=need_id, created_by_id=actor_id
    )
    db.session.add(draft)
    db.session.flush()
    db.session.add(
        PurchaseLine(
            purchase_id=draft.id,
            name="Tas kain",
            unit="pcs",
            quantity_milli=200_000,
            unit_price=8_000,
            packaging="none",
        )
    )


def _round_purchase(suppliers, operator, today, now) -> None:
    """A purchase for the demo's first distribution round, when there is one."""
    rounds = services.rounds(services.OPEN_ROUNDS)
    if not rounds:
        return
    round_ = rounds[-1]
    items, points = services.round_items(round_.id), services.round_points(round_.id)
    if not items or not points:
        return
    actor_id = operator.id if operator else None
    purchase = Purchase(
        title="Sembako untuk penyaluran", round_id=round_.id, created_by_id=actor_id
    )
    db.session.add(purchase)
    db.session.flush()
    line = PurchaseLine(
        purchase_id=purchase.id,
        name=items[0][1],
        unit=items[0][2],
        round_item_id=items[0][0],
        quantity_milli=500_000,
        unit_price=12_500,
        packaging="reusable",
    )
    db.session.add(line)
    for supplier, amount in ((suppliers[0], 6_250_000), (suppliers[3], 6_600_000)):
        db.session.add(
            Quote(
                purchase_id=purchase.id,
                supplier_id=supplier.id,
                amount=amount,
                received_on=today - timedelta(days=5),
                document_file=_document(),
                created_by_id=actor_id,
            )
        )
    _order(purchase, suppliers[0], "direct", "Petani desa, harga terendah", today, now, actor_id)
    db.session.execute(
        update(PurchaseLine).where(PurchaseLine.id == line.id).values(delivered_milli=300_000)
    )
    delivery = PurchaseDelivery(
        purchase_id=purchase.id,
        supplier_id=suppliers[0].id,
        line_id=line.id,
        point_id=points[0][0],
        received_on=today,
        accepted_milli=300_000,
        rejected_milli=5_000,
        quality_note="Satu karung basah",
        receipt_file=_document(),
        recorded_by_id=actor_id,
    )
    db.session.add(delivery)
    db.session.flush()
    distribution.add_received(
        round_id=round_.id,
        point_id=points[0][0],
        item_id=line.round_item_id,
        quantity_milli=300_000,
        source="purchase",
        source_ref=f"purchase_delivery:{delivery.id}",
        actor=operator,
    )
    db.session.add_all(
        [
            PackedBatch(
                round_id=round_.id,
                packed_on=today,
                packages=80,
                packaging="reusable",
                own_bags=25,
                created_by_id=actor_id,
            ),
            PackedBatch(
                round_id=round_.id,
                packed_on=today,
                packages=15,
                packaging="plastic",
                packaging_grams=225,
                own_bags=0,
                created_by_id=actor_id,
            ),
        ]
    )
