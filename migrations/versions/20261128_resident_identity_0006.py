"""resident identity on the account: NIK (one account per NIK), birth date, the
registry person it matched, verification status; a household's RW may be empty (villages
without RW, OpenSID's "-")

Revision ID: 0006
Revises: registry_search
Create Date: 2026-11-28

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "registry_search"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.alter_column("rw", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nik", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "verification_status",
                sa.String(length=16),
                nullable=False,
                server_default="none",
            )
        )
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_user_account_nik"), ["nik"])
        batch_op.create_unique_constraint(batch_op.f("uq_user_account_person_id"), ["person_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_user_account_person_id_person"),
            "person",
            ["person_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            "verification_status_known",
            "verification_status IN ('none', 'pending', 'verified', 'rejected')",
        )
        batch_op.create_check_constraint(
            "verified_dated", "verification_status != 'verified' OR verified_at IS NOT NULL"
        )


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint("verified_dated", type_="check")
        batch_op.drop_constraint("verification_status_known", type_="check")
        batch_op.drop_constraint(batch_op.f("fk_user_account_person_id_person"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_user_account_person_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_user_account_nik"), type_="unique")
        batch_op.drop_column("verified_at")
        batch_op.drop_column("verification_status")
        batch_op.drop_column("person_id")
        batch_op.drop_column("birth_date")
        batch_op.drop_column("nik")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.alter_column("rw", existing_type=sa.Integer(), nullable=False)
