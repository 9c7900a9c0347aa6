"""Fixtures: app, client, runner, a database per test, and logging in as any role.

The suite runs on SQLite by default. With PORTAL_TEST_ENGINE=postgresql it runs on
the PostgreSQL database named by TEST_DATABASE_URL (`make test` does both when that
variable is set). The schema always comes from the migrations, never create_all().
"""

from __future__ import annotations

import itertools
import os
import shutil

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from portal import create_app

ENGINE = os.environ.get("PORTAL_TEST_ENGINE", "sqlite")

if os.environ.get("READ_PARITY") == "1":
    # Every read() the suite makes on SQLite runs both ways (the driver path and
    # SQLAlchemy's execution) and must give the same names, values and types.
    from portal import database as _database

    _driver_read = _database._driver_read

    def _both_ways(connection, statement, params):
        fast = _driver_read(connection, statement, params)
        if fast is not None:
            keys, rows = list(fast.keys()), fast.all()
            slow = connection.execute(statement, params)
            expected_keys, expected = list(slow.keys()), slow.all()
            assert keys == expected_keys, (keys, expected_keys, str(statement))
            assert [tuple(r) for r in rows] == [tuple(r) for r in expected], str(statement)
            types = [tuple(map(type, r)) for r in rows]
            assert types == [tuple(map(type, r)) for r in expected], str(statement)
            fast = _driver_read(connection, statement, params)
        return fast

    _database._driver_read = _both_ways
if ENGINE == "postgresql" and not os.environ.get("TEST_DATABASE_URL"):
    raise RuntimeError("PORTAL_TEST_ENGINE=postgresql needs TEST_DATABASE_URL")

BASE_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_STORAGE_URI": "sweeping-memory://",
    "SERVER_NAME": None,
    # Tests change records and read the indicators again at once (tests/test_monitoring.py
    # checks the figures kept with their own setting).
    "MONITORING_FIGURES_SECONDS": 0,
}


def _pg_url() -> str:
    from portal.config import database_url

    os.environ.setdefault("DATABASE_URL", os.environ["TEST_DATABASE_URL"])
    old = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
    try:
        return database_url("unused")
    finally:
        os.environ["DATABASE_URL"] = old


def _migrate(url: str, instance: str) -> None:
    from flask_migrate import upgrade

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        from portal.extensions import db

        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once per run: a template SQLite file, or the PostgreSQL test database."""
    instance = tmp_path_factory.mktemp("instance")
    os.environ["PORTAL_INSTANCE"] = str(instance)
    if ENGINE == "postgresql":
        url = _pg_url()
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(url, str(instance))
        return url
    path = instance / "template.sqlite3"
    url = f"sqlite:///{path}"
    _migrate(url, str(instance))
    return str(path)


_counter = itertools.count()


# Empties every table but alembic_version and restarts the sequences, in one round trip.
# DELETE, not TRUNCATE: a test leaves a few rows in a few of about a hundred tables, and
# TRUNCATE makes new files for every table and index (some 0.3 s a test, a third of the
# PostgreSQL run); a table a test filled with many rows is truncated. The append-only
# tables refuse both (a trigger): the suite, connected as a superuser, switches user
# triggers (and with them the foreign-key checks) off for this transaction only.
_EMPTY_ALL = """
DO $$
DECLARE
  t text;
  s text;
  n integer;
BEGIN
  SET LOCAL session_replication_role = replica;
  FOR t IN SELECT tablename FROM pg_tables
           WHERE schemaname = 'public' AND tablename <> 'alembic_version' LOOP
    EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %I LIMIT 2001) AS x', t) INTO n;
    IF n > 2000 THEN
      EXECUTE format('TRUNCATE %I CASCADE', t);
    ELSIF n > 0 THEN
      EXECUTE format('DELETE FROM %I', t);
    END IF;
  END LOOP;
  FOR s IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP
    EXECUTE format('ALTER SEQUENCE %I RESTART', s);
  END LOOP;
END $$;
"""
_engines: dict[str, object] = {}


def _truncate_all(url: str) -> None:
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text(_EMPTY_ALL))


@pytest.fixture
def database_url(database_template, tmp_path):
    """A database of its own for each test, already migrated and empty."""
    if ENGINE == "postgresql":
        _truncate_all(database_template)
        yield database_template
        return
    path = tmp_path / f"test-{next(_counter)}.sqlite3"
    shutil.copyfile(database_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def app_config(database_url, tmp_path):
    """Override to change settings for one test module."""
    return {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url}


class IsolatedClient(FlaskClient):
    """Each request gets an app context (and so `g` and a database session) of its own,
    as in production, even though the test itself holds one open."""

    def open(self, *args, **kwargs):
        from portal.extensions import db

        # End the test's own transaction, so that what it reads after the request is
        # what the request wrote (an open SQLite transaction keeps its old snapshot).
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path / "instance"))
    application = create_app(app_config)
    application.test_client_class = IsolatedClient
    from portal.extensions import db, limiter

    with application.app_context():
        limiter.reset()
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Factory: make_user(role="operator", **fields) -> a committed User."""
    from portal.accounts.services import create_user
    from portal.extensions import db

    numbers = itertools.count(1)

    def make(role: str = "resident", password: str = "correct horse battery", **fields):
        n = next(numbers)
        fields.setdefault("username", f"{role}{n}")
        fields.setdefault("name", f"{role.title()} Nomor {n}")
        user = create_user(role=role, password=password, **fields)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(client, make_user):
    """login_as("operator") -> the user, with the test client logged in as them.

    Staff sessions are marked as past the second factor, unless second_factor=False
    (to test that staff pages refuse a half-logged-in staff member)."""
    from portal.accounts import staff_session

    def login(role: str, second_factor: bool = True, **fields):
        user = make_user(role, **fields)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            staff_session.mark_seen(session)
            if second_factor and user.is_staff:
                staff_session.mark_verified(user, session)
        return user

    return login
