"""recipient lists: separation of duties (who drew the list; attendees with accounts)

`recipient_period.drafted_by_id` names the account that drew the working list from the
registry (filled from the audit log for lists drawn before), so that the village head's
approval can be refused to whoever drew or changed the list. `recipient_attendee.user_id`
names the account of a meeting attendee who has one (a BPD member, the village head),
besides the typed names of those without.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

COLUMNS = (
    ("recipient_period", "drafted_by_id", "fk_recipient_period_drafted_by_id_user_account"),
    ("recipient_attendee", "user_id", "fk_recipient_attendee_user_id_user_account"),
)
INDEX = "ix_recipient_attendee_user_id"


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, fk in COLUMNS:
        if sqlite:
            # In place, with its foreign key (batch mode would copy the table).
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
                f"CONSTRAINT {fk} REFERENCES user_account (id) ON DELETE SET NULL"
            )
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(fk, table, "user_account", [column], ["id"], ondelete="SET NULL")
    op.create_index(INDEX, "recipient_attendee", ["user_id"], unique=False)
    # Lists drawn before: the audit log names who proposed the draft.
    op.execute(
        "UPDATE recipient_period SET drafted_by_id = ("
        " SELECT a.actor_id FROM audit_entry a"
        " WHERE a.action = 'propose_draft' AND a.object_type = 'recipient_period'"
        " AND a.object_id = CAST(recipient_period.id AS VARCHAR(40))"
        " AND a.actor_id IN (SELECT id FROM user_account)"
        " ORDER BY a.id LIMIT 1)"
    )


def downgrade():
    op.drop_index(INDEX, table_name="recipient_attendee")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, fk in COLUMNS:
        if sqlite:
            # SQLite 3.35+ drops a column with an inline foreign key in place; batch mode
            # would drop and copy recipient_period, which other tables reference.
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        else:
            op.drop_constraint(fk, table, type_="foreignkey")
            op.drop_column(table, column)
