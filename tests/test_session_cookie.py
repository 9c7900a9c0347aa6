"""portal/session_cookie.py: a checked session cookie kept a minute, never past its age."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from flask import Request
from flask.sessions import SecureCookieSessionInterface

from portal.session_cookie import REUSE_SECONDS, KeptSessionInterface


@pytest.fixture
def clock(monkeypatch):
    """time.time() for both portal.session_cookie and itsdangerous' age check."""
    now = {"t": 1_800_000_000.0}
    monkeypatch.setattr(time, "time", lambda: now["t"])
    return now


def _open(app, interface, cookie: str):
    name = app.config["SESSION_COOKIE_NAME"]
    return interface.open_session(app, Request.from_values(headers={"Cookie": f"{name}={cookie}"}))


def _signed(app, data: dict) -> str:
    return SecureCookieSessionInterface().get_signing_serializer(app).dumps(data)


def test_the_app_uses_it_and_a_logged_in_cookie_is_checked_once(app, client, login_as, monkeypatch):
    assert isinstance(app.session_interface, KeptSessionInterface)
    login_as("resident")
    assert client.get("/akun").status_code == 200  # the first page may write the cookie anew
    app.session_interface._kept.clear()
    checks = []
    serializer = app.session_interface.get_signing_serializer(app)
    own = type(serializer).loads

    def counted(self, *args, **kwargs):
        checks.append(1)
        return own(self, *args, **kwargs)

    monkeypatch.setattr(type(serializer), "loads", counted)
    assert client.get("/akun").status_code == 200
    assert client.get("/akun").status_code == 200
    assert client.get("/akun").status_code == 200
    assert len(checks) == 1


def test_answers_as_flask_would_until_the_cookie_is_too_old(app, clock):
    app.permanent_session_lifetime = timedelta(seconds=100)
    cookie = _signed(app, {"_user_id": "7:abc", "n": 1})  # signed at t
    signed = clock["t"]
    kept, flask_own = KeptSessionInterface(), SecureCookieSessionInterface()
    for later in (0, 50, 90, 100.5, 100.99, 101, 150, 400):
        clock["t"] = signed + later
        ours, theirs = _open(app, kept, cookie), _open(app, flask_own, cookie)
        assert dict(ours) == dict(theirs), later
        assert bool(ours) is (later < 101)


def test_kept_a_minute_at_most(app, clock, monkeypatch):
    cookie = _signed(app, {"_user_id": "7:abc"})
    interface = KeptSessionInterface()
    assert _open(app, interface, cookie)["_user_id"] == "7:abc"
    checks = []
    serializer = interface.get_signing_serializer(app)
    own = type(serializer).loads
    monkeypatch.setattr(
        type(serializer), "loads", lambda self, *a, **k: checks.append(1) or own(self, *a, **k)
    )
    clock["t"] += REUSE_SECONDS - 1
    _open(app, interface, cookie)
    assert checks == []
    clock["t"] += 2
    assert _open(app, interface, cookie)["_user_id"] == "7:abc"
    assert checks == [1]


def test_a_forged_cookie_is_refused_even_beside_a_kept_one(app):
    interface = KeptSessionInterface()
    cookie = _signed(app, {"_user_id": "7:abc"})
    assert _open(app, interface, cookie)
    payload, rest = cookie.split(".", 1)
    forged = _signed(app, {"_user_id": "1:admin"}).split(".", 1)[0] + "." + rest
    assert dict(_open(app, interface, forged)) == {}
    assert dict(_open(app, interface, cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB"))) == {}
    app.secret_key = "another key"  # a new key: the old cookies are worthless
    assert dict(_open(app, interface, cookie)) == {}


def test_a_change_in_one_request_never_reaches_the_next(app):
    interface = KeptSessionInterface()
    cookie = _signed(app, {"_user_id": "7:abc", "csrf_token": "x"})
    first = _open(app, interface, cookie)
    first["_user_id"] = "1:admin"
    first["extra"] = 1
    assert dict(_open(app, interface, cookie)) == {"_user_id": "7:abc", "csrf_token": "x"}


def test_a_session_with_lists_is_checked_every_time(app):
    interface = KeptSessionInterface()
    cookie = _signed(app, {"_flashes": [("info", "Halo")]})
    first = _open(app, interface, cookie)
    first["_flashes"].append(("info", "lagi"))
    assert _open(app, interface, cookie)["_flashes"] == [("info", "Halo")]
    assert interface._kept == {}


@pytest.mark.parametrize("permanent", [False, True])
def test_saving_writes_what_flasks_own_writes(app, permanent):
    """Every kind of session (empty, unchanged, looked at or not, changed, emptied,
    permanent) against every Vary a response may carry: the same headers and cookie
    as Flask's SecureCookieSessionInterface."""
    from flask.sessions import SecureCookieSession

    varies = [None, "Accept-Language, Cookie", "cookie", "Accept-Language", "HX-Request"]
    kinds = [({}, False, False), ({"a": "1"}, False, False), ({"a": "1"}, True, False),
             ({"a": "1"}, True, True), ({}, True, True)]  # fmt: skip
    ours, flasks = KeptSessionInterface(), SecureCookieSessionInterface()
    for vary in varies:
        for extra in (None, "Origin"):
            for data, accessed, modified in kinds:
                written = []
                for interface in (ours, flasks):
                    response = app.response_class("x")
                    if vary:
                        response.headers.add("Vary", vary)
                    if extra:
                        response.headers.add("Vary", extra)
                    session = SecureCookieSession(data)
                    session.permanent = permanent and bool(data)
                    session.accessed, session.modified = accessed, modified
                    with app.test_request_context("/"):
                        interface.save_session(app, session, response)
                    # The signature and expiry carry the second they were made in.
                    written.append(
                        [
                            (k, re.sub(r"(session=[^.;]*)[^;]*|Expires=[^;]*", r"\1", v))
                            for k, v in response.headers.to_wsgi_list()
                        ]
                    )
                assert written[0] == written[1], (vary, extra, data, accessed, modified)
