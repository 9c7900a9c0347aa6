"""notify: the outbox of every feature, subscriptions, consents, broadcasts, daily caps

Revision ID: 0023
Revises: 0029
Create Date: 2026-12-05

The training outbox becomes the notify service's: `outbox_message` no longer points at
`training_place` (a lower layer names no feature's table); the place is kept as
(`about_type`, `about_id`). A message may belong to a broadcast and a subscriber, the
pair unique (one message per person per broadcast). `notify_consent` is append-only.
"""

import warnings

import sqlalchemy as sa
from alembic import op

from portal.audit.ddl import drop_append_only, make_append_only

revision = "0023"
down_revision = "0029"
branch_labels = None
depends_on = None

STATUSES_BEFORE = "status IN ('queued', 'sending', 'sent', 'failed')"
STATUSES_AFTER = "status IN ('queued', 'sending', 'sent', 'failed', 'withheld')"


def _subscriber():
    op.create_table(
        "notify_subscriber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("locale", sa.String(length=2), nullable=False),
        sa.Column("rt", sa.String(length=3), nullable=True),
        sa.Column("rw", sa.String(length=3), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("code_tries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'stopped')",
            name=op.f("ck_notify_subscriber_status_known"),
        ),
        sa.CheckConstraint(
            "channel IN ('sms', 'whatsapp')", name=op.f("ck_notify_subscriber_channel_known")
        ),
        sa.CheckConstraint("locale IN ('id', 'en')", name=op.f("ck_notify_subscriber_locale_known")),
        sa.CheckConstraint("code_tries >= 0", name=op.f("ck_notify_subscriber_code_tries_positive")),
        sa.CheckConstraint(
            "(status = 'stopped') = (stopped_at IS NOT NULL)",
            name=op.f("ck_notify_subscriber_stopped_when_stopped"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notify_subscriber_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_subscriber")),
    )
    op.create_index(
        "uq_notify_subscriber_live_phone",
        "notify_subscriber",
        ["phone"],
        unique=True,
        sqlite_where=sa.text("status <> 'stopped'"),
        postgresql_where=sa.text("status <> 'stopped'"),
    )
    op.create_index("ix_notify_subscriber_area", "notify_subscriber", ["status", "rw", "rt"])
    op.create_index(op.f("ix_notify_subscriber_user_id"), "notify_subscriber", ["user_id"])


def _choices_and_consents():
    op.create_table(
        "notify_topic_choice",
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "topic IN ('announcements', 'programmes', 'distribution', 'meetings', 'training')",
            name=op.f("ck_notify_topic_choice_topic_known"),
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["notify_subscriber.id"],
            name=op.f("fk_notify_topic_choice_subscriber_id_notify_subscriber"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subscriber_id", "topic", name=op.f("pk_notify_topic_choice")),
    )
    op.create_index(
        "ix_notify_topic_choice_topic", "notify_topic_choice", ["topic", "subscriber_id"]
    )
    op.create_table(
        "notify_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("how", sa.String(length=10), nullable=False),
        sa.Column("topics", sa.String(length=200), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('consent', 'withdraw')", name=op.f("ck_notify_consent_action_known")
        ),
        sa.CheckConstraint(
            "how IN ('web', 'link', 'reply', 'office')", name=op.f("ck_notify_consent_how_known")
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["notify_subscriber.id"],
            name=op.f("fk_notify_consent_subscriber_id_notify_subscriber"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"],
            ["user_account.id"],
            name=op.f("fk_notify_consent_by_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_consent")),
    )
    op.create_index(op.f("ix_notify_consent_subscriber_id"), "notify_consent", ["subscriber_id"])
    make_append_only(op, "notify_consent")
    op.create_table(
        "notify_daily_count",
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.CheckConstraint("sent >= 0", name=op.f("ck_notify_daily_count_sent_positive")),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["notify_subscriber.id"],
            name=op.f("fk_notify_daily_count_subscriber_id_notify_subscriber"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subscriber_id", "day", name=op.f("pk_notify_daily_count")),
    )


def _broadcast():
    op.create_table(
        "notify_broadcast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=20), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("audience_ref", sa.Integer(), nullable=True),
        sa.Column("areas", sa.String(length=500), nullable=False),
        sa.Column("sms_id", sa.String(length=480), nullable=False),
        sa.Column("sms_en", sa.String(length=480), nullable=True),
        sa.Column("text_id", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("link", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("size", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'waiting', 'queued', 'cancelled')",
            name=op.f("ck_notify_broadcast_status_known"),
        ),
        sa.CheckConstraint(
            "topic IN ('announcements', 'programmes', 'distribution', 'meetings', 'training')",
            name=op.f("ck_notify_broadcast_topic_known"),
        ),
        sa.CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> created_by_id",
            name=op.f("ck_notify_broadcast_four_eyes"),
        ),
        sa.CheckConstraint("size >= 0", name=op.f("ck_notify_broadcast_size_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_notify_broadcast_created_by_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_notify_broadcast_approved_by_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_broadcast")),
    )


def _outbox_up():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("about_type", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("about_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("broadcast_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("subscriber_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE outbox_message SET about_type = 'training_place', about_id = place_id "
        "WHERE place_id IS NOT NULL"
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_place_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_place_id_training_place"), type_="foreignkey"
        )
        batch_op.drop_column("place_id")
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_status_known"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_outbox_message_status_known"), sa.text(STATUSES_AFTER)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_broadcast_id_notify_broadcast"),
            "notify_broadcast",
            ["broadcast_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_subscriber_id_notify_subscriber"),
            "notify_subscriber",
            ["subscriber_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_outbox_message_broadcast_id_subscriber_id"),
            ["broadcast_id", "subscriber_id"],
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_broadcast_id"), ["broadcast_id"])
        batch_op.create_index(batch_op.f("ix_outbox_message_subscriber_id"), ["subscriber_id"])


def _quietly(step) -> None:
    """SQLite's batch mode reflects the tables `outbox_message` points at, down to the
    person table, whose expression indexes SQLAlchemy cannot reflect (and need not:
    only outbox_message is rebuilt)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        step()


def upgrade():
    _subscriber()
    _choices_and_consents()
    _broadcast()
    _quietly(_outbox_up)


def downgrade():
    _quietly(_outbox_down)
    op.drop_table("notify_broadcast")
    op.drop_table("notify_daily_count")
    drop_append_only(op, "notify_consent")
    op.drop_table("notify_consent")
    op.drop_table("notify_topic_choice")
    op.drop_table("notify_subscriber")


def _outbox_down():
    op.execute("DELETE FROM outbox_message WHERE broadcast_id IS NOT NULL")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE outbox_message SET place_id = about_id WHERE about_type = 'training_place'"
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_subscriber_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_broadcast_id"))
        batch_op.drop_constraint(
            batch_op.f("uq_outbox_message_broadcast_id_subscriber_id"), type_="unique"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_subscriber_id_notify_subscriber"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_broadcast_id_notify_broadcast"), type_="foreignkey"
        )
        batch_op.drop_column("subscriber_id")
        batch_op.drop_column("broadcast_id")
        batch_op.drop_column("about_id")
        batch_op.drop_column("about_type")
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_status_known"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_outbox_message_status_known"), sa.text(STATUSES_BEFORE)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_place_id_training_place"),
            "training_place",
            ["place_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_place_id"), ["place_id"])
