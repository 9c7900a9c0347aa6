"""A delivery is corrected by a new record, never an edit: goods given back after they
were accepted lower the line's total and leave the round's stock, with the reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from portal.distribution import services as distribution
from portal.distribution.models import StockMovement
from portal.extensions import db
from portal.models_base import village_today
from portal.procurement import services
from portal.procurement.models import DeliveryReturn, PurchaseLine
from tests.procurement_helpers import document, ordered_purchase, round_to_buy_for, supplier


def _delivered(make_user, accepted="60"):
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
        accepted=accepted,
        rejected="0",
        quality_note="",
        receipt=document(),
        actor=operator,
    )
    return round_, operator, purchase, line, delivery, point_id


def test_goods_given_back_lower_the_line_and_leave_the_stock(make_user):
    round_, operator, purchase, line, delivery, point_id = _delivered(make_user)
    given_back = services.return_goods(
        delivery.id,
        quantity="15",
        reason="Beras berkutu",
        returned_on=village_today(),
        actor=operator,
    )
    db.session.expire_all()
    assert db.session.get(PurchaseLine, line.id).delivered_milli == 45_000
    returned = db.session.scalars(
        select(StockMovement).where(
            StockMovement.source_ref == f"procurement_return:{given_back.id}"
        )
    ).all()
    assert [(m.kind, m.quantity_milli, m.point_id, m.reason) for m in returned] == [
        ("returned", 15_000, point_id, "Beras berkutu")
    ]
    assert distribution.on_hand(round_.id, point_id, line.round_item_id) == 45_000
    # More than is left of the delivery is refused, and so is a return without a reason.
    with pytest.raises(services.ProcurementError) as refused:
        services.return_goods(
            delivery.id, quantity="46", reason="x", returned_on=village_today(), actor=operator
        )
    assert refused.value.field == "return_quantity"
    for kwargs, field in (
        (dict(reason=" "), "return_reason"),
        (dict(returned_on=village_today() + timedelta(days=1)), "return_on"),
        (dict(quantity="0"), "return_quantity"),
    ):
        data = dict(quantity="1", reason="Rusak", returned_on=village_today(), actor=operator)
        data.update(kwargs)
        with pytest.raises(services.ProcurementError) as refused:
            services.return_goods(delivery.id, **data)
        assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(DeliveryReturn)) == 1
    # The line can take the goods again from a new delivery.
    assert db.session.get(PurchaseLine, line.id).quantity_milli - 45_000 == 55_000


def test_goods_already_handed_out_cannot_go_back(make_user):
    round_, operator, purchase, line, delivery, point_id = _delivered(make_user, accepted="10")
    distribution.write_off(
        round_.id,
        point_id=point_id,
        item_id=line.round_item_id,
        kind="damaged",
        quantity_milli=8_000,
        reason="Basah kena hujan",
        actor=operator,
    )
    with pytest.raises(services.ProcurementError) as refused:
        services.return_goods(
            delivery.id, quantity="5", reason="Kutu", returned_on=village_today(), actor=operator
        )
    assert refused.value.field == "return_quantity"
    db.session.expire_all()
    assert db.session.get(PurchaseLine, line.id).delivered_milli == 10_000
    assert db.session.scalar(select(func.count()).select_from(DeliveryReturn)) == 0


def test_a_return_cannot_be_rewritten(make_user):
    round_, operator, purchase, line, delivery, point_id = _delivered(make_user)
    services.return_goods(
        delivery.id, quantity="1", reason="Rusak", returned_on=village_today(), actor=operator
    )
    with pytest.raises((IntegrityError, DBAPIError)):
        db.session.execute(text("UPDATE procurement_return SET quantity_milli = 2"))
    db.session.rollback()
    with pytest.raises((IntegrityError, DBAPIError)):
        db.session.execute(text("DELETE FROM procurement_return"))
    db.session.rollback()


def test_the_purchase_page_gives_goods_back_beside_the_field(client, login_as, make_user):
    round_, operator, purchase, line, delivery, point_id = _delivered(make_user)
    login_as("auditor")
    assert client.post(f"/staf/pengadaan/pembelian/{purchase.id}/pengembalian").status_code == 403
    login_as("operator")
    page = client.get(f"/staf/pengadaan/pembelian/{purchase.id}?lang=en").get_data(as_text=True)
    assert "Give goods back" in page
    data = {
        "return_delivery": str(delivery.id),
        "return_quantity": "99",
        "return_on": village_today().isoformat(),
        "return_reason": "Beras apek",
    }
    response = client.post(
        f"/staf/pengadaan/pembelian/{purchase.id}/pengembalian?lang=en", data=data
    )
    body = response.get_data(as_text=True)
    assert 'id="return_quantity-error"' in body and "Beras apek" in body
    assert db.session.scalar(select(func.count()).select_from(DeliveryReturn)) == 0
    response = client.post(
        f"/staf/pengadaan/pembelian/{purchase.id}/pengembalian",
        data={**data, "return_quantity": "5"},
    )
    assert response.status_code == 302
    page = client.get(f"/staf/pengadaan/pembelian/{purchase.id}?lang=en").get_data(as_text=True)
    assert "Goods given back" in page and "Beras apek" in page
