"""Resident verification lives on the registry side (issue 12): accounts asks the check
the registry registers (portal/accounts/identity.py), and the /staf/warga pages are the
registry's, at the same URLs and endpoint names as before."""

from __future__ import annotations

from datetime import date

import pytest

from portal.accounts import identity
from portal.extensions import db
from portal.registry import verification
from portal.registry.validation import make_nik
from tests import registry_helpers as rh

BORN = date(1985, 3, 9)
KK = "1403090903850007"
MOTHER = "Rohani"


def _owner():
    home = rh.household(kk_number=KK, rt=1, rw=1)
    person = rh.person(
        home,
        "Dewi Lestari",
        born=BORN,
        nik=make_nik("140309", BORN, "female", 7),
        mother_name=MOTHER,
    )
    db.session.commit()
    return person


def test_the_app_gives_accounts_the_registrys_check(app):
    registered = identity._VERIFIER
    assert registered == [verification.verify_resident]


def test_the_verify_page_uses_the_registered_check(client, make_user, monkeypatch):
    """/akun/verifikasi calls whatever the registry registered, with the typed proof."""
    calls = []

    def fake(user, nik, birth_date, kk_number, mother_name, *, ip=None):
        calls.append((user.id, nik, birth_date, kk_number, mother_name))
        return "pending"

    monkeypatch.setattr(identity, "_VERIFIER", [fake])
    user = make_user("resident", username=None, phone="+6281300000077", name="Dewi")
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    data = {
        "nik": "1403094903850007",
        "birth_date": BORN.isoformat(),
        "kk_number": KK,
        "mother_name": MOTHER,
    }
    response = client.post("/akun/verifikasi", data=data)
    assert response.status_code == 302
    assert calls == [(user.id, "1403094903850007", BORN, KK, MOTHER)]


def test_without_a_registered_check_nobody_is_verified(app, make_user, monkeypatch):
    """An app made without the registry's check fails closed, never "verified"."""
    person = _owner()
    user = make_user("resident", username=None, phone="+6281300000078", name="Dewi")
    monkeypatch.setattr(identity, "_VERIFIER", [])
    with pytest.raises(RuntimeError):
        identity.verify_resident(user, person.nik, BORN, KK, MOTHER)
    db.session.expire_all()
    assert not user.is_verified and user.person_id is None


def test_the_staff_pages_of_residents_are_the_registrys(app):
    rules = {r.endpoint: r.rule for r in app.url_map.iter_rules()}
    assert rules["residents_manage.queue"] == "/staf/warga/"
    assert rules["residents_manage.take_back"] == "/staf/warga/<int:user_id>/ambil-alih"
    assert rules["accounts.verify"] == "/akun/verifikasi"
    module = app.view_functions["residents_manage.queue"].__module__
    assert module == "portal.registry.resident_manage"
