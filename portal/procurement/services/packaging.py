"""Packed batches of aid packages: their packaging and the households asked to bring
their own bag."""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import select

from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.procurement.models import PACKAGING, PackedBatch
from portal.procurement.services import targets
from portal.procurement.services.common import ProcurementError, clean, require_editor

MAX_COUNT = 1_000_000


def _count(value, field: str) -> int:
    if value is None or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise ProcurementError(_l("Enter a whole number from 0."), field)
    return value


def add_packed_batch(
    *,
    round_id: int | None,
    packed_on: date | None,
    packages: int | None,
    packaging: str,
    packaging_grams: int | None,
    own_bags: int | None,
    note: str | None,
    actor,
) -> PackedBatch:
    """Record a packed batch (append-only)."""
    require_editor(actor)
    found = targets.round_row(round_id) if round_id else None
    if found is None:
        raise ProcurementError(_l("Choose a distribution round."), "round_id")
    if packed_on is None or packed_on > village_today():
        raise ProcurementError(_l("Enter the day it was packed (not in the future)."), "packed_on")
    packages, own_bags = _count(packages, "packages"), _count(own_bags or 0, "own_bags")
    if packages + own_bags == 0:
        raise ProcurementError(
            _l("Enter the packages packed or the own bags asked for."), "packages"
        )
    if packaging not in PACKAGING:
        raise ProcurementError(_l("Choose the packaging."), "packaging")
    if packaging_grams is not None and not 0 <= packaging_grams <= 10**8:
        raise ProcurementError(_l("Enter the packaging's weight in grams."), "packaging_grams")
    with write_transaction(db.session):
        batch = PackedBatch(
            round_id=round_id,
            packed_on=packed_on,
            packages=packages,
            packaging=packaging,
            packaging_grams=packaging_grams,
            own_bags=own_bags,
            note=clean(note),
            created_by_id=actor.id,
        )
        db.session.add(batch)
        db.session.flush()
        record(
            "pack",
            "procurement_packed_batch",
            batch.id,
            actor=actor,
            after={
                "round_id": round_id,
                "packages": packages,
                "packaging": packaging,
                "own_bags": own_bags,
            },
        )
    return batch


@cache
def _batches_statement(limit: int):
    return (
        select(
            PackedBatch.round_id,
            PackedBatch.packed_on,
            PackedBatch.packages,
            PackedBatch.packaging,
            PackedBatch.packaging_grams,
            PackedBatch.own_bags,
        )
        .order_by(PackedBatch.id.desc())
        .limit(limit)
    )


def packed_batches(limit: int = 300) -> list:
    """The latest batches as plain rows (round_id, packed_on, packages, packaging,
    packaging_grams, own_bags): what the staff list shows."""
    return db.session.execute(_batches_statement(limit)).all()
