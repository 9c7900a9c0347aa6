"""residents: verification queue, reset codes, data requests

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28

The account keeps when verification was asked for and the operator's reason for a
refusal, and when it was deleted (anonymised); one-time reset codes (hashed, expiring)
and residents' deletion requests (one open request per account) get tables of their own.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("verification_requested_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("verification_note", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "account_reset_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_account_reset_code_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["user_account.id"],
            name=op.f("fk_account_reset_code_issued_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_reset_code")),
    )
    op.create_index(
        op.f("ix_account_reset_code_user_id"), "account_reset_code", ["user_id"], unique=False
    )

    op.create_table(
        "account_deletion_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'done', 'declined')",
            name=op.f("ck_account_deletion_request_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_account_deletion_request_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_account_deletion_request_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_deletion_request")),
    )
    op.create_index(
        op.f("ix_account_deletion_request_user_id"),
        "account_deletion_request",
        ["user_id"],
        unique=False,
    )
    op.create_index(
        "uq_account_deletion_request_open",
        "account_deletion_request",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade():
    op.drop_index("uq_account_deletion_request_open", table_name="account_deletion_request")
    op.drop_index(
        op.f("ix_account_deletion_request_user_id"), table_name="account_deletion_request"
    )
    op.drop_table("account_deletion_request")
    op.drop_index(op.f("ix_account_reset_code_user_id"), table_name="account_reset_code")
    op.drop_table("account_reset_code")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("verification_note")
        batch_op.drop_column("verification_requested_at")
