"""notify: e-mail subscriptions (an address confirmed by a code, like a phone)

Revision ID: 0032
Revises: 0025
Create Date: 2026-12-05

`notify_subscriber.phone` holds the address messages go to: widened to 254 characters
for an e-mail address; the channel may be "email", and a CHECK keeps an e-mail address
with the e-mail channel and a phone with the others.
"""

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0025"
branch_labels = None
depends_on = None

ADDRESS_FITS = "(channel = 'email') = (phone LIKE '%@%')"


def _quietly(step):
    # SQLite's batch mode reflects the database, whose expression indexes it skips.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        step()


def upgrade():
    _quietly(_up)


def downgrade():
    _quietly(_down)


def _up():
    with op.batch_alter_table("notify_subscriber", schema=None) as batch_op:
        batch_op.alter_column(
            "phone", existing_type=sa.String(length=20), type_=sa.String(length=254)
        )
        batch_op.drop_constraint(batch_op.f("ck_notify_subscriber_channel_known"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_notify_subscriber_channel_known"),
            sa.text("channel IN ('email', 'sms', 'whatsapp')"),
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_notify_subscriber_address_fits_channel"), sa.text(ADDRESS_FITS)
        )


def _down():
    # E-mail subscribers have append-only consents: they cannot be dropped quietly.
    emails = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM notify_subscriber WHERE channel = 'email'")
    )
    if emails:
        raise RuntimeError(f"{emails} e-mail subscriptions exist; the old schema has no place")
    with op.batch_alter_table("notify_subscriber", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_notify_subscriber_address_fits_channel"), type_="check"
        )
        batch_op.drop_constraint(batch_op.f("ck_notify_subscriber_channel_known"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_notify_subscriber_channel_known"),
            sa.text("channel IN ('sms', 'whatsapp')"),
        )
        batch_op.alter_column(
            "phone", existing_type=sa.String(length=254), type_=sa.String(length=20)
        )
