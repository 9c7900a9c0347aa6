"""recipient lists: periods, decisions, published versions, objections

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28

Placeholder in the chain, filled by the feature that owns it.
"""

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
