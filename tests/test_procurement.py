"""Procurement: suppliers verified before they are chosen, the method the amount needs,
quotes, deliveries into the round's stock, append-only records, concurrency."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.distribution import services as distribution
from portal.extensions import db
from portal.models_base import village_today
from portal.procurement import services
from portal.procurement.models import Purchase, PurchaseDelivery, PurchaseLine, Quote, Supplier
from tests.procurement_helpers import (
    document,
    ordered_purchase,
    photo,
    round_to_buy_for,
    supplier,
)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_supplier_waits_for_verification_and_bad_input_is_refused(make_user):
    operator = make_user("operator")
    found = supplier(operator, verify=False)
    assert found.status == "pending" and found.rt == 2
    with pytest.raises(services.ProcurementError) as error:
        supplier(operator, name="Toko Tanpa RT", location="village", rt=None, verify=False)
    assert error.value.field == "rt"
    with pytest.raises(services.ProcurementError) as error:
        supplier(operator, name="Toko NIB", nib="12345", verify=False)
    assert error.value.field == "nib"
    assert _count(Supplier) == 1
    with pytest.raises(services.ProcurementError) as error:
        services.decide_supplier(found.id, verified=False, note="", actor=operator)
    assert error.value.field == "note"
    services.decide_supplier(found.id, verified=True, note=None, actor=operator)
    assert db.session.get(Supplier, found.id).status == "verified"
    auditor = make_user("auditor")
    with pytest.raises(services.ProcurementError):
        services.decide_supplier(found.id, verified=False, note="x", actor=auditor)


def test_a_supplier_links_only_to_a_completed_business_course(make_user):
    operator = make_user("operator")
    with pytest.raises(services.ProcurementError) as error:
        supplier(operator, training_place_id=999, verify=False)
    assert error.value.field == "training_place_id"


def test_the_method_must_match_the_amount_and_quotes_must_suffice(app, make_user):
    round_, operator = round_to_buy_for(make_user)
    seller = supplier(operator)
    other = supplier(operator, name="Koperasi Sejahtera", location="district")
    purchase = services.start_purchase(
        title="Beras banyak", target=f"round:{round_.id}", actor=operator
    )
    item_id, name, unit = services.round_items(round_.id)[0]
    # 1,500 kg at Rp12,000 = Rp18 million: above direct purchase.
    services.add_line(
        purchase.id,
        name=name,
        unit=unit,
        quantity="1500",
        unit_price=12_000,
        round_item_id=item_id,
        packaging="biodegradable",
        packaging_grams=3000,
        actor=operator,
    )
    services.add_quote(
        purchase.id,
        supplier_id=seller.id,
        amount=18_000_000,
        received_on=village_today(),
        document=document(),
        note=None,
        actor=operator,
    )
    order = dict(supplier_id=seller.id, reason="Petani desa", price_reason=None, actor=operator)
    with pytest.raises(services.ProcurementError) as error:
        services.order_purchase(purchase.id, method="direct", **order)
    assert error.value.field == "method"
    with pytest.raises(services.ProcurementError) as error:
        services.order_purchase(purchase.id, method="quotes", **order)
    assert error.value.field == "method"
    with app.test_request_context():
        assert "2" in str(error.value.message)
    services.add_quote(
        purchase.id,
        supplier_id=other.id,
        amount=19_000_000,
        received_on=village_today(),
        document=document(),
        note=None,
        actor=operator,
    )
    with pytest.raises(services.ProcurementError) as error:
        services.order_purchase(purchase.id, method="quotes", **{**order, "reason": ""})
    assert error.value.field == "reason"
    db.session.expire_all()
    assert db.session.get(Purchase, purchase.id).status == "draft"
    done = services.order_purchase(purchase.id, method="quotes", **order)
    assert done.status == "ordered" and done.total == 18_000_000
    assert services.required_method(200_000_001) == "tender"


def test_the_thresholds_come_from_the_configuration(app, make_user):
    app.config["PROCUREMENT_DIRECT_MAX"] = 1_000
    assert services.required_method(1_001) == "quotes"
    app.config["PROCUREMENT_DIRECT_MAX"] = 10_000_000
    assert services.required_method(1_001) == "direct"


def test_a_price_over_the_reference_needs_a_reason_and_is_flagged(make_user):
    round_, operator = round_to_buy_for(make_user)
    seller = supplier(operator)
    item_id, name, unit = services.round_items(round_.id)[0]
    services.set_reference_price(
        item=name, unit=unit, month=village_today(), price=10_000, source="Dinas", actor=operator
    )
    with pytest.raises(services.ProcurementError) as error:
        ordered_purchase(round_, operator, seller, price=12_100)
    assert error.value.field == "price_reason"
    purchase = db.session.scalars(select(Purchase)).one()
    assert purchase.status == "draft"
    services.order_purchase(
        purchase.id,
        method="direct",
        supplier_id=seller.id,
        reason="Satu-satunya penjual",
        price_reason="Musim paceklik, harga pasar naik",
        actor=operator,
    )
    db.session.expire_all()
    purchase = db.session.get(Purchase, purchase.id)
    assert purchase.price_flagged and purchase.lines[0].reference_price == 10_000
    assert [p.id for p in services.flagged_purchases()] == [purchase.id]


def test_only_a_verified_supplier_that_quoted_can_be_chosen(make_user):
    round_, operator = round_to_buy_for(make_user)
    pending = supplier(operator, name="Belum Diverifikasi", verify=False)
    purchase = services.start_purchase(title="Minyak", target=f"round:{round_.id}", actor=operator)
    with pytest.raises(services.ProcurementError) as error:
        services.add_quote(
            purchase.id,
            supplier_id=pending.id,
            amount=1000,
            received_on=village_today(),
            document=document(),
            note=None,
            actor=operator,
        )
    assert error.value.field == "supplier_id"
    assert _count(Quote) == 0


def test_an_accepted_delivery_enters_the_rounds_stock(make_user):
    round_, operator = round_to_buy_for(make_user)
    seller = supplier(operator)
    purchase, line = ordered_purchase(round_, operator, seller)
    point_id = services.round_points(round_.id)[0][0]
    delivery = services.record_delivery(
        purchase.id,
        line_id=line.id,
        supplier_id=seller.id,
        point_id=point_id,
        received_on=village_today(),
        accepted="60",
        rejected="5",
        quality_note="5 kg basah",
        photo=photo(),
        receipt=document(),
        actor=operator,
    )
    stock = distribution.received_by_ref(f"purchase_delivery:{delivery.id}")
    assert [(s.quantity_milli, s.point_id, s.item_id, s.source) for s in stock] == [
        (60_000, point_id, line.round_item_id, "purchase")
    ]
    db.session.expire_all()
    assert db.session.get(PurchaseLine, line.id).delivered_milli == 60_000
    assert (
        db.session.scalar(
            select(func.count()).where(
                AuditEntry.action == "receive", AuditEntry.object_id == str(purchase.id)
            )
        )
        == 1
    )


def test_bad_deliveries_write_nothing(make_user):
    round_, operator = round_to_buy_for(make_user)
    seller = supplier(operator)
    other = supplier(operator, name="Toko Lain", location="outside")
    purchase, line = ordered_purchase(round_, operator, seller)
    point_id = services.round_points(round_.id)[0][0]
    base = dict(
        line_id=line.id,
        supplier_id=seller.id,
        point_id=point_id,
        received_on=village_today(),
        accepted="10",
        rejected="0",
        quality_note="",
        photo=None,
        receipt=document(),
        actor=operator,
    )
    cases = [
        ({"accepted": "100.5"}, "accepted"),  # over the ordered 100
        ({"supplier_id": other.id}, "supplier_id"),  # another supplier's order
        ({"receipt": None}, "receipt"),
        ({"rejected": "2"}, "quality_note"),
        ({"accepted": "abc"}, "accepted"),
        ({"point_id": None}, "point_id"),
    ]
    for change, field in cases:
        with pytest.raises(services.ProcurementError) as error:
            services.record_delivery(purchase.id, **{**base, **change})
        assert error.value.field == field, change
    assert _count(PurchaseDelivery) == 0
    assert distribution.received_by_ref("purchase_delivery:1") == []
    db.session.expire_all()
    assert db.session.get(PurchaseLine, line.id).delivered_milli == 0


def test_a_delivery_the_stock_ledger_refuses_is_not_kept(make_user):
    round_, operator = round_to_buy_for(make_user)
    seller = supplier(operator)
    purchase, line = ordered_purchase(round_, operator, seller)
    with pytest.raises(services.ProcurementError) as error:
        services.record_delivery(
            purchase.id,
            line_id=line.id,
            supplier_id=seller.id,
            point_id=10**6,
            received_on=village_today(),
            accepted="10",
            rejected="0",
            quality_note="",
            receipt=document(),
            actor=operator,
        )
    assert error.value.field == "point_id"
    assert _count(PurchaseDelivery) == 0
    db.session.expire_all()
    assert db.session.get(PurchaseLine, line.id).delivered_milli == 0


def test_an_ordered_purchase_is_frozen_and_corrected_by_a_new_one(make_user):
    round_, operator = round_to_buy_for(make_user)
    seller = supplier(operator)
    purchase, line = ordered_purchase(round_, operator, seller)
    with pytest.raises(services.ProcurementError):
        services.remove_line(purchase.id, line.id, actor=operator)
    for statement in (
        "UPDATE procurement_purchase SET total = 1 WHERE id = :id",
        "DELETE FROM procurement_purchase WHERE id = :id",
        "UPDATE procurement_line SET unit_price = 1 WHERE purchase_id = :id",
        "DELETE FROM procurement_line WHERE purchase_id = :id",
        "UPDATE procurement_quote SET amount = 1 WHERE purchase_id = :id",
    ):
        with pytest.raises((IntegrityError, DBAPIError)):
            db.session.execute(text(statement), {"id": purchase.id})
            db.session.flush()
        db.session.rollback()
    with pytest.raises(services.ProcurementError) as error:
        services.correct_purchase(purchase.id, reason="", actor=operator)
    assert error.value.field == "reason"
    new = services.correct_purchase(purchase.id, reason="Harga salah ketik", actor=operator)
    assert new.corrects_id == purchase.id and new.status == "draft"
    assert [(li.name, li.quantity_milli) for li in new.lines] == [(line.name, line.quantity_milli)]
    assert purchase.id not in services.superseded_ids()  # until the correction is ordered
    with pytest.raises(services.ProcurementError) as error:  # goods now come against the new one
        services.record_delivery(
            purchase.id,
            line_id=line.id,
            supplier_id=seller.id,
            point_id=services.round_points(round_.id)[0][0],
            received_on=village_today(),
            accepted="1",
            rejected="0",
            quality_note="",
            receipt=document(),
            actor=operator,
        )
    assert error.value.field == "line_id"


def test_the_line_total_cannot_pass_the_ordered_quantity_in_the_database(make_user):
    round_, operator = round_to_buy_for(make_user)
    purchase, line = ordered_purchase(round_, operator, supplier(operator))
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE procurement_line SET delivered_milli = quantity_milli + 1 WHERE id = :id"),
            {"id": line.id},
        )
        db.session.flush()
    db.session.rollback()


@pytest.mark.concurrency
def test_concurrent_deliveries_never_pass_the_ordered_quantity(app, make_user):
    """12 threads, each with its own session, deliver 10 kg against a line of 100 kg:
    exactly 10 succeed, the stock ledger holds exactly 100 kg from them."""
    round_, operator = round_to_buy_for(make_user)
    seller = supplier(operator)
    purchase, line = ordered_purchase(round_, operator, seller)
    point_id = services.round_points(round_.id)[0][0]
    ids = dict(purchase=purchase.id, line=line.id, seller=seller.id, operator=operator.id)
    db.session.commit()
    barrier = threading.Barrier(12, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def deliver():
        with app.app_context():
            actor = db.session.get(User, ids["operator"])
            receipt = document()
            db.session.close()
            barrier.wait()
            try:
                services.record_delivery(
                    ids["purchase"],
                    line_id=ids["line"],
                    supplier_id=ids["seller"],
                    point_id=point_id,
                    received_on=village_today(),
                    accepted="10",
                    rejected="0",
                    quality_note="",
                    receipt=receipt,
                    actor=actor,
                )
                result = "ok"
            except services.ProcurementError:
                result = "refused"
            except Exception as error:  # anything else fails the test
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=deliver) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert outcomes.count("ok") == 10 and outcomes.count("refused") == 2, outcomes
    db.session.expire_all()
    assert db.session.get(PurchaseLine, ids["line"]).delivered_milli == 100_000
    stocked = sum(
        s.quantity_milli
        for d in db.session.scalars(select(PurchaseDelivery))
        for s in distribution.received_by_ref(f"purchase_delivery:{d.id}")
    )
    assert stocked == 100_000 and _count(PurchaseDelivery) == 10


def test_public_summary_counts_local_spend_and_hides_nothing_it_should_not(make_user):
    round_, operator = round_to_buy_for(make_user)
    local = supplier(operator, is_person=True)
    far = supplier(operator, name="Distributor Kota", location="outside")
    ordered_purchase(round_, operator, local, quantity="100", price=12_000)
    ordered_purchase(round_, operator, far, quantity="10", price=20_000, item=1)
    services.add_packed_batch(
        round_id=round_.id,
        packed_on=village_today(),
        packages=40,
        packaging="reusable",
        packaging_grams=None,
        own_bags=10,
        note=None,
        actor=operator,
    )
    services.add_packed_batch(
        round_id=round_.id,
        packed_on=village_today(),
        packages=20,
        packaging="plastic",
        packaging_grams=300,
        own_bags=0,
        note=None,
        actor=operator,
    )
    result = services.summary(round_id=round_.id)
    assert result.spend == 1_400_000
    assert result.spend_by_location["village"] == 1_200_000
    assert result.share("village") == 86 and result.share("village", "district") == 86
    assert (result.suppliers, result.local_suppliers, result.local_from_courses) == (2, 1, 0)
    assert result.packaging["reusable"] == 40 and result.packaging[services.OWN_BAG] == 10
    assert result.plastic_avoided_kg == 0.8  # 50 packages x 15 g
    rows = services.data_rows(round_id=round_.id)
    assert {r["supplier"] for r in rows} == {local.name, far.name}
    assert all("phone" not in r and "contact" not in str(r) for r in rows)
    assert "0812" not in str(rows) and "Ibu Ani" not in str(rows)


def test_the_demo_buys_for_a_round_and_its_delivery_is_in_stock(make_user):
    from portal.devdata import procurement as demo

    round_, _operator = round_to_buy_for(make_user)
    demo.seed()  # no CSR need in this database: only the round's purchase
    db.session.commit()
    assert _count(Supplier) == 6
    round_purchase = db.session.scalars(
        select(Purchase).where(Purchase.round_id == round_.id)
    ).one()
    assert round_purchase.status == "ordered" and len(round_purchase.quotes) == 2
    delivery = db.session.scalars(
        select(PurchaseDelivery).where(PurchaseDelivery.purchase_id == round_purchase.id)
    ).one()
    stock = distribution.received_by_ref(f"purchase_delivery:{delivery.id}")
    assert [s.quantity_milli for s in stock] == [delivery.accepted_milli] == [300_000]
    result = services.summary(round_id=round_.id)
    assert result.spend == 6_250_000 and result.share("village") == 100
    assert result.packaging[services.OWN_BAG] == 25
