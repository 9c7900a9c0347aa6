"""participation: ballots, votes, surveys, proposals

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28

Placeholder in the chain, filled by the feature that owns it.
"""

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
