"""training: courses, sessions, places, waitlist, outbox, attendance, certificates

The seat limit lives in the database: CHECK taken BETWEEN 0 AND seats on the session,
and a partial unique index (session, holder) over live places (not cancelled).
Attendance marks are unique by their client-made id.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CATEGORIES = (
    "('entrepreneurship', 'food', 'sewing', 'digital', 'farming', 'finance', 'crafts', 'other')"
)


def _stamps():
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade():
    op.create_table(
        "training_course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=True),
        sa.Column("description_id", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("trainer_id", sa.Integer(), nullable=True),
        sa.Column("trainer_name", sa.String(length=120), nullable=True),
        sa.Column("sponsor_company_id", sa.Integer(), nullable=True),
        sa.Column("pledge_id", sa.Integer(), nullable=True),
        sa.Column("priority_rule", sa.String(length=16), nullable=False),
        sa.Column("priority_levels", sa.String(length=80), nullable=True),
        sa.Column("priority_programme_id", sa.Integer(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            f"category IN {CATEGORIES}", name=op.f("ck_training_course_category_known")
        ),
        sa.CheckConstraint(
            "priority_rule IN ('open', 'need_level', 'programme', 'women')",
            name=op.f("ck_training_course_priority_rule_known"),
        ),
        sa.ForeignKeyConstraint(
            ["trainer_id"],
            ["user_account.id"],
            name=op.f("fk_training_course_trainer_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_company_id"],
            ["csr_company.id"],
            name=op.f("fk_training_course_sponsor_company_id_csr_company"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"],
            ["csr_pledge.id"],
            name=op.f("fk_training_course_pledge_id_csr_pledge"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["priority_programme_id"],
            ["programme.id"],
            name=op.f("fk_training_course_priority_programme_id_programme"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_training_course_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_course")),
    )
    with op.batch_alter_table("training_course", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_course_trainer_id"), ["trainer_id"])
        batch_op.create_index(
            batch_op.f("ix_training_course_sponsor_company_id"), ["sponsor_company_id"]
        )
        batch_op.create_index(batch_op.f("ix_training_course_pledge_id"), ["pledge_id"])
        batch_op.create_index(batch_op.f("ix_training_course_published"), ["published"])

    op.create_table(
        "training_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), server_default="0", nullable=False),
        sa.Column("waitlist_seq", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("seats > 0", name=op.f("ck_training_session_seats_positive")),
        sa.CheckConstraint(
            "taken >= 0 AND taken <= seats", name=op.f("ck_training_session_taken_in_range")
        ),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_training_session_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_course.id"],
            name=op.f("fk_training_session_course_id_training_course"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_session")),
    )
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_session_course_id"), ["course_id"])
        batch_op.create_index(batch_op.f("ix_training_session_starts_at"), ["starts_at"])

    op.create_table(
        "training_place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("waitlist_no", sa.Integer(), nullable=True),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("certificate_code", sa.String(length=24), nullable=True),
        sa.Column("signed_up_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "status IN ('enrolled', 'waitlisted', 'cancelled')",
            name=op.f("ck_training_place_status_known"),
        ),
        sa.CheckConstraint("locale IN ('id', 'en')", name=op.f("ck_training_place_locale_known")),
        sa.CheckConstraint(
            "status <> 'waitlisted' OR waitlist_no IS NOT NULL",
            name=op.f("ck_training_place_waitlist_numbered"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_training_place_session_id_training_session"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_training_place_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_training_place_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["signed_up_by_id"],
            ["user_account.id"],
            name=op.f("fk_training_place_signed_up_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_place")),
        sa.UniqueConstraint("certificate_code", name=op.f("uq_training_place_certificate_code")),
    )
    with op.batch_alter_table("training_place", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_place_session_id"), ["session_id"])
        batch_op.create_index(batch_op.f("ix_training_place_user_id"), ["user_id"])
        batch_op.create_index(batch_op.f("ix_training_place_person_id"), ["person_id"])
        batch_op.create_index(
            "ix_training_place_queue", ["session_id", "status", "waitlist_no"], unique=False
        )
        batch_op.create_index(
            "uq_training_place_live",
            ["session_id", "holder"],
            unique=True,
            sqlite_where=sa.text("status <> 'cancelled'"),
            postgresql_where=sa.text("status <> 'cancelled'"),
        )

    op.create_table(
        "training_attendance_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["training_place.id"],
            name=op.f("fk_training_attendance_mark_place_id_training_place"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["user_account.id"],
            name=op.f("fk_training_attendance_mark_marked_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attendance_mark")),
        sa.UniqueConstraint("client_id", name=op.f("uq_training_attendance_mark_client_id")),
    )
    with op.batch_alter_table("training_attendance_mark", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_attendance_mark_place_id"), ["place_id"])

    op.create_table(
        "training_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("business", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "rating BETWEEN 1 AND 5", name=op.f("ck_training_feedback_rating_range")
        ),
        sa.CheckConstraint(
            "business IN ('none', 'started', 'grew')",
            name=op.f("ck_training_feedback_business_known"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["training_place.id"],
            name=op.f("fk_training_feedback_place_id_training_place"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_feedback")),
        sa.UniqueConstraint("place_id", name=op.f("uq_training_feedback_place_id")),
    )

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed')",
            name=op.f("ck_outbox_message_status_known"),
        ),
        sa.CheckConstraint(
            "channel IN ('email', 'sms', 'whatsapp')",
            name=op.f("ck_outbox_message_channel_known"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["training_place.id"],
            name=op.f("fk_outbox_message_place_id_training_place"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_message_dedupe_key")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_message_due", ["status", "next_attempt_at"])
        batch_op.create_index(batch_op.f("ix_outbox_message_place_id"), ["place_id"])


def downgrade():
    op.drop_table("outbox_message")
    op.drop_table("training_feedback")
    op.drop_table("training_attendance_mark")
    op.drop_table("training_place")
    op.drop_table("training_session")
    op.drop_table("training_course")
