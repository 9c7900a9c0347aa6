"""Database triggers that make a table append-only (used by migrations).

The application never updates or deletes audit rows; these triggers make sure that
nobody else does either, through the application or around it.
"""

from __future__ import annotations


def make_append_only(op, table: str) -> None:
    """Refuse UPDATE and DELETE on `table`, on SQLite and PostgreSQL, and TRUNCATE on
    PostgreSQL (SQLite has none: its DELETE without WHERE still fires the trigger)."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
            )
    elif dialect == "postgresql":
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION {table}_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{table} is append-only';
            END;
            $$ LANGUAGE plpgsql;
            """
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse_change();"
        )
        refuse_truncate(op, table, f"{table}_refuse_change")
    else:  # pragma: no cover - only the two supported engines
        raise RuntimeError(f"append-only triggers are not written for {dialect}")


def refuse_truncate(op, table: str, function: str) -> None:
    """PostgreSQL: a statement trigger that refuses TRUNCATE on `table` (row triggers do
    not see it), calling the trigger function `function` that raises. Replaces a
    trigger of the same name, so that it can be added to a table made append-only
    before it existed."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
    )


def drop_refuse_truncate(op, table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


def drop_append_only(op, table: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_refuse_change()")
