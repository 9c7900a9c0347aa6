"""accounts: failed-login backoff and the second-factor lockout

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-05

`user_account` counts wrong passwords in a row (`failed_logins`, with
`login_blocked_until` for the growing pause) and wrong second-factor codes in a row
(`totp_failures`; `totp_locked_at` once ten are reached, until a recovery code or an
administrator unlocks it).
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None

COLUMNS = ("failed_logins", "login_blocked_until", "totp_failures", "totp_locked_at")


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (SQLite 3.35+ has both): no table copy, and none of these
    # columns is in an index or a constraint.
    op.add_column(
        "user_account",
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("user_account", sa.Column("login_blocked_until", sa.DateTime(timezone=True)))
    op.add_column(
        "user_account",
        sa.Column("totp_failures", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("user_account", sa.Column("totp_locked_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column("user_account", name)
