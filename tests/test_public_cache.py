"""The page cache for anonymous visitors (portal/cache.py).

It must be invisible except in speed: a change to public content shows at once (in
every worker of one server) or, for changes it cannot see, within
PUBLIC_CACHE_SECONDS; logged-in people, flashed messages, language switches and
pages that set cookies or carry a CSRF token are never served from or put into it.
"""

from __future__ import annotations

import time

import pytest
from flask import flash, make_response
from flask_wtf.csrf import generate_csrf
from sqlalchemy import create_engine, text, update

from portal import cache, create_app
from portal.extensions import db
from portal.public.models import Announcement
from portal.security import public
from tests import factories
from tests.conftest import IsolatedClient

HEADER = cache.HEADER


def body(response) -> str:
    return response.get_data(as_text=True)


def test_second_anonymous_visit_is_served_from_the_cache(client):
    factories.announcement(title_id="Beras datang")
    first = client.get("/")
    second = client.get("/")
    assert first.headers[HEADER] == "miss" and second.headers[HEADER] == "hit"
    assert body(first) == body(second) and "Beras datang" in body(second)
    # Headers added per request still come with a page from the cache.
    assert "Content-Security-Policy" in second.headers
    assert "Accept-Language" in second.vary


def test_cache_is_off_when_the_ttl_is_zero(app_config):
    app = create_app({**app_config, "PUBLIC_CACHE_SECONDS": 0})
    with app.app_context():
        client = app.test_client()
        assert HEADER not in client.get("/").headers
        assert HEADER not in client.get("/").headers


def test_a_new_announcement_is_visible_at_once(client):
    client.get("/pengumuman")
    assert client.get("/pengumuman").headers[HEADER] == "hit"
    factories.announcement(title_id="Jadwal posyandu baru")
    response = client.get("/pengumuman")
    assert response.headers[HEADER] == "miss"
    assert "Jadwal posyandu baru" in body(response)


def test_staff_edit_is_visible_to_anonymous_visitors_at_once(app, client, login_as):
    item = factories.announcement(title_id="Judul lama")
    visitor = app.test_client()
    assert "Judul lama" in body(visitor.get(f"/pengumuman/{item.id}"))
    assert visitor.get(f"/pengumuman/{item.id}").headers[HEADER] == "hit"

    login_as("operator")
    client.post(
        f"/staf/pengumuman/{item.id}",
        data={"title_id": "Judul baru", "body_id": "Isi", "category": "general"},
    )
    page = body(visitor.get(f"/pengumuman/{item.id}"))
    assert "Judul baru" in page and "Judul lama" not in page
    client.post(f"/staf/pengumuman/{item.id}/tarik")
    assert visitor.get(f"/pengumuman/{item.id}").status_code == 404


def test_bulk_update_statement_is_visible_at_once(client):
    item = factories.announcement(title_id="Sebelum")
    client.get("/")
    db.session.execute(
        update(Announcement).where(Announcement.id == item.id).values(title_id="Sesudah")
    )
    db.session.commit()
    assert "Sesudah" in body(client.get("/"))


def test_rolled_back_change_keeps_the_cache(client):
    factories.announcement(title_id="Tetap")
    client.get("/")
    db.session.add(Announcement(title_id="Batal", body_id="", category="general"))
    db.session.flush()
    db.session.rollback()
    assert client.get("/").headers[HEADER] == "hit"


def test_change_committed_by_another_worker_is_visible_at_once(app, app_config, client):
    """Two apps sharing the database and instance folder stand for two gunicorn workers."""
    factories.announcement(title_id="Pengumuman pertama")
    client.get("/")
    assert client.get("/").headers[HEADER] == "hit"

    other = create_app(app_config)
    assert other.instance_path == app.instance_path
    with other.app_context():
        factories.announcement(title_id="Dari pekerja lain")
        db.session.remove()
        db.engine.dispose()

    response = client.get("/")
    assert response.headers[HEADER] == "miss" and "Dari pekerja lain" in body(response)


def test_change_the_app_cannot_see_shows_within_the_ttl(app, client, database_url, monkeypatch):
    """A change written past the ORM (another program, raw SQL) waits for the TTL."""
    item = factories.announcement(title_id="Versi satu")
    client.get(f"/pengumuman/{item.id}")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE announcement SET title_id = 'Versi dua' WHERE id = :id"), {"id": item.id}
        )
    engine.dispose()
    assert "Versi satu" in body(client.get(f"/pengumuman/{item.id}"))  # still cached

    ttl = app.config["PUBLIC_CACHE_SECONDS"]
    later = time.monotonic() + ttl + 1
    monkeypatch.setattr(cache.time, "monotonic", lambda: later)
    response = client.get(f"/pengumuman/{item.id}")
    assert response.headers[HEADER] == "miss" and "Versi dua" in body(response)


@pytest.mark.parametrize("role", ["operator", "admin", "auditor", "resident"])
def test_logged_in_users_never_get_or_fill_a_cached_page(app, client, login_as, role):
    factories.announcement(title_id="Untuk semua")
    visitor = app.test_client()
    visitor.get("/")
    assert visitor.get("/").headers[HEADER] == "hit"

    user = login_as(role)
    for _ in range(2):
        response = client.get("/")
        assert HEADER not in response.headers
        assert user.name in body(response)  # "Logged in as ...": rendered for this person
        assert response.headers["Cache-Control"] == "no-store"

    # Nothing the logged-in person saw went into the cache.
    page = body(visitor.get("/"))
    assert user.name not in page and "csrf" not in page.lower()


