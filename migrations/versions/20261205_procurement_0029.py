"""procurement: suppliers, purchases with lines and quotes, deliveries, reference
prices, packed batches

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05

Quotes, deliveries and packed batches are append-only. A purchase is frozen once it is
no longer a draft (no UPDATE, no DELETE), and so are its lines except for the running
total of accepted goods (`delivered_milli`), which deliveries move and a CHECK keeps
within the ordered quantity; no line is added to or removed from an ordered purchase.
A delivery names the purchase and its supplier together (a composite foreign key to
`procurement_purchase (id, supplier_id)`), so it cannot be for another supplier's order.
"""

import sqlalchemy as sa
from alembic import op

from portal.audit.ddl import drop_append_only, make_append_only

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

APPEND_ONLY = ("procurement_quote", "procurement_delivery", "procurement_packed_batch")
LINE_FROZEN = (
    "purchase_id",
    "name",
    "unit",
    "round_item_id",
    "quantity_milli",
    "unit_price",
    "reference_price",
    "packaging",
    "packaging_grams",
)
ORDERED = "(SELECT status FROM procurement_purchase WHERE id = {row}.purchase_id) <> 'draft'"


def upgrade():
    op.create_table(
        "procurement_reference_price",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=80), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "unit IN ('kg', 'l', 'pcs', 'pack')",
            name=op.f("ck_procurement_reference_price_unit_known"),
        ),
        sa.CheckConstraint("price > 0", name=op.f("ck_procurement_reference_price_price_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_procurement_reference_price_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_reference_price")),
        sa.UniqueConstraint("item_key", "unit", "month", name="uq_procurement_reference"),
    )
    op.create_table(
        "procurement_packed_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("packed_on", sa.Date(), nullable=False),
        sa.Column("packages", sa.Integer(), nullable=False),
        sa.Column("packaging", sa.String(length=14), nullable=False),
        sa.Column("packaging_grams", sa.Integer(), nullable=True),
        sa.Column("own_bags", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "packaging IN ('reusable', 'biodegradable', 'plastic', 'none')",
            name=op.f("ck_procurement_packed_batch_packaging_known"),
        ),
        sa.CheckConstraint(
            "own_bags >= 0", name=op.f("ck_procurement_packed_batch_own_bags_positive")
        ),
        sa.CheckConstraint(
            "packages + own_bags > 0", name=op.f("ck_procurement_packed_batch_something_packed")
        ),
        sa.CheckConstraint(
            "packages >= 0", name=op.f("ck_procurement_packed_batch_packages_positive")
        ),
        sa.CheckConstraint(
            "packaging_grams IS NULL OR packaging_grams >= 0",
            name=op.f("ck_procurement_packed_batch_packaging_grams_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_procurement_packed_batch_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["distribution_round.id"],
            name=op.f("fk_procurement_packed_batch_round_id_distribution_round"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_packed_batch")),
    )
    with op.batch_alter_table("procurement_packed_batch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_packed_batch_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "procurement_supplier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("is_person", sa.Boolean(), nullable=False),
        sa.Column("location", sa.String(length=10), nullable=False),
        sa.Column("village_name", sa.String(length=120), nullable=False),
        sa.Column("rt", sa.Integer(), nullable=True),
        sa.Column("rw", sa.Integer(), nullable=True),
        sa.Column("contact_name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("nib", sa.String(length=13), nullable=True),
        sa.Column("sells", sa.Text(), nullable=False),
        sa.Column("training_place_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("status_note", sa.String(length=500), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('farmer', 'producer_group', 'umkm', 'bumdes', 'cooperative', "
            "'shop', 'other')",
            name=op.f("ck_procurement_supplier_kind_known"),
        ),
        sa.CheckConstraint(
            "location <> 'village' OR (rt IS NOT NULL AND rw IS NOT NULL)",
            name=op.f("ck_procurement_supplier_village_has_rt"),
        ),
        sa.CheckConstraint(
            "location IN ('village', 'district', 'outside')",
            name=op.f("ck_procurement_supplier_location_known"),
        ),
        sa.CheckConstraint(
            "status <> 'verified' OR verified_at IS NOT NULL",
            name=op.f("ck_procurement_supplier_verified_has_time"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'verified', 'rejected')",
            name=op.f("ck_procurement_supplier_status_known"),
        ),
        sa.CheckConstraint(
            "nib IS NULL OR length(nib) = 13", name=op.f("ck_procurement_supplier_nib_length")
        ),
        sa.CheckConstraint(
            "rt IS NULL OR rt BETWEEN 1 AND 99", name=op.f("ck_procurement_supplier_rt_range")
        ),
        sa.CheckConstraint(
            "rw IS NULL OR rw BETWEEN 1 AND 99", name=op.f("ck_procurement_supplier_rw_range")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_procurement_supplier_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["training_place_id"],
            ["training_place.id"],
            name=op.f("fk_procurement_supplier_training_place_id_training_place"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["user_account.id"],
            name=op.f("fk_procurement_supplier_verified_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_supplier")),
        sa.UniqueConstraint("nib", name=op.f("uq_procurement_supplier_nib")),
    )
    with op.batch_alter_table("procurement_supplier", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_supplier_status"), ["status"], unique=False
        )

    op.create_table(
        "procurement_purchase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("choice_reason", sa.Text(), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("price_flagged", sa.Boolean(), nullable=False),
        sa.Column("price_reason", sa.Text(), nullable=True),
        sa.Column("ordered_on", sa.Date(), nullable=True),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ordered_by_id", sa.Integer(), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "method IS NULL OR method IN ('direct', 'quotes', 'tender')",
            name=op.f("ck_procurement_purchase_method_known"),
        ),
        sa.CheckConstraint(
            "status = 'draft' OR (supplier_id IS NOT NULL AND method IS NOT NULL "
            "AND choice_reason IS NOT NULL AND ordered_on IS NOT NULL)",
            name=op.f("ck_procurement_purchase_ordered_complete"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'ordered')", name=op.f("ck_procurement_purchase_status_known")
        ),
        sa.CheckConstraint(
            "(round_id IS NULL) <> (need_id IS NULL)",
            name=op.f("ck_procurement_purchase_for_round_or_need"),
        ),
        sa.CheckConstraint(
            "NOT price_flagged OR price_reason IS NOT NULL",
            name=op.f("ck_procurement_purchase_flag_has_reason"),
        ),
        sa.CheckConstraint(
            "corrects_id IS NULL OR correction_reason IS NOT NULL",
            name=op.f("ck_procurement_purchase_correction_has_reason"),
        ),
        sa.CheckConstraint("total >= 0", name=op.f("ck_procurement_purchase_total_positive")),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["procurement_purchase.id"],
            name=op.f("fk_procurement_purchase_corrects_id_procurement_purchase"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_procurement_purchase_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["csr_need.id"],
            name=op.f("fk_procurement_purchase_need_id_csr_need"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ordered_by_id"],
            ["user_account.id"],
            name=op.f("fk_procurement_purchase_ordered_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["distribution_round.id"],
            name=op.f("fk_procurement_purchase_round_id_distribution_round"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["procurement_supplier.id"],
            name=op.f("fk_procurement_purchase_supplier_id_procurement_supplier"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_purchase")),
        sa.UniqueConstraint("corrects_id", name=op.f("uq_procurement_purchase_corrects_id")),
        sa.UniqueConstraint("id", "supplier_id", name="uq_procurement_purchase_id_supplier"),
    )
    with op.batch_alter_table("procurement_purchase", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_purchase_need_id"), ["need_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_purchase_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_purchase_status"), ["status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_purchase_supplier_id"), ["supplier_id"], unique=False
        )

    op.create_table(
        "procurement_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purchase_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("round_item_id", sa.Integer(), nullable=True),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("reference_price", sa.BigInteger(), nullable=True),
        sa.Column("delivered_milli", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("packaging", sa.String(length=14), nullable=False),
        sa.Column("packaging_grams", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "packaging IN ('reusable', 'biodegradable', 'plastic', 'none')",
            name=op.f("ck_procurement_line_packaging_known"),
        ),
        sa.CheckConstraint(
            "unit IN ('kg', 'l', 'pcs', 'pack')", name=op.f("ck_procurement_line_unit_known")
        ),
        sa.CheckConstraint(
            "delivered_milli >= 0 AND delivered_milli <= quantity_milli",
            name=op.f("ck_procurement_line_delivered_in_range"),
        ),
        sa.CheckConstraint(
            "packaging_grams IS NULL OR packaging_grams >= 0",
            name=op.f("ck_procurement_line_packaging_grams_positive"),
        ),
        sa.CheckConstraint(
            "quantity_milli > 0", name=op.f("ck_procurement_line_quantity_positive")
        ),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_procurement_line_price_positive")),
        sa.ForeignKeyConstraint(
            ["purchase_id"],
            ["procurement_purchase.id"],
            name=op.f("fk_procurement_line_purchase_id_procurement_purchase"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_item_id"],
            ["distribution_item.id"],
            name=op.f("fk_procurement_line_round_item_id_distribution_item"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_line")),
    )
    with op.batch_alter_table("procurement_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_line_purchase_id"), ["purchase_id"], unique=False
        )

    op.create_table(
        "procurement_quote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purchase_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("document_file", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_procurement_quote_amount_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_procurement_quote_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["purchase_id"],
            ["procurement_purchase.id"],
            name=op.f("fk_procurement_quote_purchase_id_procurement_purchase"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["procurement_supplier.id"],
            name=op.f("fk_procurement_quote_supplier_id_procurement_supplier"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_quote")),
        sa.UniqueConstraint("purchase_id", "supplier_id", name="uq_procurement_quote_supplier"),
    )
    with op.batch_alter_table("procurement_quote", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_quote_purchase_id"), ["purchase_id"], unique=False
        )

    op.create_table(
        "procurement_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purchase_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("accepted_milli", sa.BigInteger(), nullable=False),
        sa.Column("rejected_milli", sa.BigInteger(), nullable=False),
        sa.Column("quality_note", sa.Text(), nullable=False),
        sa.Column("photo_file", sa.String(length=64), nullable=True),
        sa.Column("receipt_file", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "rejected_milli = 0 OR quality_note <> ''",
            name=op.f("ck_procurement_delivery_rejection_has_note"),
        ),
        sa.CheckConstraint(
            "accepted_milli + rejected_milli > 0",
            name=op.f("ck_procurement_delivery_something_received"),
        ),
        sa.CheckConstraint(
            "accepted_milli >= 0 AND rejected_milli >= 0",
            name=op.f("ck_procurement_delivery_quantities_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["procurement_line.id"],
            name=op.f("fk_procurement_delivery_line_id_procurement_line"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["distribution_point.id"],
            name=op.f("fk_procurement_delivery_point_id_distribution_point"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["purchase_id", "supplier_id"],
            ["procurement_purchase.id", "procurement_purchase.supplier_id"],
            name="fk_procurement_delivery_purchase_supplier",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_procurement_delivery_recorded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_delivery")),
    )
    with op.batch_alter_table("procurement_delivery", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_delivery_line_id"), ["line_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_delivery_purchase_id"), ["purchase_id"], unique=False
        )

    _triggers()


def downgrade():
    _drop_triggers()
    with op.batch_alter_table("procurement_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_delivery_purchase_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_delivery_line_id"))

    op.drop_table("procurement_delivery")
    with op.batch_alter_table("procurement_quote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_quote_purchase_id"))

    op.drop_table("procurement_quote")
    with op.batch_alter_table("procurement_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_line_purchase_id"))

    op.drop_table("procurement_line")
    with op.batch_alter_table("procurement_purchase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_purchase_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_purchase_status"))
        batch_op.drop_index(batch_op.f("ix_procurement_purchase_round_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_purchase_need_id"))

    op.drop_table("procurement_purchase")
    with op.batch_alter_table("procurement_supplier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_supplier_status"))

    op.drop_table("procurement_supplier")
    with op.batch_alter_table("procurement_packed_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_packed_batch_round_id"))

    op.drop_table("procurement_packed_batch")
    op.drop_table("procurement_reference_price")


def _triggers() -> None:
    for table in APPEND_ONLY:
        make_append_only(op, table)
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_triggers()
    else:
        _postgresql_triggers()


def _sqlite_triggers() -> None:
    refuse = "BEGIN SELECT RAISE(ABORT, '{message}'); END;"
    op.execute(
        "CREATE TRIGGER procurement_purchase_frozen BEFORE UPDATE ON procurement_purchase "
        "WHEN OLD.status <> 'draft' " + refuse.format(message="an ordered purchase is frozen")
    )
    op.execute(
        "CREATE TRIGGER procurement_purchase_no_delete BEFORE DELETE ON procurement_purchase "
        "WHEN OLD.status <> 'draft' " + refuse.format(message="an ordered purchase is frozen")
    )
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in LINE_FROZEN)
    op.execute(
        "CREATE TRIGGER procurement_line_frozen BEFORE UPDATE ON procurement_line "
        f"WHEN ({changed}) AND {ORDERED.format(row='OLD')} "
        + refuse.format(message="an ordered purchase line is frozen")
    )
    op.execute(
        "CREATE TRIGGER procurement_line_no_delete BEFORE DELETE ON procurement_line "
        f"WHEN {ORDERED.format(row='OLD')} "
        + refuse.format(message="an ordered purchase line is frozen")
    )
    op.execute(
        "CREATE TRIGGER procurement_line_no_insert BEFORE INSERT ON procurement_line "
        f"WHEN {ORDERED.format(row='NEW')} "
        + refuse.format(message="an ordered purchase line is frozen")
    )


def _postgresql_triggers() -> None:
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in LINE_FROZEN)
    op.execute(
        """
        CREATE OR REPLACE FUNCTION procurement_purchase_frozen() RETURNS trigger AS $$
        BEGIN
            IF OLD.status <> 'draft' THEN
                RAISE EXCEPTION 'an ordered purchase is frozen';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        """
    )
    op.execute(
        "CREATE TRIGGER procurement_purchase_frozen BEFORE UPDATE OR DELETE "
        "ON procurement_purchase FOR EACH ROW EXECUTE FUNCTION procurement_purchase_frozen();"
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION procurement_line_frozen() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                IF {ORDERED.format(row="NEW")} THEN
                    RAISE EXCEPTION 'an ordered purchase line is frozen';
                END IF;
                RETURN NEW;
            END IF;
            IF {ORDERED.format(row="OLD")} THEN
                IF TG_OP = 'DELETE' OR {changed} THEN
                    RAISE EXCEPTION 'an ordered purchase line is frozen';
                END IF;
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        """
    )
    op.execute(
        "CREATE TRIGGER procurement_line_frozen BEFORE INSERT OR UPDATE OR DELETE "
        "ON procurement_line FOR EACH ROW EXECUTE FUNCTION procurement_line_frozen();"
    )


def _drop_triggers() -> None:
    for table in APPEND_ONLY:
        drop_append_only(op, table)
    if op.get_bind().dialect.name == "sqlite":
        for name in (
            "procurement_purchase_frozen",
            "procurement_purchase_no_delete",
            "procurement_line_frozen",
            "procurement_line_no_delete",
            "procurement_line_no_insert",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for table, name in (
            ("procurement_purchase", "procurement_purchase_frozen"),
            ("procurement_line", "procurement_line_frozen"),
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
