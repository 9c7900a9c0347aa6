"""recipient lists: an approved list enrols its households in the registry

`recipient_entry.enrolment_id` names the village enrolment (programme, period) that
approving the list made for the household, so that a later approval can end or remove
exactly those enrolments, and never one an operator made by hand.

Revision ID: lists_enrolment_0013
Revises: 0012
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "lists_enrolment_0013"
down_revision = "0012"
branch_labels = None
depends_on = None


FK = "fk_recipient_entry_enrolment_id_enrolment"
INDEX = "ix_recipient_entry_enrolment_id"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its foreign key in place; batch mode would copy the
        # table (and reflect the registry's expression indexes, which it cannot).
        op.execute(
            "ALTER TABLE recipient_entry ADD COLUMN enrolment_id INTEGER "
            f"CONSTRAINT {FK} REFERENCES enrolment (id) ON DELETE SET NULL"
        )
    else:
        op.add_column("recipient_entry", sa.Column("enrolment_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            FK, "recipient_entry", "enrolment", ["enrolment_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index(INDEX, "recipient_entry", ["enrolment_id"], unique=False)


def downgrade():
    op.drop_index(INDEX, table_name="recipient_entry")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("recipient_entry", schema=None) as batch_op:
            batch_op.drop_column("enrolment_id")
    else:
        op.drop_constraint(FK, "recipient_entry", type_="foreignkey")
        op.drop_column("recipient_entry", "enrolment_id")
