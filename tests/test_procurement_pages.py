"""Procurement's pages: staff write and read by role, bad input beside the field with
nothing written, the purchase order PDF, the public pages and the open data."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from portal.extensions import db
from portal.forms import form_field
from portal.models_base import village_today
from portal.procurement import services
from portal.procurement.forms import DecideSupplierForm
from portal.procurement.models import PurchaseDelivery, Quote, Supplier
from tests.procurement_helpers import (
    PDF,
    document,
    ordered_purchase,
    round_to_buy_for,
    supplier,
)


def test_editors_write_auditors_read_and_others_are_refused(client, login_as, make_user):
    operator = make_user("operator")
    found = supplier(operator)
    login_as("auditor")
    assert client.get("/staf/pengadaan/").status_code == 200
    assert client.get(f"/staf/pengadaan/pemasok/{found.id}").status_code == 200
    assert client.get("/staf/pengadaan/pemasok/baru").status_code == 403
    assert client.post("/staf/pengadaan/pembelian/baru", data={}).status_code == 403
    page = client.get(f"/staf/pengadaan/pemasok/{found.id}").get_data(as_text=True)
    assert "supplier_decide" not in page and "/putuskan" not in page
    for role in ("resident", "partner", "trainer", "officer"):
        login_as(role)
        assert client.get("/staf/pengadaan/").status_code == 403, role
    login_as("operator")
    assert client.get("/staf/pengadaan/pemasok/baru").status_code == 200


def test_supplier_page_keeps_its_blank_decision_field(app, client, login_as, make_user):
    """The supplier's page (read as a plain row) writes the blank decision form's field
    kept per worker, as form_field writes it, in both languages; a rejection without a
    note comes back with the error beside the field."""
    found = supplier(make_user("operator"))
    login_as("operator")
    for lang in ("id", "en"):
        for _twice in range(2):
            page = client.get(f"/staf/pengadaan/pemasok/{found.id}?lang={lang}")
            page = page.get_data(as_text=True)
            with app.app_context(), app.test_request_context(f"/?lang={lang}"):
                field = str(form_field(DecideSupplierForm(meta={"csrf": False}).note))
            assert f"\n  {field}\n" in page and f"<h1>{found.name}</h1>" in page
    refused = client.post(f"/staf/pengadaan/pemasok/{found.id}/putuskan", data={"note": ""})
    page = refused.get_data(as_text=True)
    assert 'id="note-error"' in page and f"<h1>{found.name}</h1>" in page
    assert client.get("/staf/pengadaan/pemasok/99999").status_code == 404


def test_a_bad_supplier_is_shown_beside_the_field_and_nothing_is_written(client, login_as):
    login_as("operator")
    response = client.post(
        "/staf/pengadaan/pemasok/baru",
        data={
            "name": "Tani Jaya",
            "kind": "farmer",
            "location": "village",
            "village_name": "Duri Selatan",
            "rt": "",
            "rw": "1",
            "sells": "Sayur",
            "nib": "",
            "training_place_id": "0",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="rt-error"' in page and 'value="Tani Jaya"' in page
    assert db.session.scalar(select(func.count()).select_from(Supplier)) == 0


def test_a_quote_that_is_not_a_document_is_refused(client, login_as, make_user):
    round_, operator = round_to_buy_for(make_user)
    seller = supplier(operator)
    purchase = services.start_purchase(title="Beras", target=f"round:{round_.id}", actor=operator)
    login_as("operator")
    response = client.post(
        f"/staf/pengadaan/pembelian/{purchase.id}/penawaran",
        data={
            "supplier_id": str(seller.id),
            "amount": "1.000.000",
            "received_on": village_today().isoformat(),
            "document": (io.BytesIO(b"MZ\x90\x00 not a document"), "penawaran.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert 'id="document-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Quote)) == 0


def test_a_delivery_over_the_order_is_refused_beside_the_field(client, login_as, make_user):
    round_, operator = round_to_buy_for(make_user)
    seller = supplier(operator)
    purchase, line = ordered_purchase(round_, operator, seller)
    point_id = services.round_points(round_.id)[0][0]
    login_as("operator")
    data = {
        "line_id": str(line.id),
        "supplier_id": str(seller.id),
        "point_id": str(point_id),
        "received_on": village_today().isoformat(),
        "accepted": "150",
        "rejected": "0",
    }
    response = client.post(
        f"/staf/pengadaan/pembelian/{purchase.id}/pengiriman",
        data={**data, "receipt": (io.BytesIO(PDF), "kuitansi.pdf")},
        content_type="multipart/form-data",
    )
    assert 'id="accepted-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PurchaseDelivery)) == 0
    response = client.post(
        f"/staf/pengadaan/pembelian/{purchase.id}/pengiriman",
        data={**data, "accepted": "40", "receipt": (io.BytesIO(PDF), "kuitansi.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    delivery = db.session.scalars(select(PurchaseDelivery)).one()
    assert delivery.accepted_milli == 40_000
    receipt = client.get(f"/staf/pengadaan/berkas/kuitansi/{delivery.id}")
    assert receipt.status_code == 200 and receipt.data.startswith(b"%PDF-")


def test_the_purchase_order_pdf_names_the_supplier_and_total(client, login_as, make_user):
    round_, operator = round_to_buy_for(make_user)
    seller = supplier(operator, name="Kelompok Tani Subur")
    purchase, _line = ordered_purchase(round_, operator, seller)
    login_as("auditor")
    response = client.get(f"/staf/pengadaan/pembelian/{purchase.id}/po.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    from tests.test_csr import pdf_text

    text = pdf_text(response.data)
    assert "Kelompok Tani Subur" in text and "1.200.000" in text


def test_public_pages_show_shares_and_no_private_contact(client, make_user):
    round_, operator = round_to_buy_for(make_user)
    seller = supplier(operator, is_person=True, contact_name="Pak Darto Wiryo")
    ordered_purchase(round_, operator, seller)
    year = village_today().year
    for url, lang in (
        (f"/pengadaan/tahun/{year}", "id"),
        (f"/pengadaan/putaran/{round_.id}", "en"),
    ):
        page = client.get(f"{url}?lang={lang}").get_data(as_text=True)
        assert "<svg" in page and "<table" in page and "100%" in page
        assert "Pak Darto" not in page and "0812" not in page
    assert client.get("/pengadaan/tahun/1999").status_code == 404
    index = client.get("/pengadaan/").get_data(as_text=True)
    assert f"/pengadaan/tahun/{year}" in index
    data = json.loads(client.get("/pengadaan/data.json").data)
    assert data["count"] == 1 and data["rows"][0]["supplier"] == seller.name
    assert "Pak Darto" not in json.dumps(data)
    scoped = json.loads(client.get(f"/pengadaan/putaran/{round_.id}/data.json").data)
    assert scoped["count"] == 1 and scoped["rows"][0]["round_id"] == round_.id
    assert client.get(f"/pengadaan/tahun/{year}/data.csv").status_code == 200
    assert client.get(f"/pengadaan/putaran/{round_.id + 1}/data.json").status_code == 404
    csv = client.get("/pengadaan/data.csv").get_data(as_text=True)
    assert "supplier_village" in csv and "Duri Selatan" in csv


def test_a_replaced_purchase_is_marked_on_its_page_and_in_the_list(client, login_as, make_user):
    round_, operator = round_to_buy_for(make_user)
    seller = supplier(operator)
    purchase, _line = ordered_purchase(round_, operator, seller)
    new = services.correct_purchase(purchase.id, reason="Harga salah ketik", actor=operator)
    login_as("operator")
    muted = '<span class="tag tag-muted">'
    assert muted not in client.get(f"/staf/pengadaan/pembelian/{purchase.id}").get_data(True)
    services.add_quote(
        new.id,
        supplier_id=seller.id,
        amount=1_200_000,
        received_on=village_today(),
        document=document(),
        note=None,
        actor=operator,
    )
    services.order_purchase(
        new.id,
        method="direct",
        supplier_id=seller.id,
        reason="Harga terbaik",
        price_reason=None,
        actor=operator,
    )
    # Replaced once the correction is ordered: on its page and in the staff list, where
    # each purchase names its supplier.
    assert muted in client.get(f"/staf/pengadaan/pembelian/{purchase.id}").get_data(True)
    assert muted not in client.get(f"/staf/pengadaan/pembelian/{new.id}").get_data(True)
    listed = client.get("/staf/pengadaan/").get_data(as_text=True)
    assert listed.count(muted) == 1 and listed.count(seller.name) == 2
