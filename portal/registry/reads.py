"""Audit rows for staff pages that show NIK and KK numbers in full outside the household
record: a page of an import preview, and the household edit form.

Each page shown writes one entry (action "view") naming what was on it, the numbers
masked (3201********0001; a number of another length, as a rejected row may hold, as
its first four digits and stars). Written in a write transaction of its own, after the
page is made and before it is sent: a page that cannot be logged is not shown.
"""

from __future__ import annotations

from portal.audit.services import mask_numbers, mask_query
from portal.database import append_rows
from portal.extensions import db
from portal.models_base import utcnow
from portal.registry.services.households import audit_insert

# The columns of an import preview that hold a NIK or a KK number.
NUMBER_COLUMNS = ("nik", "kk_number")


def _write(action_args: tuple, *, actor, ip: str | None, summary: str, after: dict) -> None:
    """The entry audit.record() would add, as one INSERT through the Core (no ORM object,
    no flush: the cheapest write there is), its values masked as record() masks them."""
    action, object_type, object_id = action_args
    row = {
        "at": utcnow(),
        "actor_id": getattr(actor, "id", None),
        "actor_name": getattr(actor, "name", None),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "summary": mask_numbers(summary)[:300] if summary else None,
        "before": None,  # stored as record() stores them (JSON null)
        "after": mask_numbers(after) if after else None,
        "ip": ip,
    }
    # A write transaction of its own; what the page loaded stays loaded.
    append_rows(db.session, audit_insert(), [row])


def view_import_rows(batch, rows, *, which: str, page: int, actor, ip: str | None) -> None:
    """Record that a page of `batch`'s preview rows was shown (when it had numbers)."""
    shown = [
        mask_query(str(row.display.get(name)))
        for row in rows
        for name in NUMBER_COLUMNS
        if row.display.get(name)
    ]
    if not shown:
        return
    _write(
        ("view", "import_batch", batch.id),
        actor=actor,
        ip=ip,
        summary=f"preview {which}, page {page}: {len(rows)} rows",
        after={"rows": [row.number for row in rows], "numbers": shown},
    )


def view_household_form(household, *, actor, ip: str | None) -> None:
    """Record that the edit form of `household` (its KK number in full) was shown."""
    _write(
        ("view", "household", household.id),
        actor=actor,
        ip=ip,
        summary="edit form",
        after={"kk_number": mask_query(household.kk_number or "")},
    )
