"""registry: residents' change requests to their own household record, and documents

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05

`change_request` holds what a resident asks (kind, the asked values as JSON) and the
decision. At most three open requests per household: an open request holds one of the
household's slots 1-3 (`open_slot`, UNIQUE with the household, NULL once decided, a
CHECK ties it to the status). `change_request_document` names the stored files.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

KINDS = ("birth", "death", "move_in", "move_out", "kk_number", "address", "situation")


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "change_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("open_slot", sa.Integer(), nullable=True),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("filed_by_id", sa.Integer(), nullable=True),
        sa.Column("at_office", sa.Boolean(), nullable=False),
        sa.Column("aid_warning", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=False),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f("ck_change_request_kind_known")),
        sa.CheckConstraint(
            _in("status", ("open", "accepted", "refused")),
            name=op.f("ck_change_request_status_known"),
        ),
        sa.CheckConstraint(
            "(status = 'open' AND open_slot BETWEEN 1 AND 3 AND decided_at IS NULL)"
            " OR (status <> 'open' AND open_slot IS NULL AND decided_at IS NOT NULL)",
            name=op.f("ck_change_request_slot_matches_status"),
        ),
        sa.CheckConstraint(
            "status <> 'refused' OR length(refusal_reason) > 0",
            name=op.f("ck_change_request_refusal_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_change_request_household_id_household"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_change_request_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["user_account.id"],
            name=op.f("fk_change_request_resident_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_id"],
            ["user_account.id"],
            name=op.f("fk_change_request_filed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_change_request_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_request")),
        sa.UniqueConstraint(
            "household_id", "open_slot", name=op.f("uq_change_request_household_id_open_slot")
        ),
    )
    op.create_index(
        op.f("ix_change_request_household_id"), "change_request", ["household_id"], unique=False
    )
    op.create_index(
        op.f("ix_change_request_resident_id"), "change_request", ["resident_id"], unique=False
    )
    op.create_index(
        "ix_change_request_status_created", "change_request", ["status", "created_at"]
    )
    op.create_table(
        "change_request_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(80), nullable=False),
        sa.Column("mimetype", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["change_request.id"],
            name=op.f("fk_change_request_document_request_id_change_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_request_document")),
        sa.UniqueConstraint("file_name", name=op.f("uq_change_request_document_file_name")),
    )
    op.create_index(
        op.f("ix_change_request_document_request_id"),
        "change_request_document",
        ["request_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("change_request_document")
    op.drop_table("change_request")
