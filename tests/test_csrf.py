"""With CSRF on (as in production), a POST without a token is refused."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.public.models import Announcement


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


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
    page = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/masuk",
        data={"identifier": "ops", "password": "a long password", "csrf_token": token},
    )
    assert response.status_code == 302


def test_htmx_header_token_is_accepted(app, client, make_user):
    """htmx sends the token in X-CSRFToken (hx-headers on <body>)."""
    make_user("operator", username="ops", password="a long password")
    page = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/masuk",
        data={"identifier": "ops", "password": "a long password"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 302
