"""registry search: indexes for a name search by word start, and a partial index for
merged records

Revision ID: registry_search
Revises: 0004
Create Date: 2026-11-28

The staff search matches each typed word against the start of any of the first four
words of a member's canonical name. The whole name already has an index
(ix_person_name_birth); these index the name from its second, third and fourth word on,
with the same expressions as portal.registry.services.name_word_starts (SQLite's
instr() is PostgreSQL's strpos()). Before, a LIKE '% word%' read every person.

ix_person_merged_into_id becomes partial (merged records only): SQLite chose the full
index for "merged_into_id IS NULL", which nearly every person matches.
"""

import sqlalchemy as sa
from alembic import op

revision = "registry_search"
down_revision = "0004"
branch_labels = None
depends_on = None

WORD_INDEXES = ("ix_person_name_word2", "ix_person_name_word3", "ix_person_name_word4")


def _word_starts(find: str) -> list[str]:
    texts = ["name_norm"]
    for _ in range(3):
        texts.append(f"substr({texts[-1]}, {find}({texts[-1]}, ' ') + 1)")
    return texts[1:]


def upgrade():
    dialect = op.get_bind().dialect.name
    find = "strpos" if dialect == "postgresql" else "instr"
    for name, expression in zip(WORD_INDEXES, _word_starts(find), strict=True):
        op.execute(f"CREATE INDEX {name} ON person ({expression})")
    op.drop_index("ix_person_merged_into_id", table_name="person")
    op.create_index(
        "ix_person_merged_into_id",
        "person",
        ["merged_into_id"],
        sqlite_where=sa.text("merged_into_id IS NOT NULL"),
        postgresql_where=sa.text("merged_into_id IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_person_merged_into_id", table_name="person")
    op.create_index("ix_person_merged_into_id", "person", ["merged_into_id"])
    for name in WORD_INDEXES:
        op.drop_index(name, table_name="person")
