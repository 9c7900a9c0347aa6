"""Engine set-up that differs per database, and the write-transaction helper.

SQLite is the embedded default: it runs with WAL (readers never wait for the writer),
foreign keys on and a busy timeout. Its driver starts transactions lazily, so a
read-then-write can lose a race; services that count or limit things open their
transaction with `write_transaction()`, which on SQLite emits BEGIN IMMEDIATE
(SQLAlchemy's documented recipe for pysqlite) and elsewhere is a plain transaction
whose rows are locked with SELECT ... FOR UPDATE or guarded by constraints.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import CompoundSelect, Select, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.engine.result import IteratorResult, SimpleResultMetaData
from sqlalchemy.orm import scoped_session
from sqlalchemy.sql.compiler import WARN_LINTING

IMMEDIATE = "portal_sqlite_immediate"


def engine_options(config) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS with a connect timeout for PostgreSQL: a database host
    that drops packets would otherwise hold a worker for minutes instead of answering
    the 503 page."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", config.get("DATABASE_CONNECT_TIMEOUT", 5))
        options["connect_args"] = connect_args
    return options


def configure_engine(engine: Engine, busy_timeout_ms: int = 30000) -> None:
    """Install the SQLite pragmas and the BEGIN recipe; nothing for other engines.

    `busy_timeout_ms`: how long a statement waits for a lock held by another
    connection before it fails (and the request answers 503, portal/unavailable.py)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get(IMMEDIATE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            # A deferred BEGIN takes no lock and so never waits or fails for one: it goes
            # to the driver directly, past SQLAlchemy's execution path (some 55 Python
            # calls, on every request that reads the database).
            conn.connection.driver_connection.execute("BEGIN")


@contextmanager
def write_transaction(session, *, join_on_postgresql: bool = False):
    """Run a block as one write transaction that commits or rolls back as a whole.

    On SQLite the write lock is taken at BEGIN, so two requests that both read a
    count and then write cannot interleave. With join_on_postgresql, on PostgreSQL
    the block joins the transaction already open (the request's reads) instead of
    committing it and beginning another: for writes whose own row locks order them.
    """
    if isinstance(session, scoped_session):
        session = session()  # db.session is a registry; the real Session is what we need
    if session.new or session.dirty or session.deleted:
        # The block would commit changes made before it began, outside its rules: the
        # caller must commit or discard them first (one owner per transaction).
        raise RuntimeError("write_transaction() started with unsaved changes in the session")
    if not (join_on_postgresql and session.get_bind().dialect.name == "postgresql"):
        if session.in_transaction():
            session.commit()
        session.connection(execution_options={IMMEDIATE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def append_rows(session, statement, rows) -> None:
    """Run one INSERT of `rows` as a write transaction of its own in the middle of a
    request that has read (an audit log's "opened this record" entries).

    What `write_transaction` with that one statement does: the request's read
    transaction ends, the write takes SQLite's lock at its BEGIN (BEGIN IMMEDIATE, which
    waits for the lock and fails as SQLAlchemy's OperationalError, the 503 page), the
    rows are committed or none, and the request reads on in a new transaction; nothing
    the request loaded is expired. On SQLite the ending, committing and beginning go to
    the driver directly, on the session's own connection: SQLAlchemy's commit and a new
    connection with its BEGIN cost some 370 Python calls, and the write lock is held
    for a shorter time. The ORM does not see this commit, so no session event runs:
    only for rows no hook or page cache watches. Elsewhere (PostgreSQL) it is
    `write_transaction` itself."""
    if isinstance(session, scoped_session):
        session = session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("append_rows() started with unsaved changes in the session")
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        keep_loaded, session.expire_on_commit = session.expire_on_commit, False
        try:
            with write_transaction(session):
                session.connection().execute(statement, rows)
        finally:
            session.expire_on_commit = keep_loaded
        return
    driver = connection.connection.driver_connection
    if driver.in_transaction:
        driver.execute("COMMIT")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        connection.execute(statement, rows)
        driver.execute("COMMIT")
    except BaseException:
        if driver.in_transaction:
            driver.execute("ROLLBACK")
        raise
    finally:
        if not driver.in_transaction:
            driver.execute("BEGIN")  # the transaction SQLAlchemy still counts as open


def read(session, statement, params=None):
    """A SELECT of plain columns (no mapped objects), run on the session's connection in
    its transaction, past the ORM's execution path (about 40 us and 110 Python calls less
    a statement: pages that read several use it). Pending changes are flushed first, as
    `session.execute` would (nothing to do when the session is clean). Its rows are the
    same tuples, by position and by column name.

    On SQLite a SELECT goes to the driver directly (`_driver_read`) when nothing listens
    to the execution events; otherwise, and for whatever that path does not take, it is
    SQLAlchemy's Core execution."""
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        result = _driver_read(connection, statement, params)
        if result is not None:
            return result
    return connection.execute(statement, params)


# What `_driver_read` keeps per compiled statement (SQLAlchemy's own compiled cache
# decides which compiled form a statement has): its SQL, the order and converters of its
# parameters and its result's column names with their converters; False when the driver
# path does not take it.
_DRIVER_FORMS: dict = {}
MAX_DRIVER_FORMS = 2000


def _driver_read(connection, statement, params):
    """`connection.execute(statement, params)` for a SELECT on SQLite, done as
    SQLAlchemy does it (its compiled cache, its parameter and result converters, a
    Result of Rows with the same names) without its execution context: some 13 us and
    25 Python calls less a statement (48.8 -> 35 us on the account page's dates, SQLite's
    own work included). None when it does not apply (not a SELECT,
    execution options, events listening, parameters expanded when run, a textual
    statement) or when the driver refuses the statement: the caller then runs it the
    usual way, which raises SQLAlchemy's own error. tests/test_database.py runs every
    kind of statement both ways; READ_PARITY=1 does that for every read of the suite."""
    if not isinstance(statement, Select | CompoundSelect) or statement._execution_options:
        return None
    events = connection.dispatch
    if (
        connection._execution_options
        or events.before_execute
        or events.before_cursor_execute
        or events.after_cursor_execute
        or events.after_execute
    ):
        return None
    dialect = connection.dialect
    compiled, extracted, collected, _hit = statement._compile_w_cache(
        dialect=dialect,
        compiled_cache=connection.engine._compiled_cache,
        column_keys=sorted(params) if params else [],
        for_executemany=False,
        schema_translate_map=None,
        linting=dialect.compiler_linting | WARN_LINTING,
    )
    form = _DRIVER_FORMS.get(compiled)
    if form is None:
        form = _driver_form(compiled, dialect)
        if len(_DRIVER_FORMS) >= MAX_DRIVER_FORMS:
            _DRIVER_FORMS.clear()
        _DRIVER_FORMS[compiled] = form
    if form is False:
        return None
    sql, order, binders, metadata = form
    if params:
        values = compiled.construct_params(
            params,
            escape_names=False,
            extracted_parameters=extracted,
            _collected_params=collected,
        )
    else:
        values = compiled.construct_params(
            escape_names=False, extracted_parameters=extracted, _collected_params=collected
        )
    args = tuple(binders[k](values[k]) if k in binders else values[k] for k in order)
    try:
        cursor = connection.connection.driver_connection.execute(sql, args)
        rows = cursor.fetchall()
    except dialect.loaded_dbapi.Error:
        return None
    return IteratorResult(metadata, iter(rows))


def _driver_form(compiled, dialect):
    if (
        not compiled.positional
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.schema_translate_map
        or compiled.isinsert
        or compiled.isupdate
        or compiled.isdelete
        or compiled._textual_ordered_columns
        or compiled._ad_hoc_textual
        or compiled._loose_column_name_matching
        or not compiled._ordered_columns
    ):
        return False
    columns = compiled._result_columns
    names = [column[0] for column in columns]
    if len(set(names)) != len(names):  # SQLAlchemy marks a repeated name ambiguous
        return False
    processors = [column[3]._cached_result_processor(dialect, None) for column in columns]
    metadata = SimpleResultMetaData(names, _processors=processors if any(processors) else None)
    return compiled.string, compiled.positiontup, compiled._bind_processors, metadata


def database_answers(session) -> bool:
    """Whether the database answers a trivial query now (for /healthz). A failure of any
    kind means "not healthy"; the session is left clean for the next use."""
    try:
        session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - whatever the failure, the answer is "no"
        session.rollback()
        return False
    return True
