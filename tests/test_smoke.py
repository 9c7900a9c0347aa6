from portal.extensions import db
from portal.public.models import Announcement


def test_home_renders_in_indonesian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="id">' in response.data


def test_healthz(client):
    response = client.get("/healthz")
    assert response.json == {"status": "ok", "database": "ok"}


def test_schema_is_empty_per_test(app):
    assert db.session.query(Announcement).count() == 0
