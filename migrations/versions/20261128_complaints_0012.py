"""complaints: reports with tracking codes, steps, routing

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28

Placeholder in the chain, filled by the feature that owns it.
"""

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
