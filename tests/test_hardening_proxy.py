"""Behind nginx: only the headers nginx sets are trusted, and SERVER_NAME fixes the host
of every link the portal builds for outside (feeds, QR codes)."""

from __future__ import annotations

import pytest

from portal import create_app


@pytest.fixture
def proxied(app, app_config):
    """A client of an app configured as the README deploys it (BEHIND_PROXY=1)."""

    def make(**extra):
        return create_app({**app_config, "BEHIND_PROXY": True, **extra}).test_client()

    return make


def test_a_forwarded_host_sent_by_a_client_is_not_trusted(proxied):
    client = proxied()
    # nginx overwrites X-Forwarded-For/-Proto and passes Host; X-Forwarded-Host is
    # whatever the client typed.
    headers = {
        "Host": "portal.desa.example",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
    }
    feed = client.get("/pengumuman.atom", headers=headers).get_data(as_text=True)
    assert "evil.example" not in feed
    assert "https://portal.desa.example/" in feed


def test_server_name_fixes_the_host_of_links_for_outside(proxied):
    client = proxied(SERVER_NAME="bansos.desa.example")
    headers = {"Host": "evil.example", "X-Forwarded-Proto": "https"}
    feed = client.get("/pengumuman.atom", headers=headers)
    assert feed.status_code == 200
    text = feed.get_data(as_text=True)
    assert "evil.example" not in text and "https://bansos.desa.example/" in text


def test_server_name_comes_from_the_environment(monkeypatch, tmp_path):
    from portal import config

    monkeypatch.setenv("SERVER_NAME", "bansos.desa.example")
    monkeypatch.setenv("SECRET_KEY", "x")
    assert config.defaults(str(tmp_path))["SERVER_NAME"] == "bansos.desa.example"
    monkeypatch.delenv("SERVER_NAME")
    assert config.defaults(str(tmp_path))["SERVER_NAME"] is None
