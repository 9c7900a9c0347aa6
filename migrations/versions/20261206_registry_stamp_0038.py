"""registry: a stamp that changes with every write to the registry

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-06 15:10:00

SQLite only (the embedded default). `registry_stamp` holds one row; a trigger on every
INSERT, UPDATE and DELETE of the tables the staff warnings and household pages read
(households, their KK numbers and memberships, people, village and national
enrolments, programmes, duplicate decisions) gives it a new random value in the same
transaction as the change, whoever makes it: the portal, an import, a script or the
sqlite3 shell. Those pages keep what they read while the stamp is unchanged
(portal/registry/services/stamp.py). A random value, not a counter: a rolled-back
change's value never comes back as a later change's.

PostgreSQL gets neither: one row that every writer of the registry updates would make
those writers wait for each other until they commit (and could deadlock with the row
locks of a merge); there the pages read on every view.
"""

from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

TABLES = (
    "household",
    "household_kk_number",
    "household_membership",
    "person",
    "enrolment",
    "external_enrolment",
    "programme",
    "duplicate_decision",
)
ACTIONS = ("INSERT", "UPDATE", "DELETE")


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TABLE registry_stamp (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), "
        "stamp INTEGER NOT NULL)"
    )
    op.execute("INSERT INTO registry_stamp (id, stamp) VALUES (1, random())")
    for table in TABLES:
        for action in ACTIONS:
            op.execute(
                f"CREATE TRIGGER {table}_stamp_{action.lower()} AFTER {action} ON {table} "
                "BEGIN UPDATE registry_stamp SET stamp = random() WHERE id = 1; END;"
            )


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        for action in ACTIONS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_stamp_{action.lower()}")
    op.execute("DROP TABLE registry_stamp")
