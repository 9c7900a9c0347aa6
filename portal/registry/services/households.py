"""Households: reading, viewing (audited), saving, and the KK number's history."""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import and_, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from werkzeug.local import LocalProxy

from portal.audit.models import AuditEntry
from portal.audit.services import record, snapshot
from portal.database import append_rows, read
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow, village_today
from portal.registry.models import Household, KKNumber, Person
from portal.registry.services.common import (
    AUDIT_HOUSEHOLD_FIELDS,
    HOUSEHOLD_FIELDS,
    refresh_assessment,
)
from portal.registry.validation import check_kk, clean_number


def get_household(household_id: int) -> Household | None:
    return db.session.get(Household, household_id)


def household_has_head(household_id: int) -> bool | None:
    """Whether the household records a head of family (`Household.head` is not None), or
    None when there is no such household: one plain row (the new member form's GET)."""
    row = db.session.execute(_head_statement(), {"household_id": household_id}).first()
    return None if row is None else row[0] is not None


@cache
def _head_statement():
    household_id = bindparam("household_id")
    head = (
        select(Person.id)
        .where(
            Person.household_id == household_id,
            Person.relation == "head",
            Person.merged_into_id.is_(None),
        )
        .limit(1)
        .scalar_subquery()
    )
    return select(head).select_from(Household).where(Household.id == household_id)


def person_heading(person_id: int):
    """What a person's forms show of a person not merged away (id, name, household_id,
    relation) as one plain row, or None (the move form's GET)."""
    return db.session.execute(_heading_statement(), {"person_id": person_id}).first()


@cache
def _heading_statement():
    return select(Person.id, Person.name, Person.household_id, Person.relation).where(
        Person.id == bindparam("person_id"), Person.merged_into_id.is_(None)
    )


def member_names(household_id: int) -> list[tuple[int, str]] | None:
    """The (id, name) of each member not merged away, in the order of
    `Household.members` (by id), as plain rows in one statement; None when there is no
    such household (the enrolment form's GET, whose menu names the members)."""
    rows = read(db.session, _member_names_statement(), {"household_id": household_id}).all()
    if not rows:
        return None
    return [(person_id, name) for person_id, name in rows if person_id is not None]


@cache
def _member_names_statement():
    return (
        select(Person.id, Person.name)
        .select_from(Household)
        .outerjoin(
            Person,
            and_(Person.household_id == Household.id, Person.merged_into_id.is_(None)),
        )
        .where(Household.id == bindparam("household_id"))
        .order_by(Person.id)
    )


@cache
def audit_insert():
    """The INSERT of an audit entry through the Core, built once."""
    return insert(AuditEntry.__table__)


def _record_views(object_type: str, ids, actor, ip: str | None) -> None:
    # A write transaction of its own (portal.database.append_rows): on SQLite a request's
    # read transaction cannot take the write lock once another request has written
    # ("database is locked" at once, whatever the busy timeout), so the read is ended
    # and the write begins with the lock. What the request loaded stays loaded.
    # One INSERT through the Core (a view entry has no free text to mask): no ORM
    # object, no flush and no ORM statement handling, the cheapest write there is.
    if isinstance(actor, LocalProxy):  # current_user: looked up once, not twice
        actor = actor._get_current_object()
    actor_id, actor_name = getattr(actor, "id", None), getattr(actor, "name", None)
    rows = [
        {
            "at": utcnow(),
            "actor_id": actor_id,
            "actor_name": actor_name,
            "action": "view",
            "object_type": object_type,
            "object_id": str(object_id),
            "summary": None,
            "before": None,  # stored as record() stores them (JSON null)
            "after": None,
            "ip": ip,
        }
        for object_id in ids
    ]
    append_rows(db.session, audit_insert(), rows)


def view_household(household: Household, *, actor, ip: str | None = None) -> None:
    """Record that a staff member opened the full record of a household."""
    _record_views("household", [household.id], actor, ip)


def view_person(person: Person, *, actor, ip: str | None = None) -> None:
    """Record that a staff member opened the full record of a person."""
    _record_views("person", [person.id], actor, ip)


def _kk_errors(kk: str | None, household: Household | None) -> dict:
    if not kk:
        return {}
    errors = check_kk(kk)
    if errors:
        return {"kk_number": " ".join(str(e) for e in errors)}
    stmt = select(Household.id).where(Household.kk_number == kk)
    if household is not None:
        stmt = stmt.where(Household.id != household.id)
    if db.session.scalar(stmt) is not None:
        return {"kk_number": _l("Another household already has this family card number.")}
    return {}


def save_household(
    household: Household | None,
    data: dict,
    *,
    actor,
    kk_reason: str = "first",
    on: date | None = None,
    ip: str | None = None,
) -> tuple[Household, dict]:
    """Create or update a household from plain values. Returns (household, field errors).

    A new family-card number closes the old one in the KK history (with `kk_reason`)
    rather than overwriting it. Commits when there are no errors.
    """
    household, errors = stage_household(
        household, data, actor=actor, kk_reason=kk_reason, on=on, ip=ip
    )
    if not errors:
        db.session.commit()
    return household, errors


def stage_household(
    household: Household | None,
    data: dict,
    *,
    actor,
    kk_reason: str = "first",
    on: date | None = None,
    ip: str | None = None,
    summary: str | None = None,
) -> tuple[Household, dict]:
    """`save_household` inside the caller's transaction: changes, scores and audits
    (with `summary`, e.g. the change request it carries out) but never commits (a KK number
    another household took at the same moment rolls the session back)."""
    on = on or village_today()
    creating = household is None
    values = {f: data.get(f) for f in HOUSEHOLD_FIELDS if f in data}
    if "kk_number" in values:
        values["kk_number"] = clean_number(values["kk_number"]) or None
    for name in ("address", "dusun", "national_id", "notes"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip() or (None if name != "address" else "")
    errors = _kk_errors(values.get("kk_number"), household)
    if errors:
        return household, errors
    if creating:
        household = Household(address="")
        db.session.add(household)
        before = None
    else:
        before = snapshot(household, AUDIT_HOUSEHOLD_FIELDS)
    old_kk = household.kk_number
    for name, value in values.items():
        setattr(household, name, value)
    if household.kk_number != old_kk:
        _record_kk_change(
            household, old_kk, household.kk_number, kk_reason if old_kk else "first", on, actor
        )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return household, {
            "kk_number": _l("Another household already has this family card number.")
        }
    refresh_assessment(household)
    record(
        "create" if creating else "update",
        "household",
        household.id,
        actor=actor,
        summary=summary,
        before=before,
        after=snapshot(household, AUDIT_HOUSEHOLD_FIELDS),
        ip=ip,
    )
    return household, {}


def _record_kk_change(household, old_kk, new_kk, reason, on, actor) -> None:
    for row in household.kk_history:
        if row.valid_to is None:
            row.valid_to = max(on, row.valid_from)
    if new_kk:
        household.kk_history.append(
            KKNumber(
                kk_number=new_kk,
                valid_from=on,
                reason=reason,
                recorded_by_id=getattr(actor, "id", None),
            )
        )
