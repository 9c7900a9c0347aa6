"""csr: a need links to the ballot that decided it

Revision ID: 0014
Revises: lists_enrolment_0013
Create Date: 2026-11-28

`csr_need.ballot_id` existed as a plain integer while ballots did not (0004); now that
the participation package has its `ballot` table (0010), the database checks it.
PostgreSQL gets a real foreign key (ON DELETE SET NULL). SQLite cannot add a foreign
key to an existing table without rebuilding it, and rebuilding `csr_need` would drop
and re-create the table that pledges point at; there two triggers do the same job:
a need cannot name a ballot that does not exist, and a deleted ballot clears the link.
Values that point nowhere are cleared first.
"""

from alembic import op

revision = "0014"
down_revision = "lists_enrolment_0013"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE csr_need SET ballot_id = NULL "
        "WHERE ballot_id IS NOT NULL AND ballot_id NOT IN (SELECT id FROM ballot)"
    )
    op.create_index("ix_csr_need_ballot_id", "csr_need", ["ballot_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key(
            "fk_csr_need_ballot_id_ballot",
            "csr_need",
            "ballot",
            ["ballot_id"],
            ["id"],
            ondelete="SET NULL",
        )
        return
    check = (
        "FOR EACH ROW WHEN NEW.ballot_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM ballot WHERE id = NEW.ballot_id) "
        "BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: csr_need.ballot_id'); END"
    )
    op.execute("CREATE TRIGGER csr_need_ballot_exists_insert BEFORE INSERT ON csr_need " + check)
    op.execute(
        "CREATE TRIGGER csr_need_ballot_exists_update BEFORE UPDATE OF ballot_id ON csr_need "
        + check
    )
    op.execute(
        "CREATE TRIGGER ballot_delete_clears_csr_need AFTER DELETE ON ballot "
        "FOR EACH ROW BEGIN UPDATE csr_need SET ballot_id = NULL WHERE ballot_id = OLD.id; END"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_csr_need_ballot_id_ballot", "csr_need", type_="foreignkey")
    else:
        op.execute("DROP TRIGGER csr_need_ballot_exists_insert")
        op.execute("DROP TRIGGER csr_need_ballot_exists_update")
        op.execute("DROP TRIGGER ballot_delete_clears_csr_need")
    op.drop_index("ix_csr_need_ballot_id", "csr_need")
