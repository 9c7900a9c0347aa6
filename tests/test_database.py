"""write_transaction(): one owner per transaction; read(): plain rows past the ORM;
append_rows(): an INSERT as a write transaction of its own in a request that has read."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, exc, func, insert, inspect, make_url, select, text
from sqlalchemy.pool import NullPool

from portal.audit.models import AuditEntry
from portal.database import append_rows, read, write_transaction
from portal.extensions import db
from portal.models_base import utcnow
from portal.public.models import Partner
from tests.conftest import BASE_CONFIG, ENGINE


@pytest.fixture
def app_config(database_url):
    # A held write lock fails a waiting BEGIN IMMEDIATE after 0.1 s, not 30.
    return {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "SQLITE_BUSY_TIMEOUT_MS": 100}


def _partners() -> int:
    return db.session.scalar(select(func.count()).select_from(Partner))


def test_write_transaction_refuses_a_session_with_unsaved_changes(app):
    db.session.add(Partner(name="Koperasi Tani", kind="institution"))
    with pytest.raises(RuntimeError, match="unsaved changes"), write_transaction(db.session):
        pass
    db.session.rollback()
    assert _partners() == 0  # the stray change was not committed by the block


def test_write_transaction_commits_its_block_and_rolls_back_on_error(app):
    with write_transaction(db.session):
        db.session.add(Partner(name="Koperasi Tani", kind="institution"))
    with pytest.raises(ValueError), write_transaction(db.session):
        db.session.add(Partner(name="Toko Sembako", kind="company"))
        raise ValueError("refused")
    assert _partners() == 1


def test_read_sees_what_the_session_would_and_names_columns_alike(app):
    """read() flushes pending changes first (as session.execute does) and its rows are
    the session's: the same tuples, by position and by the mapped attribute's name."""
    db.session.add(Partner(name="Koperasi Tani", kind="institution"))
    statement = select(Partner.id, Partner.name, Partner.kind).order_by(Partner.id)
    plain = read(db.session, statement).all()
    assert [tuple(r) for r in plain] == [tuple(r) for r in db.session.execute(statement)]
    assert [(r.name, r.kind) for r in plain] == [("Koperasi Tani", "institution")]
    counted = read(db.session, select(func.count()).select_from(Partner)).scalar_one()
    assert counted == 1
    db.session.rollback()
    assert read(db.session, statement).all() == []


def _entry(object_id: str) -> dict:
    return {
        "at": utcnow(), "actor_id": None, "actor_name": "Operator", "action": "view",
        "object_type": "household", "object_id": object_id, "summary": None,
        "before": None, "after": None, "ip": None,
    }  # fmt: skip


def _entries() -> list[tuple]:
    statement = select(AuditEntry.object_id, AuditEntry.at, AuditEntry.after)
    return db.session.execute(statement.order_by(AuditEntry.id)).all()


def test_append_rows_commits_its_rows_keeps_what_was_loaded_and_reads_on(app):
    """The rows are committed (another connection sees them), the objects the request
    loaded are not expired, and the request's next read is a new transaction that sees
    what others committed meanwhile (its old snapshot ended), as after write_transaction."""
    with write_transaction(db.session):
        db.session.add(Partner(name="Koperasi Tani", kind="institution"))
    partner = db.session.scalars(select(Partner)).one()  # the request's read
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with other.begin() as connection:
        connection.execute(text("UPDATE partner SET name = 'Toko Baru'"))
    append_rows(db.session, insert(AuditEntry.__table__), [_entry("7"), _entry("8")])
    assert not inspect(partner).expired_attributes and partner.name == "Koperasi Tani"
    assert db.session.scalar(select(Partner.name)) == "Toko Baru"
    with other.connect() as connection:
        seen = connection.execute(select(AuditEntry.object_id).order_by(AuditEntry.id)).all()
    other.dispose()
    assert [r[0] for r in seen] == ["7", "8"]
    # Stored as the ORM stores them: the time read back aware, JSON null read as None.
    (_, at, after), _ = _entries()
    assert at.tzinfo is not None and after is None
    db.session.add(Partner(name="Toko Sembako", kind="company"))
    with pytest.raises(RuntimeError, match="unsaved changes"):
        append_rows(db.session, insert(AuditEntry.__table__), [_entry("9")])
    db.session.rollback()
    assert [r[0] for r in _entries()] == ["7", "8"]


def test_append_rows_writes_none_of_its_rows_when_one_fails(app):
    """A failing row (object_type is NOT NULL) rolls back the rows before it; the
    session works on after the request's rollback."""
    refused = {**_entry("2"), "object_type": None}
    with pytest.raises(exc.IntegrityError):
        append_rows(db.session, insert(AuditEntry.__table__), [_entry("1"), refused])
    db.session.rollback()
    assert _entries() == []
    append_rows(db.session, insert(AuditEntry.__table__), [_entry("3")])
    assert [r[0] for r in _entries()] == ["3"]


@pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's single writer")
def test_append_rows_waits_for_the_write_lock_and_fails_as_sqlalchemy_does(app):
    """A write lock another program holds past the busy timeout: SQLAlchemy's
    OperationalError (the 503 page), nothing written, and the next try succeeds."""
    db.session.scalar(select(func.count()).select_from(Partner))  # the request has read
    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    writer = sqlite3.connect(path, isolation_level=None, timeout=5)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(exc.OperationalError, match="locked"):
            append_rows(db.session, insert(AuditEntry.__table__), [_entry("1")])
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    db.session.rollback()
    assert _entries() == []
    append_rows(db.session, insert(AuditEntry.__table__), [_entry("2")])
    assert [r[0] for r in _entries()] == ["2"]
