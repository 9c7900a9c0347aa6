"""monitoring: the yearly snapshot of need levels (one row per household and year)

Revision ID: 0034
Revises: 0025
Create Date: 2026-12-05 10:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monitoring_need_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("need_level", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_monitoring_need_snapshot_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_need_snapshot")),
        sa.UniqueConstraint(
            "year", "household_id", name=op.f("uq_monitoring_need_snapshot_year_household_id")
        ),
    )
    with op.batch_alter_table("monitoring_need_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_need_snapshot_year"), ["year"], unique=False
        )


def downgrade():
    with op.batch_alter_table("monitoring_need_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_need_snapshot_year"))
    op.drop_table("monitoring_need_snapshot")
