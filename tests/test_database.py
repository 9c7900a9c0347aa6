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


def _driver_statements(now):
    """Statements of every kind pages read, with their parameters."""
    from datetime import date

    from sqlalchemy import Boolean, Integer, bindparam, case, cast, literal, null, union_all

    entry = AuditEntry
    plain = select(entry.id, entry.at, entry.actor_name, entry.before, entry.after)
    since = bindparam("since", type_=entry.at.type)
    counted = select(func.count()).select_from(entry).where(entry.at >= since)
    first = select(literal(0).label("part"), entry.action.label("value"), entry.id)
    second = select(literal(1), Partner.name, Partner.id)
    return [
        (plain.order_by(entry.id), None),
        (plain.where(entry.at >= since).order_by(entry.id.desc()), {"since": now}),
        (counted, {"since": now}),
        (select(counted.scalar_subquery().label("n"), literal("x").label("s")), {"since": now}),
        (union_all(first, second).order_by("part", "value"), None),
        (
            select(
                cast(literal("5"), Integer).label("five"),
                literal(True, Boolean).label("yes"),
                cast(null(), Integer).label("unknown"),
                case((entry.actor_id.is_(None), "system"), else_="person").label("who"),
                literal(date(2026, 3, 4)).label("given"),
            ).limit(bindparam("limit")),
            {"limit": 2},
        ),
        (select(entry.id).where(entry.summary == bindparam("summary")), {"summary": "opened"}),
    ]


@pytest.mark.skipif(ENGINE != "sqlite", reason="the driver path is SQLite's")
def test_read_at_the_driver_gives_what_sqlalchemy_gives(app):
    """read()'s driver path (SQLite): the same names, values and types as SQLAlchemy's
    own execution, for every kind of statement and parameter the pages use."""
    from portal.database import _driver_read

    now = utcnow()
    db.session.add_all([Partner(name="Koperasi Tani", kind="institution")])
    db.session.execute(
        insert(AuditEntry),
        [
            {
                "action": "viewed",
                "object_type": "household",
                "at": now,
                "summary": "opened",
                "before": {"a": [1]},
            },
            {"action": "edited", "object_type": "person", "actor_name": "Siti", "at": now},
        ],
    )
    db.session.flush()
    connection = db.session.connection()
    for statement, params in _driver_statements(now):
        fast = _driver_read(connection, statement, params)
        assert fast is not None, str(statement)  # the driver path was taken
        keys, rows = list(fast.keys()), fast.all()
        slow = connection.execute(statement, params)
        assert keys == list(slow.keys())
        expected = slow.all()
        assert rows, str(statement)
        assert [tuple(r) for r in rows] == [tuple(r) for r in expected]
        assert [tuple(map(type, r)) for r in rows] == [tuple(map(type, r)) for r in expected]
        assert [r._mapping for r in rows] == [r._mapping for r in expected]
    # The results answer as SQLAlchemy's do.
    statement, params = _driver_statements(now)[2]
    assert read(db.session, statement, params).scalar() == 2
    assert read(db.session, select(Partner.name)).scalars().all() == ["Koperasi Tani"]
    assert read(db.session, select(Partner.name, Partner.kind)).one().kind == "institution"


@pytest.mark.skipif(ENGINE != "sqlite", reason="the driver path is SQLite's")
def test_read_leaves_to_sqlalchemy_what_the_driver_path_does_not_take(app):
    from sqlalchemy import column, event, table

    from portal.database import _driver_read

    db.session.add(Partner(name="Koperasi Tani", kind="institution"))
    db.session.flush()
    connection = db.session.connection()
    names = select(Partner.name)
    expanding = names.where(Partner.id.in_([1, 2]))
    for statement in (
        expanding,  # parameters expanded when run
        text("SELECT name FROM partner"),  # textual
        names.execution_options(yield_per=10),
        insert(Partner).values(name="Toko", kind="company"),
    ):
        assert _driver_read(connection, statement, None) is None, str(statement)
    assert read(db.session, expanding).scalars().all() == ["Koperasi Tani"]
    # Anything listening to the execution events hears every statement.
    heard = []
    listener = lambda *args: heard.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert _driver_read(connection, names, None) is None
        assert read(db.session, names).scalars().all() == ["Koperasi Tani"]
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert heard and "partner" in heard[-1]
    # What the driver refuses is reported as SQLAlchemy reports it.
    with pytest.raises(exc.OperationalError):
        read(db.session, select(column("x")).select_from(table("no_such_table")))
