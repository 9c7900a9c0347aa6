"""hardening: append-only tables refuse TRUNCATE on PostgreSQL

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05

The row triggers that refuse UPDATE and DELETE on the append-only tables do not fire
on TRUNCATE: a statement trigger (BEFORE TRUNCATE) now refuses it too, on each of them,
and on csr_pledge (never deleted). TRUNCATE ... CASCADE from a table they point to is
refused as well, since it truncates them. SQLite has no TRUNCATE (a DELETE without
WHERE fires the existing DELETE triggers): nothing to do there.
"""

from alembic import op

from portal.audit.ddl import drop_refuse_truncate, refuse_truncate

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "audit_entry",
    "csr_pledge_event",
    "csr_delivery",
    "complaint_step",
    "recipient_change",
    "recipient_approval",
    "recipient_version",
    "recipient_version_row",
)


def upgrade():
    for table in APPEND_ONLY:
        refuse_truncate(op, table, f"{table}_refuse_change")
    refuse_truncate(op, "csr_pledge", "csr_pledge_refuse_delete")


def downgrade():
    drop_refuse_truncate(op, "csr_pledge")
    for table in reversed(APPEND_ONLY):
        drop_refuse_truncate(op, table)
