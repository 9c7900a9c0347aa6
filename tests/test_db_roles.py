"""PostgreSQL run as the README says: migrations as the owner role, the application as a
role that owns nothing and is granted only SELECT/INSERT/UPDATE/DELETE on the tables
and USAGE on the sequences. That role does the portal's normal work and cannot get
around the append-only tables: no DROP TRIGGER, no TRUNCATE, no UPDATE or DELETE of
audit rows. The owner itself cannot TRUNCATE them either (a statement trigger)."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from portal import create_app
from portal.audit.models import AuditEntry
from portal.audit.services import record
from portal.extensions import db

from .conftest import BASE_CONFIG, ENGINE

pytestmark = pytest.mark.skipif(ENGINE != "postgresql", reason="PostgreSQL roles")

APPEND_ONLY = (
    "audit_entry",
    "csr_pledge_event",
    "csr_delivery",
    "complaint_step",
    "recipient_change",
    "recipient_approval",
    "recipient_version",
    "recipient_version_row",
    "csr_pledge",
    "procurement_quote",
    "procurement_delivery",
    "procurement_packed_batch",
    "procurement_return",
    "notify_consent",
    "monitoring_need_snapshot",
)


def _drop_role(conn, role: str) -> None:
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
    if exists:
        conn.execute(text(f'DROP OWNED BY "{role}"'))
        conn.execute(text(f'DROP ROLE "{role}"'))


@pytest.fixture
def app_role_url(database_url):
    """A login role granted only what the application needs (README, "Two database
    roles"); yields its URL and drops it afterwards."""
    owner_url = make_url(database_url)
    # Role names are per server: one per test database, so parallel suites do not meet.
    role = f"{owner_url.database}_app_test"[:63]
    password = secrets.token_hex(16)
    owner = create_engine(owner_url)
    with owner.begin() as conn:
        _drop_role(conn, role)
        conn.execute(text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'"))
        conn.execute(text(f'GRANT CONNECT ON DATABASE "{owner_url.database}" TO "{role}"'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
        conn.execute(
            text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
        )
        conn.execute(text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    yield owner_url.set(username=role, password=password).render_as_string(hide_password=False)
    with owner.begin() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"),
            {"r": role},
        )
        _drop_role(conn, role)
    owner.dispose()


@pytest.fixture
def role_app(app_role_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path / "instance"))
    application = create_app(
        {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": app_role_url, "WTF_CSRF_ENABLED": False}
    )
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def refused(conn, sql: str) -> str:
    """Run `sql` in a savepoint; return the error PostgreSQL gave (the test fails when
    there was none)."""
    savepoint = conn.begin_nested()
    try:
        conn.execute(text(sql))
    except DBAPIError as error:
        savepoint.rollback()
        return str(error.orig)
    savepoint.rollback()
    pytest.fail(f"{sql!r} was allowed")


def test_the_application_role_does_its_work_and_cannot_rewrite_history(role_app):
    from portal.accounts.services import create_user
    from portal.complaints import services as complaints

    user = db.session.execute(text("SELECT current_user")).scalar()
    assert user.endswith("_app_test")
    # Normal work: accounts, an audited change, a complaint with its step, pages.
    operator = create_user(
        role="operator", password="correct horse battery", username="op1", name="Bu Ani"
    )
    record("test.change", "user", operator.id, actor=operator, summary="made by the app role")
    db.session.commit()
    complaint, _code = complaints.file_complaint(
        category="service",
        description="Lampu jalan di RT 3 mati sejak minggu lalu.",
        anonymous=True,
    )
    complaints.note(complaint, actor=operator, body="Sudah dilaporkan ke PLN.")
    client = role_app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    assert client.get("/").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) >= 3

    with db.engine.connect() as conn:
        conn.begin()
        for table in APPEND_ONLY:
            assert "must be owner" in refused(conn, f"DROP TRIGGER {table}_no_truncate ON {table}")
            assert "permission denied" in refused(conn, f"TRUNCATE {table}")
            assert "must be owner" in refused(conn, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        assert "append-only" in refused(conn, "UPDATE audit_entry SET summary = 'rewritten'")
        assert "append-only" in refused(conn, "DELETE FROM audit_entry")
        assert "must be owner" in refused(conn, "DROP TABLE audit_entry")
        assert "permission denied" in refused(conn, "SET session_replication_role = replica")
        conn.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) >= 3


def test_not_even_the_owner_can_truncate_an_append_only_table(database_url, app):
    record("test.change", "user", 1, summary="kept")
    db.session.commit()
    owner = create_engine(database_url)
    with owner.connect() as conn:
        conn.begin()
        for table in APPEND_ONLY:
            error = refused(conn, f"TRUNCATE {table} CASCADE")
            assert "append-only" in error or "never deleted" in error, error
        # Nor by cascading from a table the audit log points to.
        assert "append-only" in refused(conn, "TRUNCATE user_account CASCADE")
        conn.rollback()
    owner.dispose()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1
