"""Configuration defaults, SQLite settings, response headers."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from portal import config, create_app
from portal.extensions import db
from portal.security import CSP, public


def test_secret_key_is_generated_once_with_private_rights(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.load_secret_key(str(tmp_path))
    second = config.load_secret_key(str(tmp_path))
    assert first == second and len(first) >= 32
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert config.load_secret_key(str(tmp_path)) == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_database_url_defaults_to_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url(str(tmp_path)) == f"sqlite:///{tmp_path}/portal.sqlite3"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert config.database_url(str(tmp_path)) == "postgresql+psycopg://u@h/db"


def test_debug_off_and_upload_limit_by_default(app):
    assert app.debug is False
    assert app.config["MAX_CONTENT_LENGTH"] <= 16 * 1024 * 1024


@pytest.mark.skipif(os.environ.get("PORTAL_TEST_ENGINE") == "postgresql", reason="SQLite only")
def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app):
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_each_security_header_once_and_a_views_own_kept(app, client):
    # A view that sets a header of the list keeps its own value, written once.
    @app.route("/_own_headers")
    @public
    def _own_headers():
        return "x", 200, {"X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "no-referrer"}

    response = client.get("/_own_headers")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert response.headers.getlist("Content-Security-Policy") == [CSP]
    home = client.get("/")
    assert home.headers.getlist("X-Frame-Options") == ["DENY"]
    assert "Strict-Transport-Security" not in home.headers  # cookies not marked secure


def test_strict_transport_security_with_secure_cookies(app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path / "secure-instance"))
    secure = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    with secure.app_context():
        response = secure.test_client().get("/healthz")
        assert response.headers.getlist("Strict-Transport-Security") == ["max-age=31536000"]
        db.session.remove()
        db.engine.dispose()


def test_no_inline_script_in_pages(client):
    import re

    page = client.get("/").get_data(as_text=True)
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag
    assert "style=" not in page
    assert "onclick" not in page


def test_htmx_is_vendored_with_its_version_and_no_cdn(client):
    page = client.get("/").get_data(as_text=True)
    assert "/static/js/htmx-2.0.11.min.js" in page
    assert "historyCacheSize" in page
    static = client.get("/static/js/htmx-2.0.11.min.js")
    assert static.status_code == 200
    static.close()
    assert "://" not in "".join(
        line for line in page.splitlines() if "<script" in line or "stylesheet" in line
    )


def test_staff_pages_are_not_cached(client, login_as):
    login_as("operator")
    assert client.get("/staf/").headers["Cache-Control"] == "no-store"


def test_upload_over_the_limit_is_a_clear_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/masuk?lang=en", data={"identifier": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)
