"""participation: a survey answered with a distribution invitation's code (no account),
once per invitation: survey_response.respondent_key with a unique index per survey;
monitoring: the yearly need-level snapshot is append-only (history is not rewritten)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-05 12:00:00

"""

import sqlalchemy as sa
from alembic import op

from portal.audit.ddl import drop_append_only, make_append_only


revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("survey_response", sa.Column("respondent_key", sa.String(length=64)))
    op.create_index(
        "uq_survey_response_respondent_key",
        "survey_response",
        ["survey_id", "respondent_key"],
        unique=True,
    )
    make_append_only(op, "monitoring_need_snapshot")


def downgrade():
    drop_append_only(op, "monitoring_need_snapshot")
    op.drop_index("uq_survey_response_respondent_key", table_name="survey_response")
    # In place on SQLite too (3.35+): batch mode would copy the table, and dropping the
    # old copy would cascade to the answers that point to it.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE survey_response DROP COLUMN respondent_key")
    else:
        op.drop_column("survey_response", "respondent_key")
