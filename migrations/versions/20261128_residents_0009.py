"""residents: verification queue, reset codes, data requests

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28

Placeholder in the chain, filled by the feature that owns it.
"""

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
