"""distribution closing: aid is carried over to a follow-up round once

Revision ID: 0028
Revises: 0030
Create Date: 2026-12-05

A not-collected entitlement is carried over to a follow-up round by a new entitlement
naming it (`follows_id`); a unique index makes a second carry-over of the same aid
impossible (NULLs, the entitlements that follow none, do not collide on either engine).
"""

from alembic import op

revision = "0028"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "uq_distribution_entitlement_follows_id",
        "distribution_entitlement",
        ["follows_id"],
        unique=True,
    )


def downgrade():
    op.drop_index("uq_distribution_entitlement_follows_id", table_name="distribution_entitlement")
