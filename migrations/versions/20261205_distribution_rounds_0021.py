"""distribution rounds: points, slots, items, approvals, entitlements, handovers, stock

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05

A round's entitlements can only name a household of the list version its approval
names: composite foreign keys from `distribution_entitlement` to `distribution_approval`
(id, round, version) and to `recipient_version_row` (version, household), with a unique
index on `recipient_version` (id, period_id) so that a round and its approvals stay in
one programme period. What an entitlement is due is frozen (triggers refuse a change of
its household, code, cash due, approval, or of a line's quantity due, and any DELETE);
approvals, handovers, their lines and voids, and the stock ledger are append-only.
The new role "officer" (distribution officer) joins the user_account role CHECK: on
SQLite by rewriting the CHECK's text in the schema (the documented way to loosen a
CHECK without copying a table that many others reference).
"""

import sqlalchemy as sa
from alembic import op

from portal.audit.ddl import drop_append_only, make_append_only

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "distribution_approval",
    "distribution_handover",
    "distribution_handover_line",
    "distribution_handover_void",
    "distribution_stock",
)
FROZEN = {
    "distribution_entitlement": (
        "round_id",
        "approval_id",
        "version_id",
        "household_id",
        "code",
        "cash_due",
        "follows_id",
    ),
    "distribution_entitlement_line": ("entitlement_id", "round_id", "item_id", "due_milli"),
}
OLD_ROLES = "role IN ('resident', 'partner', 'trainer', 'operator', 'admin', 'auditor')"
NEW_ROLES = "role IN ('resident', 'partner', 'trainer', 'operator', 'admin', 'auditor', 'officer')"


