"""Suppliers: recorded by the village office, verified before a purchase may name them."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.services import record, snapshot
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.numbers import is_whole
from portal.procurement.models import LOCATIONS, SUPPLIER_KINDS, Supplier
from portal.procurement.services.common import ProcurementError, clean, require_editor
from portal.training import queries as training_queries

SUPPLIER_FIELDS = (
    "name",
    "kind",
    "is_person",
    "location",
    "village_name",
    "rt",
    "rw",
    "contact_name",
    "phone",
    "address",
    "nib",
    "sells",
    "training_place_id",
)
# What the audit log keeps of a change (a private person's contact stays out of it).
AUDITED = ("name", "kind", "location", "village_name", "nib", "training_place_id", "status")


def _rt(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not is_whole(text) or not 1 <= int(text) <= 99:
        raise ProcurementError(_l("Enter a number from 1 to 99."), field)
    return int(text)


def _checked(data: dict) -> dict:
    """The supplier's fields, cleaned; ProcurementError beside the first bad one."""
    out = {
        "name": clean(data.get("name"), 160),
        "kind": data.get("kind"),
        "is_person": bool(data.get("is_person")),
        "location": data.get("location"),
        "village_name": clean(data.get("village_name"), 120),
        "contact_name": clean(data.get("contact_name"), 120),
        "phone": clean(data.get("phone"), 20),
        "address": clean(data.get("address"), 200),
        "sells": (data.get("sells") or "").strip()[:2000],
    }
    if len(out["name"]) < 2:
        raise ProcurementError(_l("Enter the supplier's business name."), "name")
    if out["kind"] not in SUPPLIER_KINDS:
        raise ProcurementError(_l("Choose what kind of supplier this is."), "kind")
    if out["location"] not in LOCATIONS:
        raise ProcurementError(_l("Choose where the supplier is."), "location")
    if not out["village_name"]:
        raise ProcurementError(_l("Enter the supplier's village or town."), "village_name")
    out["rt"], out["rw"] = _rt(data.get("rt"), "rt"), _rt(data.get("rw"), "rw")
    if out["location"] == "village" and (out["rt"] is None or out["rw"] is None):
        raise ProcurementError(_l("A supplier in the village needs its RT and RW."), "rt")
    if out["location"] != "village":
        out["rt"] = out["rw"] = None
    nib = "".join((data.get("nib") or "").split())
    if nib and (not is_whole(nib) or len(nib) != 13):
        raise ProcurementError(_l("A business number (NIB) has 13 digits."), "nib")
    out["nib"] = nib or None
    if out["phone"] and not all(c.isdigit() or c in "+-() " for c in out["phone"]):
        raise ProcurementError(_l("Enter a phone number with digits only."), "phone")
    if not out["sells"]:
        raise ProcurementError(_l("Say what the supplier sells."), "sells")
    place_id = data.get("training_place_id") or None
    if place_id is not None and training_queries.completion(int(place_id)) is None:
        raise ProcurementError(
            _l("Choose a completed business course, or none."), "training_place_id"
        )
    out["training_place_id"] = int(place_id) if place_id else None
    return out


def _nib_taken(nib: str | None, supplier_id: int | None) -> bool:
    if not nib:
        return False
    stmt = select(func.count()).where(Supplier.nib == nib)
    if supplier_id:
        stmt = stmt.where(Supplier.id != supplier_id)
    return bool(db.session.scalar(stmt))


def save_supplier(supplier_id: int | None, data: dict, *, actor) -> Supplier:
    """Add a supplier (waiting for verification) or change one; a change to a verified
    supplier sends it back to verification, since what was checked changed."""
    require_editor(actor)
    values = _checked(data)
    with write_transaction(db.session):
        if _nib_taken(values["nib"], supplier_id):
            raise ProcurementError(_l("Another supplier has this business number."), "nib")
        if supplier_id is None:
            supplier = Supplier(**values, status="pending", created_by_id=actor.id)
            db.session.add(supplier)
            before = None
        else:
            supplier = db.session.get(Supplier, supplier_id)
            if supplier is None:
                raise ProcurementError(_l("There is no such supplier."))
            before = snapshot(supplier, AUDITED)
            for name, value in values.items():
                setattr(supplier, name, value)
            supplier.status, supplier.verified_at, supplier.verified_by_id = "pending", None, None
        db.session.flush()
        record(
            "create" if before is None else "update",
            "procurement_supplier",
            supplier.id,
            actor=actor,
            before=before,
            after=snapshot(supplier, AUDITED),
        )
    return supplier


def decide_supplier(supplier_id: int, *, verified: bool, note: str | None, actor) -> Supplier:
    """Staff verify a supplier (it may then be chosen) or reject it with a note."""
    require_editor(actor)
    note = clean(note, 500)
    if not verified and not note:
        raise ProcurementError(_l("Say why the supplier is rejected."), "note")
    with write_transaction(db.session):
        supplier = db.session.get(Supplier, supplier_id)
        if supplier is None:
            raise ProcurementError(_l("There is no such supplier."))
        before = supplier.status
        supplier.status = "verified" if verified else "rejected"
        supplier.status_note = note or None
        supplier.verified_at = utcnow() if verified else None
        supplier.verified_by_id = actor.id if verified else None
        record(
            "verify" if verified else "reject",
            "procurement_supplier",
            supplier.id,
            actor=actor,
            before={"status": before},
            after={"status": supplier.status, "note": note or None},
        )
    return supplier


def list_suppliers(status: str | None = None) -> list[Supplier]:
    stmt = select(Supplier).order_by(Supplier.name, Supplier.id)
    if status:
        stmt = stmt.where(Supplier.status == status)
    return list(db.session.scalars(stmt))


def verified_suppliers() -> list[Supplier]:
    return list_suppliers("verified")


def course_choices() -> list[tuple[int, str]]:
    """(place id, "name: course") of completed business courses, for the supplier form."""
    return [
        (c.place_id, f"{c.name}: {c.course_title}") for c in training_queries.business_completions()
    ]


def course_titles(suppliers) -> dict[int, str]:
    """{supplier id: course title} for suppliers linked to a course."""
    titles = training_queries.course_titles(s.training_place_id for s in suppliers)
    return {s.id: titles[s.training_place_id] for s in suppliers if s.training_place_id in titles}