def test_page_rendered_for_a_logged_in_user_is_not_stored(app, client, login_as):
    login_as("operator")
    client.get("/pengumuman")
    visitor = app.test_client()
    assert visitor.get("/pengumuman").headers[HEADER] == "miss"


def test_flashed_messages_are_never_cached(app, client):
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Pesan khusus untuk Anda")]
    response = client.get("/")
    assert HEADER not in response.headers and "Pesan khusus untuk Anda" in body(response)
    assert "Pesan khusus untuk Anda" not in body(app.test_client().get("/"))
    assert "Pesan khusus untuk Anda" not in body(client.get("/"))


def test_languages_are_cached_apart_and_a_switch_is_not_cached(client):
    factories.announcement(title_id="Judul", title_en="Title")
    indonesian = client.get("/", headers={"Accept-Language": "id"})
    english = client.get("/", headers={"Accept-Language": "en"})
    assert 'lang="id"' in body(indonesian) and 'lang="en"' in body(english)
    assert client.get("/", headers={"Accept-Language": "en"}).headers[HEADER] == "hit"

    switch = client.get("/?lang=en")
    assert HEADER not in switch.headers and "lang=en" in switch.headers["Set-Cookie"]
    # The remembered cookie picks the English entry.
    remembered = client.get("/")
    assert 'lang="en"' in body(remembered) and remembered.headers[HEADER] == "hit"


def test_htmx_fragment_and_whole_page_are_cached_apart(client):
    factories.announcement()
    fragment = client.get("/pengumuman", headers={"HX-Request": "true"})
    page = client.get("/pengumuman")
    assert "<html" not in body(fragment) and "<html" in body(page)
    again = client.get("/pengumuman", headers={"HX-Request": "true"})
    assert again.headers[HEADER] == "hit" and "<html" not in body(again)
    assert {"HX-Request", "Accept-Language"} <= set(again.vary)


def test_searches_are_cached_by_their_words(client):
    factories.announcement(title_id="Posyandu balita")
    factories.announcement(title_id="Kerja bakti")
    assert "Posyandu balita" in body(client.get("/pengumuman?q=posyandu"))
    other = client.get("/pengumuman?q=kerja")
    assert other.headers[HEADER] == "miss"
    assert "Kerja bakti" in body(other) and "Posyandu balita" not in body(other)


def test_errors_are_not_cached(client):
    assert client.get("/pengumuman/999").status_code == 404
    assert client.get("/pengumuman/999").status_code == 404
    assert HEADER not in client.get("/pengumuman/999").headers


@pytest.fixture
def odd_views(app_config):
    """An app with three cacheable views that must not be stored: one sets a cookie,
    one makes a CSRF token, one flashes a message."""
    app = create_app(app_config)
    app.test_client_class = IsolatedClient

    def cookie():
        response = make_response("<p>cookie</p>")
        response.set_cookie("x", "1")
        return response

    def token():
        return f"<p>{generate_csrf()}</p>"

    def flashing():
        flash("Tersimpan")
        return "<p>flash</p>"

    for name, view in (("cookie", cookie), ("token", token), ("flashing", flashing)):
        view.__name__ = name
        app.add_url_rule(f"/_test/{name}", view_func=public(cache.cached_page(view)))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("name", ["cookie", "token", "flashing"])
def test_responses_that_set_cookies_or_touch_the_session_are_not_stored(odd_views, name):
    for _ in range(2):
        # A fresh visitor each time: the flash would otherwise wait in the session.
        response = odd_views.test_client().get(f"/_test/{name}")
        assert response.headers[HEADER] == "miss"
    assert len(odd_views.extensions[cache.EXTENSION]) == 0


def test_the_cache_holds_a_bounded_number_of_pages(app_config):
    app = create_app({**app_config, "PUBLIC_CACHE_ENTRIES": 3})
    with app.app_context():
        client = app.test_client()
        for n in range(10):
            client.get(f"/pengumuman?q=kata{n}")
        assert len(app.extensions[cache.EXTENSION]) == 3
        db.session.remove()
        db.engine.dispose()


def test_a_flood_of_refused_requests_renders_the_429_page_once_per_language(app, client):
    """A script hammering the self-check gets the same friendly 429 page, rendered once
    per worker and language: a refused request must cost little (bench/lists.py)."""
    from flask import template_rendered

    app.config["RATELIMIT_SELF_CHECK"] = "1 per minute"
    rendered: list[str] = []

    def record(_sender, template, context, **_extra):
        rendered.append(template.name)

    form = {"nik": "1403090101010001", "name": "Ani"}
    with template_rendered.connected_to(record, app):
        assert client.post("/cek-bansos", data=form).status_code == 200
        refused = [client.post("/cek-bansos", data=form) for _ in range(3)]
        assert [r.status_code for r in refused] == [429, 429, 429]
        assert all("Terlalu banyak percobaan" in body(r) for r in refused)
        assert len({body(r) for r in refused}) == 1
        assert refused[-1].headers.get("Retry-After")  # the limiter's headers still go on
        client.get("/?lang=en")
        english = [client.post("/cek-bansos", data=form) for _ in range(2)]
        assert [r.status_code for r in english] == [429, 429]
        assert all("Too many attempts" in body(r) for r in english)
    assert rendered.count("errors/error.html") == 2
