"""training: courses, sessions, places, waitlist, outbox, attendance, certificates

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28

Placeholder in the chain, filled by the feature that owns it.
"""

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
