"""distribution: the entitlement and handover lines indexed by round (the ledger and the
round's progress sum one round's lines; without the index they read every round's)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-05 18:10:00

"""

from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        op.f("ix_distribution_entitlement_line_round_id"),
        "distribution_entitlement_line",
        ["round_id"],
    )
    op.create_index(
        op.f("ix_distribution_handover_line_round_id"), "distribution_handover_line", ["round_id"]
    )


def downgrade():
    op.drop_index(
        op.f("ix_distribution_handover_line_round_id"), table_name="distribution_handover_line"
    )
    op.drop_index(
        op.f("ix_distribution_entitlement_line_round_id"),
        table_name="distribution_entitlement_line",
    )
