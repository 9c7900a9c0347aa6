"""csr: more (pledge board follow-ups)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

The follow-ups (board in pages, one-pass sums, page cache, the course link for
training pledges) needed no schema change: this revision keeps its place in the chain
and changes nothing. `csr_need.ballot_id` stays a plain integer; the participation
migration (0010, later in the chain) may add its foreign key to the ballot table.
"""

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
