"""recipient lists: periods, decisions, published versions, objections

Changes, approvals, published versions and their rows are append-only (triggers refuse
UPDATE and DELETE), so that every published list stays as it was published.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from portal.audit.ddl import drop_append_only, make_append_only

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "recipient_change",
    "recipient_approval",
    "recipient_version",
    "recipient_version_row",
)


def _user_fk(table, column):
    return sa.ForeignKeyConstraint(
        [column],
        ["user_account.id"],
        name=op.f(f"fk_{table}_{column}_user_account"),
        ondelete="SET NULL",
    )


def upgrade():
    op.create_table(
        "recipient_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("benefit_id", sa.Text(), nullable=False),
        sa.Column("benefit_en", sa.Text(), nullable=True),
        sa.Column("rule_need_levels", sa.String(length=80), nullable=False),
        sa.Column("rule_max_desil", sa.Integer(), nullable=True),
        sa.Column("rule_min_members", sa.Integer(), nullable=True),
        sa.Column("rule_composition", sa.String(length=16), nullable=False),
        sa.Column("rule_aid_fit", sa.Boolean(), nullable=False),
        sa.Column("rule_not_covered", sa.Boolean(), nullable=False),
        sa.Column("objection_days", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_recipient_period_period_order")),
        sa.CheckConstraint(
            "budget IS NULL OR budget >= 0", name=op.f("ck_recipient_period_budget_positive")
        ),
        sa.CheckConstraint(
            "amount IS NULL OR amount >= 0", name=op.f("ck_recipient_period_amount_positive")
        ),
        sa.CheckConstraint(
            "rule_max_desil IS NULL OR (rule_max_desil BETWEEN 1 AND 10)",
            name=op.f("ck_recipient_period_desil_range"),
        ),
        sa.CheckConstraint(
            "rule_min_members IS NULL OR rule_min_members >= 1",
            name=op.f("ck_recipient_period_min_members_positive"),
        ),
        sa.CheckConstraint(
            "objection_days BETWEEN 1 AND 60",
            name=op.f("ck_recipient_period_objection_days_range"),
        ),
        sa.CheckConstraint(
            "rule_composition IN ('', 'children', 'school_age', 'elderly', 'disabled')",
            name=op.f("ck_recipient_period_composition_known"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_recipient_period_programme_id_programme"),
            ondelete="RESTRICT",
        ),
        _user_fk("recipient_period", "created_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_period")),
    )
    with op.batch_alter_table("recipient_period", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recipient_period_programme_id"), ["programme_id"], unique=False
        )

    op.create_table(
        "recipient_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("attendees_count", sa.Integer(), nullable=False),
        sa.Column("quorum_required", sa.Integer(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("scan_file", sa.String(length=80), nullable=True),
        sa.Column("scan_mimetype", sa.String(length=40), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "attendees_count >= 0", name=op.f("ck_recipient_decision_attendees_positive")
        ),
        sa.CheckConstraint(
            "quorum_required >= 1", name=op.f("ck_recipient_decision_quorum_positive")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["recipient_period.id"],
            name=op.f("fk_recipient_decision_period_id_recipient_period"),
            ondelete="RESTRICT",
        ),
        _user_fk("recipient_decision", "recorded_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_decision")),
    )
    with op.batch_alter_table("recipient_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recipient_decision_period_id"), ["period_id"], unique=False
        )

    op.create_table(
        "recipient_attendee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=False),
        sa.Column("is_bpd", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["recipient_decision.id"],
            name=op.f("fk_recipient_attendee_decision_id_recipient_decision"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_attendee")),
    )
    with op.batch_alter_table("recipient_attendee", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recipient_attendee_decision_id"), ["decision_id"], unique=False
        )

    op.create_table(
        "recipient_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('rule', 'staff', 'objection')",
            name=op.f("ck_recipient_entry_source_known"),
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["recipient_decision.id"],
            name=op.f("fk_recipient_entry_decision_id_recipient_decision"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_recipient_entry_household_id_household"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["recipient_period.id"],
            name=op.f("fk_recipient_entry_period_id_recipient_period"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_entry")),
        sa.UniqueConstraint(
            "period_id", "household_id", name=op.f("uq_recipient_entry_period_id_household_id")
        ),
    )
    with op.batch_alter_table("recipient_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recipient_entry_period_active", ["period_id", "active"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recipient_entry_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recipient_entry_decision_id"), ["decision_id"], unique=False
        )

    op.create_table(
        "recipient_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approver_name", sa.String(length=120), nullable=False),
        sa.Column("approver_role", sa.String(length=16), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["recipient_decision.id"],
            name=op.f("fk_recipient_approval_decision_id_recipient_decision"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["recipient_period.id"],
            name=op.f("fk_recipient_approval_period_id_recipient_period"),
            ondelete="RESTRICT",
        ),
        _user_fk("recipient_approval", "approved_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_approval")),
    )
    with op.batch_alter_table("recipient_approval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recipient_approval_period_id"), ["period_id"], unique=False
        )

    op.create_table(
        "recipient_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("objection_until", sa.Date(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["recipient_approval.id"],
            name=op.f("fk_recipient_version_approval_id_recipient_approval"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["recipient_decision.id"],
            name=op.f("fk_recipient_version_decision_id_recipient_decision"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["recipient_period.id"],
            name=op.f("fk_recipient_version_period_id_recipient_period"),
            ondelete="RESTRICT",
        ),
        _user_fk("recipient_version", "published_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_version")),
        sa.UniqueConstraint(
            "period_id", "number", name=op.f("uq_recipient_version_period_id_number")
        ),
    )

    op.create_table(
        "recipient_version_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("masked_name", sa.String(length=120), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("rt", sa.Integer(), nullable=False),
        sa.Column("rw", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_recipient_version_row_household_id_household"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["recipient_version.id"],
            name=op.f("fk_recipient_version_row_version_id_recipient_version"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_version_row")),
        sa.UniqueConstraint(
            "version_id",
            "household_id",
            name=op.f("uq_recipient_version_row_version_id_household_id"),
        ),
    )
    with op.batch_alter_table("recipient_version_row", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recipient_version_row_place", ["version_id", "rw", "rt"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recipient_version_row_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "recipient_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=True),
        sa.Column("subject_name", sa.String(length=120), nullable=True),
        sa.Column("rt", sa.Integer(), nullable=True),
        sa.Column("rw", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('remove', 'include')", name=op.f("ck_recipient_objection_kind_known")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'upheld', 'rejected')",
            name=op.f("ck_recipient_objection_status_known"),
        ),
        sa.CheckConstraint(
            "kind <> 'remove' OR row_id IS NOT NULL",
            name=op.f("ck_recipient_objection_remove_names_row"),
        ),
        sa.CheckConstraint(
            "status = 'open' OR (decided_at IS NOT NULL AND length(decision_reason) > 0)",
            name=op.f("ck_recipient_objection_decision_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_recipient_objection_household_id_household"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["recipient_period.id"],
            name=op.f("fk_recipient_objection_period_id_recipient_period"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["row_id"],
            ["recipient_version_row.id"],
            name=op.f("fk_recipient_objection_row_id_recipient_version_row"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["recipient_version.id"],
            name=op.f("fk_recipient_objection_version_id_recipient_version"),
            ondelete="RESTRICT",
        ),
        _user_fk("recipient_objection", "decided_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_objection")),
    )
    with op.batch_alter_table("recipient_objection", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recipient_objection_period_status", ["period_id", "status"], unique=False
        )

    op.create_table(
        "recipient_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("objection_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('add', 'remove')", name=op.f("ck_recipient_change_action_known")
        ),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_recipient_change_reason_given")),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_recipient_change_household_id_household"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["objection_id"],
            ["recipient_objection.id"],
            name=op.f("fk_recipient_change_objection_id_recipient_objection"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["recipient_period.id"],
            name=op.f("fk_recipient_change_period_id_recipient_period"),
            ondelete="RESTRICT",
        ),
        _user_fk("recipient_change", "actor_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_change")),
    )
    with op.batch_alter_table("recipient_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recipient_change_period_id"), ["period_id"], unique=False
        )

    for table in APPEND_ONLY:
        make_append_only(op, table)


def downgrade():
    for table in APPEND_ONLY:
        drop_append_only(op, table)
    for table in (
        "recipient_change",
        "recipient_objection",
        "recipient_version_row",
        "recipient_version",
        "recipient_approval",
        "recipient_entry",
        "recipient_attendee",
        "recipient_decision",
        "recipient_period",
    ):
        op.drop_table(table)
