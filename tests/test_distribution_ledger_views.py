"""The stock, closing and arrival-check pages: who may read and write each route, the
forms doing what the services do, bad input kept beside its field, and the public
reconciliation page showing counts only, in both languages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.distribution import services
from portal.distribution.models import (
    ArrivalCheck,
    DistributionRound,
    Entitlement,
    StockMovement,
)
from portal.extensions import db
from portal.roles import EDITORS, READERS, ROLES
from portal.security import PUBLIC_ATTR, ROLES_ATTR
from tests.distribution_handovers import hand_over, open_round
from tests.distribution_helpers import approved_round

READ_PAGES = ("stok", "tutup", "sampel")
WRITES = ("stok/terima", "stok/pindah", "stok/keluar", "tutup", "tutup/rekonsiliasi", "sampel")


@pytest.fixture
def round_(make_user):
    round_, _version, operator, _head = approved_round(make_user)
    return db.session.get(DistributionRound, round_.id)


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("distribution_ledger.")]


def test_every_route_names_its_roles(app):
    roles = {}
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        methods = rule.methods - {"HEAD", "OPTIONS"}
        roles[(rule.rule, tuple(sorted(methods)))] = getattr(view, ROLES_ATTR, None) or getattr(
            view, PUBLIC_ATTR, None
        )
    assert len(roles) == 14
    for (path, methods), allowed in roles.items():
        if path.startswith("/penyaluran/"):
            assert allowed is True, path
        elif methods == ("GET",):
            assert set(allowed) == set(READERS), path
        else:
            assert set(allowed) == set(EDITORS), path


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_it_may(client, login_as, round_, role):
    login_as(role)
    base = f"/staf/penyaluran/{round_.id}/"
    for page in READ_PAGES:
        response = client.get(base + page)
        assert response.status_code == (200 if role in READERS else 403), (role, page)
    for action in WRITES:
        response = client.post(base + action, data={})
        if role in EDITORS:
            assert response.status_code in (200, 302), (role, action)
        else:
            assert response.status_code == 403, (role, action)


def test_stock_forms_write_the_ledger_and_keep_bad_input(client, login_as, round_):
    operator = login_as("operator")
    point, rice = round_.points[0], round_.items[0]
    base = f"/staf/penyaluran/{round_.id}/stok"
    response = client.post(
        base + "/terima",
        data={
            "in-point_id": point.id,
            "in-item_id": rice.id,
            "in-quantity": "250,5",
            "in-source": "supplier",
            "in-source_note": "Toko Tani",
        },
    )
    assert response.status_code == 302
    assert services.on_hand(round_.id, point.id, rice.id) == 250_500
    response = client.post(
        base + "/keluar",
        data={
            "out-point_id": point.id,
            "out-item_id": rice.id,
            "out-kind": "lost",
            "out-quantity": "300",
            "out-reason": "Dicuri",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="300"' in page and "Dicuri" in page
    assert "has-error" in page
    response = client.post(
        base + "/keluar",
        data={
            "out-point_id": point.id,
            "out-item_id": rice.id,
            "out-kind": "lost",
            "out-quantity": "abc",
        },
    )
    assert response.status_code == 200 and 'value="abc"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 1
    page = client.get(base).get_data(as_text=True)
    assert 'data-on-hand="250500"' in page and "Toko Tani" in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "receive_stock"))
    assert entry.actor_id == operator.id


def test_close_reconcile_sample_and_the_public_page(client, login_as, round_):
    login_as("operator")
    open_round(round_.id)
    entitlements = db.session.scalars(
        select(Entitlement).where(Entitlement.round_id == round_.id).order_by(Entitlement.id)
    ).all()
    for e in entitlements[:-3]:
        hand_over(e)
    base = f"/staf/penyaluran/{round_.id}"
    assert client.post(base + "/tutup").status_code == 302
    db.session.expire_all()
    assert db.session.get(DistributionRound, round_.id).status == "closed"
    page = client.get(base + "/tutup").get_data(as_text=True)
    assert 'data-status-count="not_collected">3<' in page
    collector = db.session.get(Entitlement, entitlements[-1].id).collector
    if collector is not None:
        assert collector.name in page  # staff see who did not collect

    assert client.post(base + "/sampel").status_code == 302
    check = db.session.scalars(select(ArrivalCheck).order_by(ArrivalCheck.id)).first()
    response = client.post(
        f"{base}/sampel/{check.id}",
        data={"method": "call", "result": "not_received", "named_staff_id": "0", "note": ""},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    code = re.search(r"data-tracking-code>([A-Z0-9-]+)<", page).group(1)
    from portal.complaints import services as complaints

    assert complaints.find_by_code(code).category == "misuse"

    assert client.post(base + "/tutup/rekonsiliasi", data={"note": "Cocok"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(DistributionRound, round_.id).status == "reconciled"

    with client.session_transaction() as session:
        session.clear()  # a visitor
    for lang, word in (("id", "Rekonsiliasi"), ("en", "Reconciliation")):
        public = client.get(f"/penyaluran/{round_.id}/rekonsiliasi?lang={lang}")
        text = public.get_data(as_text=True)
        assert public.status_code == 200 and word in text
        for e in entitlements:
            for person in (e.collector, e.alternate):
                if person is not None:
                    assert person.name not in text
                    assert person.nik not in text
        assert "fewer than 5" in text or "kurang dari 5" in text  # 3 not collected, 1 checked


def test_the_public_page_waits_for_the_round_to_close(client, round_):
    assert client.get(f"/penyaluran/{round_.id}/rekonsiliasi").status_code == 404
    assert client.get("/penyaluran/999999/rekonsiliasi").status_code == 404


def test_the_closing_page_names_the_live_follow_up_round(client, login_as, round_):
    """The closing page reads the follow-up round with the round (one statement): a
    live one is named with its status, a cancelled one gives the form back."""
    operator = login_as("operator")
    open_round(round_.id)
    base = f"/staf/penyaluran/{round_.id}"
    assert client.post(base + "/tutup").status_code == 302
    form = f'action="{base}/tutup/lanjutan"'
    assert form in client.get(base + "/tutup").get_data(as_text=True)
    start = round_.ends_on + timedelta(days=7)
    follow = services.create_follow_up(
        round_.id, title_id="Susulan Juli", starts_on=start, ends_on=start, actor=operator
    )
    page = client.get(base + "/tutup").get_data(as_text=True)
    assert "Susulan Juli" in page and form not in page
    services.cancel_round(follow.id, reason="Tidak jadi", actor=operator)
    page = client.get(base + "/tutup").get_data(as_text=True)
    assert "Susulan Juli" not in page and form in page
    assert client.get("/staf/penyaluran/999999/tutup").status_code == 404


def test_the_closing_page_blank_forms_are_kept_and_a_form_sent_back_shows_its_input(
    client, login_as, round_
):
    """A GET's blank reconcile note and follow-up fields are kept per worker
    (kept_fragment): a follow-up sent back with an error shows what was typed and the
    error, and the next GET is blank again, the same markup as the first."""
    login_as("operator")
    open_round(round_.id)
    base = f"/staf/penyaluran/{round_.id}"
    assert client.post(base + "/tutup").status_code == 302

    def forms(html: str) -> str:
        return html[html.index('id="note"') : html.index("</main>")]

    for lang in ("id", "en"):
        blank = client.get(base + "/tutup", query_string={"lang": lang}).get_data(as_text=True)
        assert 'id="title_id"' in blank and 'id="ends_on"' in blank
        sent = client.post(f"{base}/tutup/lanjutan?lang={lang}", data={"title_en": "Carried"})
        assert sent.status_code == 200
        text = sent.get_data(as_text=True)
        assert 'value="Carried"' in text and 'aria-invalid="true"' in text
        again = client.get(base + "/tutup", query_string={"lang": lang}).get_data(as_text=True)
        assert 'value="Carried"' not in again and 'aria-invalid="true"' not in again
        assert forms(again) == forms(blank)
    english = client.get(base + "/tutup", query_string={"lang": "en"}).get_data(as_text=True)
    assert "Title (Indonesian)" in english and "Note (optional)" in english
