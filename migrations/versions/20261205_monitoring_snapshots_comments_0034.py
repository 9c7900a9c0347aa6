"""monitoring: the yearly snapshot of need levels (one row per household and year),
residents' comments on activities and their reports (once per person and comment),
an optional photo per milestone

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-05 10:30:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monitoring_need_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("need_level", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_monitoring_need_snapshot_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_need_snapshot")),
        sa.UniqueConstraint(
            "year", "household_id", name=op.f("uq_monitoring_need_snapshot_year_household_id")
        ),
    )
    with op.batch_alter_table("monitoring_need_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_need_snapshot_year"), ["year"], unique=False
        )
    op.create_table(
        "monitoring_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_label", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("flags_count", sa.Integer(), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.String(length=300), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["monitoring_activity.id"],
            name=op.f("fk_monitoring_comment_activity_id_monitoring_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_monitoring_comment_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"],
            ["user_account.id"],
            name=op.f("fk_monitoring_comment_hidden_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_comment")),
    )
    op.create_index(
        op.f("ix_monitoring_comment_activity_id"), "monitoring_comment", ["activity_id"]
    )
    op.create_table(
        "monitoring_comment_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["monitoring_comment.id"],
            name=op.f("fk_monitoring_comment_flag_comment_id_monitoring_comment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_monitoring_comment_flag_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_comment_flag")),
        sa.UniqueConstraint(
            "comment_id",
            "user_id",
            name=op.f("uq_monitoring_comment_flag_comment_id_user_id"),
        ),
    )
    with op.batch_alter_table("monitoring_milestone", schema=None) as batch_op:
        batch_op.add_column(sa.Column("photo_file", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("monitoring_milestone", schema=None) as batch_op:
        batch_op.drop_column("photo_file")
    op.drop_table("monitoring_comment_flag")
    op.drop_index(op.f("ix_monitoring_comment_activity_id"), table_name="monitoring_comment")
    op.drop_table("monitoring_comment")
    with op.batch_alter_table("monitoring_need_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_need_snapshot_year"))
    op.drop_table("monitoring_need_snapshot")
