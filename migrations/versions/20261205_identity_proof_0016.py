"""identity proof: the mother's name in the registry, pending NIK claims out of the
unique column, and who cast a ballot vote

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05

- `person.mother_name`: the mother's name as SIAK records it (staff only), part of
  what a resident proves to verify an account (portal/accounts/verification.py).
- `user_account.claimed_nik`: the NIK a request waiting for the office gave. Not
  unique, so a stranger's pending claim no longer blocks the real owner; `nik` (unique)
  now holds only the NIK of a verified link. Existing unverified accounts move their
  NIK over. Adding a column keeps SQLite's table as it is (no copy of user_account,
  whose rows other tables point at).
- `ballot_vote.cast_by`: the account that cast the vote, so that votes cast under a
  stolen identity can be struck (on a household ballot the voter key is the household).
  Votes on one-per-person ballots get their voter key, which is that account; earlier
  household votes stay unattributed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mother_name", sa.String(length=120), nullable=True))
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_nik", sa.String(length=16), nullable=True))
    op.create_index("ix_user_account_claimed_nik", "user_account", ["claimed_nik"])
    op.execute(
        "UPDATE user_account SET claimed_nik = nik, nik = NULL "
        "WHERE nik IS NOT NULL AND verification_status <> 'verified'"
    )
    with op.batch_alter_table("ballot_vote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cast_by", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE ballot_vote SET cast_by = voter_key WHERE ballot_id IN "
        "(SELECT id FROM ballot WHERE per_household = false)"
    )


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+), not a batch copy of the tables: other tables
    # point at user_account and person, and SQLite's DROP TABLE with foreign keys on
    # would fire their ON DELETE actions.
    op.drop_column("ballot_vote", "cast_by")
    # A claimed NIK goes back into the unique column where no other account holds it
    # (the lowest account id wins among several claims); the rest are dropped.
    op.execute(
        "UPDATE user_account SET nik = claimed_nik WHERE nik IS NULL "
        "AND claimed_nik IS NOT NULL "
        "AND claimed_nik NOT IN (SELECT nik FROM user_account WHERE nik IS NOT NULL) "
        "AND id = (SELECT MIN(u2.id) FROM user_account u2 "
        "WHERE u2.claimed_nik = user_account.claimed_nik AND u2.nik IS NULL)"
    )
    op.drop_index("ix_user_account_claimed_nik", table_name="user_account")
    op.drop_column("user_account", "claimed_nik")
    op.drop_column("person", "mother_name")
