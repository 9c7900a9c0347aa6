"""monitoring: the evaluation of a round or a year (texts by staff, the survey)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-05

One row per (kind, ref): a round's id or a year, a unique key.
"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monitoring_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("ref", sa.Integer(), nullable=False),
        sa.Column("went_well_id", sa.Text(), nullable=False),
        sa.Column("went_well_en", sa.Text(), nullable=True),
        sa.Column("went_badly_id", sa.Text(), nullable=False),
        sa.Column("went_badly_en", sa.Text(), nullable=True),
        sa.Column("changes_id", sa.Text(), nullable=False),
        sa.Column("changes_en", sa.Text(), nullable=True),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('round', 'year')", name=op.f("ck_monitoring_evaluation_kind_known")),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], name=op.f("fk_monitoring_evaluation_survey_id_survey"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"], name=op.f("fk_monitoring_evaluation_updated_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_evaluation")),
        sa.UniqueConstraint("kind", "ref", name=op.f("uq_monitoring_evaluation_kind_ref")),
    )


def downgrade():
    op.drop_table("monitoring_evaluation")
