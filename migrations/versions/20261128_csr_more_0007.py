"""csr: more (pledge board follow-ups)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

Placeholder in the chain, filled by the feature that owns it.
"""

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
