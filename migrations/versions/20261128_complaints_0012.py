"""complaints: reports with tracking codes, steps, routing

A complaint keeps only the SHA-256 of its tracking code (unique). An anonymous
complaint can hold no name or contact (CHECK). Its steps are append-only (triggers
refuse UPDATE and DELETE), like the audit log.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from portal.audit.ddl import drop_append_only, make_append_only

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category", sa.String(length=12), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("rt", sa.String(length=3), nullable=True),
        sa.Column("rw", sa.String(length=3), nullable=True),
        sa.Column("photo_file", sa.String(length=80), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("reporter_name", sa.String(length=120), nullable=True),
        sa.Column("reporter_contact", sa.String(length=120), nullable=True),
        sa.Column("named_staff_id", sa.Integer(), nullable=True),
        sa.Column("named_staff_text", sa.String(length=120), nullable=True),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "category IN ('misuse', 'unfair', 'missed', 'service', 'other')",
            name=op.f("ck_complaint_category_known"),
        ),
        sa.CheckConstraint(
            "status IN ('received', 'in_review', 'answered', 'closed')",
            name=op.f("ck_complaint_status_known"),
        ),
        sa.CheckConstraint(
            "priority IN ('low', 'normal', 'high', 'urgent')",
            name=op.f("ck_complaint_priority_known"),
        ),
        sa.CheckConstraint(
            "NOT anonymous OR (reporter_name IS NULL AND reporter_contact IS NULL)",
            name=op.f("ck_complaint_anonymous_has_no_identity"),
        ),
        sa.CheckConstraint(
            "status <> 'closed' OR (closed_at IS NOT NULL AND resolution IS NOT NULL)",
            name=op.f("ck_complaint_closed_has_resolution"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"],
            ["user_account.id"],
            name=op.f("fk_complaint_assigned_to_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["named_staff_id"],
            ["user_account.id"],
            name=op.f("fk_complaint_named_staff_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_complaint_code_hash")),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_assigned_to_id"), ["assigned_to_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaint_named_staff_id"), ["named_staff_id"], unique=False
        )
        batch_op.create_index("ix_complaint_status_created", ["status", "created_at"], unique=False)

    op.create_table(
        "complaint_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('filed', 'triaged', 'assigned', 'replied', 'note', 'closed')",
            name=op.f("ck_complaint_step_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_complaint_step_actor_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_complaint_step_complaint_id_complaint"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_step")),
    )
    with op.batch_alter_table("complaint_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_step_complaint_id"), ["complaint_id"], unique=False
        )
    make_append_only(op, "complaint_step")


def downgrade():
    drop_append_only(op, "complaint_step")
    with op.batch_alter_table("complaint_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_step_complaint_id"))
    op.drop_table("complaint_step")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_status_created")
        batch_op.drop_index(batch_op.f("ix_complaint_named_staff_id"))
        batch_op.drop_index(batch_op.f("ix_complaint_assigned_to_id"))
    op.drop_table("complaint")