def upgrade():
    op.create_index(
        "uq_recipient_version_id_period", "recipient_version", ["id", "period_id"], unique=True
    )
    op.create_table(
        "distribution_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("cash_amount", sa.BigInteger(), nullable=True),
        sa.Column("use_food_formula", sa.Boolean(), nullable=False),
        sa.Column("notes_id", sa.Text(), nullable=False),
        sa.Column("notes_en", sa.Text(), nullable=True),
        sa.Column("sample_percent", sa.Integer(), nullable=False),
        sa.Column("sample_minimum", sa.Integer(), nullable=False),
        sa.Column("follows_round_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status <> 'cancelled' OR cancel_reason IS NOT NULL",
            name=op.f("ck_distribution_round_cancel_has_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'approved', 'open', 'closed', 'reconciled', 'cancelled')",
            name=op.f("ck_distribution_round_status_known"),
        ),
        sa.CheckConstraint(
            "cash_amount IS NULL OR cash_amount >= 0",
            name=op.f("ck_distribution_round_cash_positive"),
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_distribution_round_round_order")),
        sa.CheckConstraint(
            "sample_minimum >= 0", name=op.f("ck_distribution_round_sample_minimum_positive")
        ),
        sa.CheckConstraint(
            "sample_percent BETWEEN 1 AND 100",
            name=op.f("ck_distribution_round_sample_percent_range"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_distribution_round_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["follows_round_id"],
            ["distribution_round.id"],
            name=op.f("fk_distribution_round_follows_round_id_distribution_round"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["recipient_period.id"],
            name=op.f("fk_distribution_round_period_id_recipient_period"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id", "period_id"],
            ["recipient_version.id", "recipient_version.period_id"],
            name="fk_distribution_round_version_period",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_round")),
        sa.UniqueConstraint("id", "period_id", name="uq_distribution_round_id_period"),
    )
    with op.batch_alter_table("distribution_round", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distribution_round_period_id"), ["period_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_distribution_round_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_distribution_round_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "distribution_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "number = 1 OR reason IS NOT NULL",
            name=op.f("ck_distribution_approval_amendment_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_distribution_approval_approved_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id", "period_id"],
            ["distribution_round.id", "distribution_round.period_id"],
            name="fk_distribution_approval_round_period",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id", "period_id"],
            ["recipient_version.id", "recipient_version.period_id"],
            name="fk_distribution_approval_version_period",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_approval")),
        sa.UniqueConstraint("id", "round_id", "version_id", name="uq_distribution_approval_key"),
        sa.UniqueConstraint(
            "round_id", "number", name=op.f("uq_distribution_approval_round_id_number")
        ),
    )
    with op.batch_alter_table("distribution_approval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distribution_approval_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "distribution_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_id", sa.String(length=80), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=True),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("formula_key", sa.String(length=20), nullable=True),
        sa.CheckConstraint(
            "unit IN ('kg', 'l', 'pcs', 'pack')", name=op.f("ck_distribution_item_unit_known")
        ),
        sa.CheckConstraint(
            "quantity_milli > 0", name=op.f("ck_distribution_item_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["distribution_round.id"],
            name=op.f("fk_distribution_item_round_id_distribution_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_item")),
        sa.UniqueConstraint("id", "round_id", name="uq_distribution_item_id_round"),
    )
    with op.batch_alter_table("distribution_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distribution_item_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "distribution_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("map_url", sa.String(length=300), nullable=True),
        sa.Column("opens_at", sa.Time(), nullable=False),
        sa.Column("closes_at", sa.Time(), nullable=False),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_distribution_point_hours_order")),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["distribution_round.id"],
            name=op.f("fk_distribution_point_round_id_distribution_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_point")),
        sa.UniqueConstraint("id", "round_id", name="uq_distribution_point_id_round"),
    )
    with op.batch_alter_table("distribution_point", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distribution_point_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "distribution_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("rt", sa.Integer(), nullable=False),
        sa.Column("rw", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_distribution_slot_slot_order")),
        sa.CheckConstraint("rt BETWEEN 1 AND 999", name=op.f("ck_distribution_slot_rt_range")),
        sa.ForeignKeyConstraint(
            ["point_id", "round_id"],
            ["distribution_point.id", "distribution_point.round_id"],
            name="fk_distribution_slot_point_round",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["distribution_round.id"],
            name=op.f("fk_distribution_slot_round_id_distribution_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_slot")),
        sa.UniqueConstraint("round_id", "rw", "rt", name="uq_distribution_slot_round_rt"),
    )
    with op.batch_alter_table("distribution_slot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distribution_slot_point_id"), ["point_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_distribution_slot_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "distribution_stock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=True),
        sa.Column("source_note", sa.String(length=200), nullable=True),
        sa.Column("source_ref", sa.String(length=60), nullable=True),
        sa.Column("transfer", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('received', 'moved_in', 'moved_out', 'returned', 'damaged', 'lost')",
            name=op.f("ck_distribution_stock_kind_known"),
        ),
        sa.CheckConstraint(
            "kind NOT IN ('returned', 'damaged', 'lost') OR reason IS NOT NULL",
            name=op.f("ck_distribution_stock_loss_has_reason"),
        ),
        sa.CheckConstraint(
            "source IS NULL OR source IN ('supplier', 'csr', 'purchase', 'other')",
            name=op.f("ck_distribution_stock_source_known"),
        ),
        sa.CheckConstraint(
            "quantity_milli > 0", name=op.f("ck_distribution_stock_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_distribution_stock_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id", "round_id"],
            ["distribution_item.id", "distribution_item.round_id"],
            name="fk_distribution_stock_item_round",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["point_id", "round_id"],
            ["distribution_point.id", "distribution_point.round_id"],
            name="fk_distribution_stock_point_round",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_stock")),
    )
    with op.batch_alter_table("distribution_stock", schema=None) as batch_op:
        batch_op.create_index(
            "ix_distribution_stock_round_point_item",
            ["round_id", "point_id", "item_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_distribution_stock_transfer"), ["transfer"], unique=False
        )

    op.create_table(
        "distribution_entitlement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=True),
        sa.Column("alternate_id", sa.Integer(), nullable=True),
        sa.Column("point_id", sa.Integer(), nullable=True),
        sa.Column("slot_id", sa.Integer(), nullable=True),
        sa.Column("rt", sa.Integer(), nullable=False),
        sa.Column("rw", sa.Integer(), nullable=True),
        sa.Column("cash_due", sa.BigInteger(), nullable=False),
        sa.Column("cash_paid", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("voids", sa.Integer(), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_by_approval_id", sa.Integer(), nullable=True),
        sa.Column("follows_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status <> 'cancelled' OR cancel_reason IS NOT NULL",
            name=op.f("ck_distribution_entitlement_cancel_has_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('due', 'collected', 'partly_collected', 'not_collected', 'cancelled')",
            name=op.f("ck_distribution_entitlement_status_known"),
        ),
        sa.CheckConstraint(
            "cash_due >= 0", name=op.f("ck_distribution_entitlement_cash_due_positive")
        ),
        sa.CheckConstraint(
            "cash_paid >= 0 AND cash_paid <= cash_due",
            name=op.f("ck_distribution_entitlement_cash_paid_range"),
        ),
        sa.CheckConstraint("voids >= 0", name=op.f("ck_distribution_entitlement_voids_positive")),
        sa.ForeignKeyConstraint(
            ["alternate_id"],
            ["person.id"],
            name=op.f("fk_distribution_entitlement_alternate_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["approval_id", "round_id", "version_id"],
            [
                "distribution_approval.id",
                "distribution_approval.round_id",
                "distribution_approval.version_id",
            ],
            name="fk_distribution_entitlement_approval",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by_approval_id"],
            ["distribution_approval.id"],
            name=op.f("fk_distribution_entitlement_cancelled_by_approval_id_distribution_approval"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["collector_id"],
            ["person.id"],
            name=op.f("fk_distribution_entitlement_collector_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["follows_id"],
            ["distribution_entitlement.id"],
            name=op.f("fk_distribution_entitlement_follows_id_distribution_entitlement"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_distribution_entitlement_household_id_household"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["point_id", "round_id"],
            ["distribution_point.id", "distribution_point.round_id"],
            name="fk_distribution_entitlement_point_round",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["distribution_round.id"],
            name=op.f("fk_distribution_entitlement_round_id_distribution_round"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["distribution_slot.id"],
            name=op.f("fk_distribution_entitlement_slot_id_distribution_slot"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["version_id", "household_id"],
            ["recipient_version_row.version_id", "recipient_version_row.household_id"],
            name="fk_distribution_entitlement_listed",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_entitlement")),
        sa.UniqueConstraint("code", name=op.f("uq_distribution_entitlement_code")),
        sa.UniqueConstraint("id", "round_id", name="uq_distribution_entitlement_id_round"),
        sa.UniqueConstraint(
            "round_id",
            "household_id",
            name=op.f("uq_distribution_entitlement_round_id_household_id"),
        ),
    )
    with op.batch_alter_table("distribution_entitlement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distribution_entitlement_approval_id"), ["approval_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_distribution_entitlement_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_distribution_entitlement_point_id"), ["point_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_distribution_entitlement_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(
            "ix_distribution_entitlement_round_status", ["round_id", "status"], unique=False
        )

    op.create_table(
        "distribution_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("entitlement_id", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drawn_by_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("part_taken", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "method IS NULL OR method IN ('call', 'visit')",
            name=op.f("ck_distribution_check_method_known"),
        ),
        sa.CheckConstraint(
            "result IS NULL OR result IN ('received_full', 'not_received', 'problems')",
            name=op.f("ck_distribution_check_result_known"),
        ),
        sa.CheckConstraint(
            "result IS NULL OR (method IS NOT NULL AND checked_at IS NOT NULL)",
            name=op.f("ck_distribution_check_result_recorded"),
        ),
        sa.ForeignKeyConstraint(
            ["checked_by_id"],
            ["user_account.id"],
            name=op.f("fk_distribution_check_checked_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_distribution_check_complaint_id_complaint"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["drawn_by_id"],
            ["user_account.id"],
            name=op.f("fk_distribution_check_drawn_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entitlement_id", "round_id"],
            ["distribution_entitlement.id", "distribution_entitlement.round_id"],
            name="fk_distribution_check_entitlement",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["distribution_round.id"],
            name=op.f("fk_distribution_check_round_id_distribution_round"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_check")),
        sa.UniqueConstraint("entitlement_id", name=op.f("uq_distribution_check_entitlement_id")),
    )
    with op.batch_alter_table("distribution_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distribution_check_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "distribution_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("entitlement_id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("handed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status = 'open' OR (decided_by_id IS NOT NULL AND decision_note IS NOT NULL)",
            name=op.f("ck_distribution_conflict_decision_recorded"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'accepted', 'rejected')",
            name=op.f("ck_distribution_conflict_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_distribution_conflict_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entitlement_id"],
            ["distribution_entitlement.id"],
            name=op.f("fk_distribution_conflict_entitlement_id_distribution_entitlement"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["user_account.id"],
            name=op.f("fk_distribution_conflict_officer_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["distribution_point.id"],
            name=op.f("fk_distribution_conflict_point_id_distribution_point"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["distribution_round.id"],
            name=op.f("fk_distribution_conflict_round_id_distribution_round"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_conflict")),
        sa.UniqueConstraint("client_id", name=op.f("uq_distribution_conflict_client_id")),
    )
    with op.batch_alter_table("distribution_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distribution_conflict_entitlement_id"), ["entitlement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_distribution_conflict_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "distribution_entitlement_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entitlement_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("due_milli", sa.BigInteger(), nullable=False),
        sa.Column("delivered_milli", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "delivered_milli >= 0 AND delivered_milli <= due_milli",
            name=op.f("ck_distribution_entitlement_line_delivered_range"),
        ),
        sa.CheckConstraint(
            "due_milli > 0", name=op.f("ck_distribution_entitlement_line_due_positive")
        ),
        sa.ForeignKeyConstraint(
            ["entitlement_id", "round_id"],
            ["distribution_entitlement.id", "distribution_entitlement.round_id"],
            name="fk_distribution_entitlement_line_entitlement",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["item_id", "round_id"],
            ["distribution_item.id", "distribution_item.round_id"],
            name="fk_distribution_entitlement_line_item",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_entitlement_line")),
        sa.UniqueConstraint(
            "entitlement_id",
            "item_id",
            name=op.f("uq_distribution_entitlement_line_entitlement_id_item_id"),
        ),
    )
    with op.batch_alter_table("distribution_entitlement_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distribution_entitlement_line_entitlement_id"),
            ["entitlement_id"],
            unique=False,
        )

    op.create_table(
        "distribution_handover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entitlement_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("collected_by", sa.String(length=10), nullable=False),
        sa.Column("proxy_name", sa.String(length=120), nullable=True),
        sa.Column("proxy_relation", sa.String(length=60), nullable=True),
        sa.Column("proxy_letter", sa.String(length=200), nullable=True),
        sa.Column("photo", sa.String(length=200), nullable=True),
        sa.Column("cash_paid", sa.BigInteger(), nullable=False),
        sa.Column("partial_reason", sa.Text(), nullable=True),
        sa.Column("handed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "collected_by <> 'proxy' OR (proxy_name IS NOT NULL AND proxy_relation IS NOT NULL"
            " AND proxy_letter IS NOT NULL)",
            name=op.f("ck_distribution_handover_proxy_named"),
        ),
        sa.CheckConstraint(
            "collected_by IN ('collector', 'alternate', 'proxy')",
            name=op.f("ck_distribution_handover_collector_known"),
        ),
        sa.CheckConstraint("attempt >= 0", name=op.f("ck_distribution_handover_attempt_positive")),
        sa.CheckConstraint(
            "cash_paid >= 0", name=op.f("ck_distribution_handover_cash_paid_positive")
        ),
        sa.ForeignKeyConstraint(
            ["entitlement_id", "round_id"],
            ["distribution_entitlement.id", "distribution_entitlement.round_id"],
            name="fk_distribution_handover_entitlement",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["user_account.id"],
            name=op.f("fk_distribution_handover_officer_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["distribution_point.id"],
            name=op.f("fk_distribution_handover_point_id_distribution_point"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_handover")),
        sa.UniqueConstraint("client_id", name=op.f("uq_distribution_handover_client_id")),
        sa.UniqueConstraint(
            "entitlement_id",
            "attempt",
            name=op.f("uq_distribution_handover_entitlement_id_attempt"),
        ),
        sa.UniqueConstraint("id", "round_id", name="uq_distribution_handover_id_round"),
    )
    with op.batch_alter_table("distribution_handover", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distribution_handover_entitlement_id"), ["entitlement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_distribution_handover_officer_id"), ["officer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_distribution_handover_point_id"), ["point_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_distribution_handover_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "distribution_handover_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "quantity_milli >= 0", name=op.f("ck_distribution_handover_line_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["handover_id", "round_id"],
            ["distribution_handover.id", "distribution_handover.round_id"],
            name="fk_distribution_handover_line_handover",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["item_id", "round_id"],
            ["distribution_item.id", "distribution_item.round_id"],
            name="fk_distribution_handover_line_item",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_handover_line")),
        sa.UniqueConstraint(
            "handover_id", "item_id", name=op.f("uq_distribution_handover_line_handover_id_item_id")
        ),
    )
    with op.batch_alter_table("distribution_handover_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distribution_handover_line_handover_id"), ["handover_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_distribution_handover_line_item_id"), ["item_id"], unique=False
        )

    op.create_table(
        "distribution_handover_void",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("voided_by_id", sa.Integer(), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["handover_id"],
            ["distribution_handover.id"],
            name=op.f("fk_distribution_handover_void_handover_id_distribution_handover"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["voided_by_id"],
            ["user_account.id"],
            name=op.f("fk_distribution_handover_void_voided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_handover_void")),
        sa.UniqueConstraint("handover_id", name=op.f("uq_distribution_handover_void_handover_id")),
    )
    _constraints_and_triggers()


def downgrade():
    _drop_constraints_and_triggers()
    op.drop_table("distribution_handover_void")
    with op.batch_alter_table("distribution_handover_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_handover_line_item_id"))
        batch_op.drop_index(batch_op.f("ix_distribution_handover_line_handover_id"))

    op.drop_table("distribution_handover_line")
    with op.batch_alter_table("distribution_handover", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_handover_round_id"))
        batch_op.drop_index(batch_op.f("ix_distribution_handover_point_id"))
        batch_op.drop_index(batch_op.f("ix_distribution_handover_officer_id"))
        batch_op.drop_index(batch_op.f("ix_distribution_handover_entitlement_id"))

    op.drop_table("distribution_handover")
    with op.batch_alter_table("distribution_entitlement_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_entitlement_line_entitlement_id"))

    op.drop_table("distribution_entitlement_line")
    with op.batch_alter_table("distribution_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_conflict_round_id"))
        batch_op.drop_index(batch_op.f("ix_distribution_conflict_entitlement_id"))

    op.drop_table("distribution_conflict")
    with op.batch_alter_table("distribution_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_check_round_id"))

    op.drop_table("distribution_check")
    with op.batch_alter_table("distribution_entitlement", schema=None) as batch_op:
        batch_op.drop_index("ix_distribution_entitlement_round_status")
        batch_op.drop_index(batch_op.f("ix_distribution_entitlement_round_id"))
        batch_op.drop_index(batch_op.f("ix_distribution_entitlement_point_id"))
        batch_op.drop_index(batch_op.f("ix_distribution_entitlement_household_id"))
        batch_op.drop_index(batch_op.f("ix_distribution_entitlement_approval_id"))

    op.drop_table("distribution_entitlement")
    with op.batch_alter_table("distribution_stock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_stock_transfer"))
        batch_op.drop_index("ix_distribution_stock_round_point_item")

    op.drop_table("distribution_stock")
    with op.batch_alter_table("distribution_slot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_slot_round_id"))
        batch_op.drop_index(batch_op.f("ix_distribution_slot_point_id"))

    op.drop_table("distribution_slot")
    with op.batch_alter_table("distribution_point", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_point_round_id"))

    op.drop_table("distribution_point")
    with op.batch_alter_table("distribution_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_item_round_id"))

    op.drop_table("distribution_item")
    with op.batch_alter_table("distribution_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_approval_round_id"))

    op.drop_table("distribution_approval")
    with op.batch_alter_table("distribution_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_round_version_id"))
        batch_op.drop_index(batch_op.f("ix_distribution_round_status"))
        batch_op.drop_index(batch_op.f("ix_distribution_round_period_id"))

    op.drop_table("distribution_round")
    op.drop_index("uq_recipient_version_id_period", table_name="recipient_version")


def _frozen_sqlite(table: str, columns: tuple[str, ...]) -> None:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
    op.execute(
        f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} WHEN {changed} "
        f"BEGIN SELECT RAISE(ABORT, '{table}: what is due is frozen'); END;"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table}: cancel it instead'); END;"
    )


def _frozen_postgresql(table: str, columns: tuple[str, ...]) -> None:
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {table}_frozen() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION '{table}: cancel it instead';
            END IF;
            IF {changed} THEN
                RAISE EXCEPTION '{table}: what is due is frozen';
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        """
    )
    op.execute(
        f"CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_frozen();"
    )


def _role_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
        bind.exec_driver_sql("PRAGMA writable_schema=ON")
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
            "WHERE type = 'table' AND name = 'user_account'",
            (old, new),
        )
        bind.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
        bind.exec_driver_sql("PRAGMA writable_schema=OFF")
    else:
        op.execute("ALTER TABLE user_account DROP CONSTRAINT ck_user_account_role_known")
        op.execute(f"ALTER TABLE user_account ADD CONSTRAINT ck_user_account_role_known CHECK ({new})")


def _constraints_and_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        make_append_only(op, table)
    for table, columns in FROZEN.items():
        if dialect == "sqlite":
            _frozen_sqlite(table, columns)
        else:
            _frozen_postgresql(table, columns)
    _role_check(OLD_ROLES, NEW_ROLES)


def _drop_constraints_and_triggers() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DELETE FROM user_account WHERE role = 'officer'")
    _role_check(NEW_ROLES, OLD_ROLES)
    for table in FROZEN:
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_frozen()")
    for table in reversed(APPEND_ONLY):
        drop_append_only(op, table)
