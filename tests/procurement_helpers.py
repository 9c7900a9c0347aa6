"""Building blocks for the procurement tests: documents, verified suppliers, a draft
round to buy for, and an ordered purchase."""

from __future__ import annotations

import io

from PIL import Image

from portal.models_base import village_today
from portal.procurement import services
from portal.uploads import clean_document, clean_image
from tests.distribution_helpers import draft_round, published_list

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes(color=(200, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="PNG")
    return out.getvalue()


def document():
    return clean_document(PDF, max_side=1600, limit=5 * 1024 * 1024)


def photo():
    return clean_image(png_bytes(), max_side=1600, as_logo=False)


def supplier(actor, name="Kelompok Tani Makmur", *, location="village", verify=True, **fields):
    data = {
        "name": name,
        "kind": "producer_group",
        "location": location,
        "village_name": "Duri Selatan" if location == "village" else "Duri Utara",
        "rt": "2" if location == "village" else None,
        "rw": "1" if location == "village" else None,
        "contact_name": "Ibu Ani",
        "phone": "0812 3456 7890",
        "sells": "Beras, telur",
        **fields,
    }
    found = services.save_supplier(None, data, actor=actor)
    if verify:
        services.decide_supplier(found.id, verified=True, note=None, actor=actor)
    return found


def round_to_buy_for(make_user, households: int = 30):
    """A draft distribution round (rice in kg, oil in l) and its operator."""
    _period, version, operator, _head = published_list(make_user, households)
    return draft_round(version, operator), operator


def ordered_purchase(round_, operator, seller, *, quantity="100", price=12_000, item=0):
    """An ordered round purchase of one line (the round's item number `item`)."""
    purchase = services.start_purchase(
        title="Beras untuk penyaluran", target=f"round:{round_.id}", actor=operator
    )
    item_id, name, unit = services.round_items(round_.id)[item]
    line = services.add_line(
        purchase.id,
        name=name,
        unit=unit,
        quantity=quantity,
        unit_price=price,
        round_item_id=item_id,
        packaging="reusable",
        packaging_grams=None,
        actor=operator,
    )
    services.add_quote(
        purchase.id,
        supplier_id=seller.id,
        amount=price * int(float(quantity)),
        received_on=village_today(),
        document=document(),
        note=None,
        actor=operator,
    )
    services.order_purchase(
        purchase.id,
        method="direct",
        supplier_id=seller.id,
        reason="Harga terbaik dan petani desa sendiri",
        price_reason=None,
        actor=operator,
    )
    return purchase, line
