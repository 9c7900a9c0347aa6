"""Login, logout, password hashing, safe redirects, rate limit, CLI accounts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.security import is_safe_next

PASSWORD = "correct horse battery"


def login(client, identifier, password=PASSWORD, **extra):
    return client.post("/masuk", data={"identifier": identifier, "password": password, **extra})


def test_passwords_are_stored_as_argon2_hashes(make_user):
    user = make_user("resident", username="warga")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_login_and_logout(client, make_user):
    make_user("resident", username="warga")
    response = login(client, "warga")
    assert response.status_code == 302
    assert "Log out" in client.get("/?lang=en").get_data(as_text=True)
    assert client.get("/keluar").status_code == 405  # logout is POST only
    response = client.post("/keluar")
    assert response.status_code == 302
    assert ">Sign up</a>" in client.get("/?lang=en").get_data(as_text=True)


def test_login_by_phone_or_email_case_insensitive(client, make_user):
    make_user("resident", username=None, email="Ibu.Sari@Example.id", phone="+6281234567890")
    assert login(client, "ibu.sari@example.id").status_code == 302
    client.post("/keluar")
    assert login(client, "+6281234567890").status_code == 302


def test_wrong_password_says_so_beside_the_field_and_keeps_the_name(client, make_user):
    make_user("resident", username="warga")
    response = client.post(
        "/masuk?lang=en", data={"identifier": "warga", "password": "salah sekali"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The name or password is not right." in page
    assert 'value="warga"' in page
    unknown = client.post("/masuk?lang=en", data={"identifier": "siapa", "password": "x"})
    assert "The name or password is not right." in unknown.get_data(as_text=True)


def test_empty_and_oversized_login_input_is_a_clear_message(client):
    response = client.post("/masuk?lang=en", data={"identifier": "", "password": ""})
    assert "Please fill in this field." in response.get_data(as_text=True)
    response = client.post("/masuk", data={"identifier": "x" * 10000, "password": "y" * 10000})
    assert response.status_code == 200


def test_inactive_user_cannot_log_in(client, make_user):
    user = make_user("resident", username="warga")
    user.active = False
    db.session.commit()
    assert login(client, "warga").status_code == 200


def test_logout_ends_the_session_on_the_server(app, client, make_user):
    make_user("resident", username="warga")
    login(client, "warga")
    with client.session_transaction() as session:
        stolen = dict(session)
    client.post("/keluar")
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(stolen)
    assert "Log out" not in thief.get("/?lang=en").get_data(as_text=True)


@pytest.mark.parametrize(
    "target,safe",
    [
        ("/pengumuman", True),
        ("/staf/?x=1", True),
        ("//evil.example", False),
        ("https://evil.example/", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("", False),
        (None, False),
        ("/\tevil", False),
    ],
)
def test_next_only_accepts_same_site_paths(target, safe):
    assert is_safe_next(target) is safe


def test_login_redirects_to_next_only_when_safe(client, make_user):
    make_user("resident", username="warga")
    assert login(client, "warga", next="/mitra").headers["Location"] == "/mitra"
    client.post("/keluar")
    assert "evil" not in login(client, "warga", next="//evil.example").headers["Location"]


def test_login_is_rate_limited(client, make_user):
    make_user("resident", username="warga")
    codes = [login(client, "warga", password="wrong").status_code for _ in range(12)]
    assert codes[:10] == [200] * 10
    assert codes[-1] == 429
    # Even the right password waits now: the limit protects against guessing.
    assert login(client, "warga").status_code == 429


def test_session_cookie_flags(client, make_user):
    make_user("resident", username="warga")
    response = login(client, "warga")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_behind_https(monkeypatch, tmp_path):
    from portal import config

    monkeypatch.setenv("BEHIND_HTTPS", "1")
    settings = config.defaults(str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]


def test_create_admin_command(runner):
    result = runner.invoke(
        args=[
            "create-admin",
            "--username",
            "kades",
            "--name",
            "Kepala Desa",
            "--password",
            "panjang sekali rahasia",
        ],
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.username == "kades")).one()
    assert user.role == "admin"
    again = runner.invoke(
        args=["create-admin", "--username", "kades", "--name", "X", "--password", "panjang sekali"]
    )
    assert again.exit_code != 0 and "taken" in again.output
    short = runner.invoke(
        args=["create-admin", "--username", "b", "--name", "B", "--password", "pendek"]
    )
    assert short.exit_code != 0


def test_seed_demo_runs_once_and_prints_random_passwords(runner):
    first = runner.invoke(args=["seed-demo", "--households", "0"])
    assert first.exit_code == 0, first.output
    passwords = re.findall(r"password: (\S+)", first.output)
    assert len(passwords) >= 3 and len(set(passwords)) == len(passwords)
    second = runner.invoke(args=["seed-demo"])
    assert "already holds data" in second.output
    staff = db.session.scalar(
        select(db.func.count())
        .select_from(User)
        .where(User.role.in_(["admin", "operator", "auditor", "officer"]))
    )
    assert staff == len(passwords)
