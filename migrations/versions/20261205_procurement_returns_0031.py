"""procurement: goods given back after a delivery accepted them (append-only)

Revision ID: 0031
Revises: 0023
Create Date: 2026-12-05

A delivery is never edited: accepted goods found wanting later go back to the supplier
as a `procurement_return` row with its reason, which lowers the line's accepted total
and, for a round, takes the goods out of the point's stock as "returned".
"""

import sqlalchemy as sa
from alembic import op

from portal.audit.ddl import drop_append_only, make_append_only

revision = "0031"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "procurement_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("quantity_milli > 0", name=op.f("ck_procurement_return_quantity_positive")),
        sa.CheckConstraint("reason <> ''", name=op.f("ck_procurement_return_has_reason")),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["procurement_delivery.id"],
            name=op.f("fk_procurement_return_delivery_id_procurement_delivery"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_procurement_return_recorded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_return")),
    )
    op.create_index(
        op.f("ix_procurement_return_delivery_id"), "procurement_return", ["delivery_id"]
    )
    make_append_only(op, "procurement_return")


def downgrade():
    drop_append_only(op, "procurement_return")
    op.drop_index(op.f("ix_procurement_return_delivery_id"), table_name="procurement_return")
    op.drop_table("procurement_return")
