"""With CSRF on (as in production), a POST without a token is refused."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.public.models import Announcement
from tests.test_routes_roles import _url_for_rule


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def _form_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_login_post_without_token_is_refused(client, make_user):
    make_user("operator", username="ops", password="a long password")
    response = client.post("/masuk", data={"identifier": "ops", "password": "a long password"})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True) or "kedaluwarsa" in response.get_data(
        as_text=True
    )
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_staff_post_without_token_changes_nothing(app, client, login_as):
    login_as("operator")
    response = client.post(
        "/staf/pengumuman/baru",
        data={"title_id": "Judul", "body_id": "Isi", "category": "general"},
    )
    assert response.status_code == 400
    assert db.session.query(Announcement).count() == 0


def test_post_with_token_from_the_form_works(app, client, make_user):
    make_user("operator", username="ops", password="a long password")
    token = _form_token(client, "/masuk")
    response = client.post(
        "/masuk",
        data={"identifier": "ops", "password": "a long password", "csrf_token": token},
    )
    assert response.status_code == 302


def test_htmx_header_token_is_accepted(app, client, make_user):
    """htmx sends the token in X-CSRFToken (data-hx-headers on <body>)."""
    make_user("operator", username="ops", password="a long password")
    token = _form_token(client, "/masuk")
    response = client.post(
        "/masuk",
        data={"identifier": "ops", "password": "a long password"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 302


def test_a_visitor_who_keeps_sending_the_first_cookie_is_not_given_a_new_one(app, client):
    """A session that holds only a CSRF token is never rewritten (Flask-Login's session
    protection is for signed-in users: portal.extensions.PortalLoginManager), so a script
    that resends the cookie it was first given gets the cached 429 page and no cookie,
    as bench/lists.py's self-check flood does."""
    from portal.cache import HEADER

    app.config["RATELIMIT_SELF_CHECK"] = "1 per minute"
    token = _form_token(client, "/cek-bansos")
    first_cookie = client.get_cookie("session").value
    script = app.test_client(use_cookies=False)
    form = {"csrf_token": token, "nik": "1403090101010001", "name": "Ani"}
    answers = [
        script.post("/cek-bansos", data=form, headers={"Cookie": f"session={first_cookie}"})
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [200, 429, 429, 429]
    assert [a.headers.get("Set-Cookie") for a in answers] == [None] * 4
    assert [a.headers[HEADER] for a in answers[1:]] == ["miss", "hit", "hit"]


def test_a_signed_in_session_seen_from_another_browser_is_no_longer_fresh(app, client, make_user):
    """Session protection ("basic") still applies once someone has signed in."""
    make_user("resident", username="warga1", password="a long password")
    token = _form_token(client, "/masuk")
    client.post(
        "/masuk",
        data={"identifier": "warga1", "password": "a long password", "csrf_token": token},
    )
    with client.session_transaction() as session:
        assert session.get("_user_id") and session.get("_fresh") is True
    client.get("/akun", headers={"User-Agent": "another browser"})
    with client.session_transaction() as session:
        assert session.get("_fresh") is False


# POST routes for machines (the SMS gateway's replies), authenticated by a shared secret
# instead of a CSRF token: no browser holds a session there.
MACHINE_ROUTES = {"notify.gateway_reply"}


def test_every_post_route_refuses_a_request_without_its_token(app, client, login_as):
    """Whether the app-wide hook checks it or the view does after its rate limits
    (portal.security.csrf_after_limits), no POST gets past without its CSRF token, for
    a visitor and for a signed-in member of staff alike."""
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert len(rules) > 50
    from portal.extensions import csrf

    def exempt_from_the_hook(endpoint: str) -> bool:
        view = app.view_functions[endpoint]
        return f"{view.__module__}.{view.__name__}" in csrf._exempt_views

    late = {r.endpoint for r in rules if exempt_from_the_hook(r.endpoint)}
    assert {"lists.self_check", "accounts.login", "complaints.new"} <= late
    # Machine-to-machine routes carry no form: they answer only with their shared secret.
    app.config["NOTIFY_WEBHOOK_SECRET"] = "the gateway's secret"
    for endpoint in MACHINE_ROUTES:
        rule = next(r for r in rules if r.endpoint == endpoint)
        assert client.post(_url_for_rule(rule), json={"x": "1"}).status_code == 403
    for who in ("anonymous", "admin"):
        if who == "admin":
            login_as("admin")
        for rule in rules:
            if rule.endpoint in MACHINE_ROUTES:
                continue
            url = _url_for_rule(rule)
            response = client.post(url, data={"x": "1"})
            assert response.status_code == 400, (who, url, response.status_code)
            text = response.get_data(as_text=True)
            assert "kedaluwarsa" in text or "expired" in text, (who, url)


def test_a_signed_token_is_reused_for_a_minute_per_session_and_still_checked(
    app, client, make_user, monkeypatch
):
    """portal/csrf_tokens.py: pages of one session within REUSE_SECONDS get the token
    signed first (not signed again), another session gets its own, a minute later a new
    one is signed, and every one of them is still checked by Flask-WTF: the older token
    keeps working, a token of another session is refused."""
    from portal import csrf_tokens

    clock = [1000.0]
    monkeypatch.setattr(csrf_tokens.time, "monotonic", lambda: clock[0])
    signed = []
    own = csrf_tokens._own
    monkeypatch.setattr(csrf_tokens, "_own", lambda *a: signed.append(a) or own(*a))
    make_user("operator", username="ops", password="a long password")
    first = _form_token(client, "/masuk")  # the session's secret made and signed
    assert _form_token(client, "/masuk") == first and len(signed) == 1
    assert _form_token(client, "/masuk") == first and len(signed) == 1
    other = app.test_client()
    theirs = _form_token(other, "/masuk")
    assert theirs != first and len(signed) == 2
    clock[0] += csrf_tokens.REUSE_SECONDS + 1
    _form_token(client, "/masuk")
    assert len(signed) == 3  # a minute on: signed again
    login = {"identifier": "ops", "password": "a long password"}
    assert client.post("/masuk", data={**login, "csrf_token": theirs}).status_code == 400
    assert client.post("/masuk", data={**login, "csrf_token": first}).status_code == 302


def test_a_session_page_with_many_places_names_one_csrf_field(app, client, login_as):
    """Each place's cancel form on the staff session page carries the token as a plain
    hidden input (the form field's id="csrf_token" would repeat on every row: invalid
    HTML, which the other tests, with CSRF off, never write)."""
    from portal.training.services.places import Applicant, sign_up
    from tests import training_helpers as th

    login_as("operator")
    ts = th.session(th.course(), seats=5)
    for n in range(3):
        sign_up(ts.id, Applicant(name=f"Ibu {n}", holder=f"test:{n}"), check_rule=False)
    page = client.get(f"/staf/pelatihan/sesi/{ts.id}?lang=en").get_data(as_text=True)
    assert all(f"Ibu {n}<" in page for n in range(3)) and page.count("/batal") >= 3
    assert page.count('id="csrf_token"') <= 1
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert page.count(f'<input type="hidden" name="csrf_token" value="{token}">') >= 3


def test_a_forms_token_has_no_id_so_a_page_of_many_forms_stays_valid(app, client, login_as):
    """portal.forms.Form writes its CSRF token without id="csrf_token": the staff lists
    show a form per row (publish, delete) and each wrote the same id (invalid HTML, which
    the other tests, with CSRF off, never saw)."""
    from portal.forms import EmptyForm

    with app.test_request_context("/"):
        token_input = str(EmptyForm().csrf_token)
    assert token_input.startswith('<input name="csrf_token" type="hidden" value="')
    login_as("operator")
    for n in range(3):
        db.session.add(Announcement(title_id=f"Kabar {n}", body_id="Isi", published=n != 1))
    db.session.commit()
    page = client.get("/staf/pengumuman/").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 3 and 'id="csrf_token"' not in page


def test_token_only_writes_the_input_an_empty_form_wrote(app):
    """forms.TokenOnly (pages whose buttons need only the token) writes the same hidden
    input as an EmptyForm's csrf_token, the same token; nothing with CSRF off."""
    from flask import render_template_string

    from portal.forms import EmptyForm, TokenOnly

    template = "{{ button.csrf_token }}|{{ button.csrf_token }}"
    with app.test_request_context("/staf/"):
        old = render_template_string(template, button=EmptyForm())
        new = render_template_string(template, button=TokenOnly())
        assert new == old and 'name="csrf_token" type="hidden" value="' in new
        app.config["WTF_CSRF_ENABLED"] = False
        try:
            assert render_template_string(template, button=EmptyForm()) == "|"
            assert render_template_string(template, button=TokenOnly()) == "|"
        finally:
            app.config["WTF_CSRF_ENABLED"] = True
