"""accounts: staff TOTP secrets sealed at rest

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

`user_account.totp_secret` now holds the secret sealed with AES-SIV under
TOTP_ENCRYPTION_KEY (portal/accounts/secret_box.py): longer than the 32-character
secret, so the column widens to 128 on PostgreSQL (SQLite does not enforce lengths),
and every secret already stored is sealed. The downgrade opens them again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _rewrite(change) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, totp_secret FROM user_account WHERE totp_secret IS NOT NULL")
    ).all()
    for user_id, stored in rows:
        new = change(stored)
        if new != stored:
            bind.execute(
                sa.text("UPDATE user_account SET totp_secret = :value WHERE id = :id"),
                {"value": new, "id": user_id},
            )


def _resize(old: int, new: int) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "user_account",
            "totp_secret",
            type_=sa.String(new),
            existing_type=sa.String(old),
            existing_nullable=True,
        )


def upgrade():
    from portal.accounts.secret_box import PREFIX, seal

    _resize(64, 128)
    _rewrite(lambda stored: stored if stored.startswith(PREFIX) else seal(stored))


def downgrade():
    from portal.accounts.secret_box import is_unreadable, unseal

    def opened(stored):
        plain = unseal(stored)
        if is_unreadable(plain):
            raise RuntimeError("a TOTP secret does not open under TOTP_ENCRYPTION_KEY")
        return plain

    _rewrite(opened)
    _resize(128, 64)
