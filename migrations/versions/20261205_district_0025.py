"""district: an import batch remembers how many rows it has written

Revision ID: 0025
Revises: 0031
Create Date: 2026-12-05

A district's roster (1,000,000 rows) is written in steps of a few thousand rows, each
in its own transaction (`flask import-registry FILE --yes --commit-every N`), so that
an import killed half-way resumes where it stopped. `rows_done` is how many rows of
the batch's file are written; each step advances it with a conditional UPDATE (from
the count it started at), so two processes can never write the same step twice.
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "import_batch",
        sa.Column("rows_done", sa.Integer(), nullable=False, server_default="0"),
    )
    # SQLite cannot add a constraint to a table without copying it (batch mode, which
    # reflects the tables it points to); the count is only ever advanced there too.
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint("rows_done_not_negative", "import_batch", "rows_done >= 0")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_import_batch_rows_done_not_negative"), "import_batch")
    if op.get_bind().dialect.name == "sqlite":
        # In place (SQLite 3.35+): batch mode would copy the table and reflect the ones
        # it points to, whose expression indexes SQLAlchemy warns it cannot read.
        op.execute("ALTER TABLE import_batch DROP COLUMN rows_done")
    else:
        op.drop_column("import_batch", "rows_done")
