"""People: saving a person and moving them between households."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record, snapshot
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.registry.models import Household, Membership, Person
from portal.registry.services.common import AUDIT_PERSON_FIELDS, PERSON_FIELDS, refresh_assessment
from portal.registry.services.enrolment_warnings import stale_enrolments
from portal.registry.services.names import normalise_name
from portal.registry.validation import check_nik, clean_number


def _clean_person_values(data: dict) -> dict:
    values = {f: data.get(f) for f in PERSON_FIELDS if f in data}
    if "nik" in values:
        values["nik"] = clean_number(values["nik"]) or None
    for name in ("name", "birth_place", "mother_name", "disability", "occupation", "education"):
        if isinstance(values.get(name), str):
            values[name] = " ".join(values[name].split()) or None
    if not values.get("marital_status"):
        values["marital_status"] = None
    return values


def save_person(
    person: Person | None,
    data: dict,
    *,
    actor,
    household: Household | None = None,
    reason: str = "registered",
    on: date | None = None,
    ip: str | None = None,
) -> tuple[Person | None, dict, list]:
    """Create (in `household`) or update a person. Returns (person, errors, warnings).

    A malformed NIK is an error; a NIK that disagrees with the birth date or sex is
    saved with a warning, for an operator to check against the family card. Commits
    when there are no errors.
    """
    person, errors, warnings = stage_person(
        person, data, actor=actor, household=household, reason=reason, on=on, ip=ip
    )
    if errors:
        return person, errors, []
    db.session.commit()
    if person.status != "alive":
        # Flag at once: a dead or moved person must not stay on a list.
        warnings = [*warnings, *still_enrolled_messages(person)]
    return person, {}, warnings


def stage_person(
    person: Person | None,
    data: dict,
    *,
    actor,
    household: Household | None = None,
    reason: str = "registered",
    on: date | None = None,
    ip: str | None = None,
    summary: str | None = None,
) -> tuple[Person | None, dict, list]:
    """`save_person` inside the caller's transaction: changes, scores and audits (with
    `summary`) but never commits (a NIK taken at the same moment rolls back)."""
    on = on or village_today()
    creating = person is None
    values = _clean_person_values(data)
    errors, warnings, nik_warning = _person_problems(person, values, creating)
    if errors:
        return person, errors, []
    if creating:
        if household is None:
            raise ValueError("a new person needs a household")
        person = Person(household_id=household.id)
        db.session.add(person)
        before = None
    else:
        before = snapshot(person, AUDIT_PERSON_FIELDS)
    for name, value in values.items():
        setattr(person, name, value)
    person.name_norm = normalise_name(person.name)
    person.nik_warning = nik_warning
    if creating:
        person.memberships.append(
            Membership(
                household_id=household.id,
                relation=person.relation,
                start_date=on,
                start_reason=reason,
            )
        )
    else:
        current = _open_membership(person)
        if current is not None:
            current.relation = person.relation
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return person, {"nik": _l("Another person already has this NIK.")}, []
    if person.household is not None:
        refresh_assessment(person.household)
    record(
        "create" if creating else "update",
        "person",
        person.id,
        actor=actor,
        summary=summary,
        before=before,
        after=snapshot(person, AUDIT_PERSON_FIELDS),
        ip=ip,
    )
    return person, {}, warnings


def _person_problems(person: Person | None, values: dict, creating: bool):
    """The errors (by field) that refuse saving, and the NIK's warnings and warning codes."""
    errors: dict = {}
    if not values.get("name") and (creating or "name" in values):
        errors["name"] = _l("Please fill in this field.")
    nik = values.get("nik") if "nik" in values else getattr(person, "nik", None)
    birth_date = values.get("birth_date", getattr(person, "birth_date", None))
    sex = values.get("sex", getattr(person, "sex", None))
    warnings: list = []
    nik_warning = None
    if nik:
        check = check_nik(nik, birth_date, sex)
        if check.errors:
            errors["nik"] = " ".join(str(e) for e in check.errors)
        else:
            warnings = check.warnings
            nik_warning = ",".join(check.warning_codes) or None
            other = db.session.scalar(
                select(Person.id).where(Person.nik == nik, Person.id != getattr(person, "id", 0))
            )
            if other:
                errors["nik"] = _l("Another person already has this NIK.")
    return errors, warnings, nik_warning


def still_enrolled_messages(person: Person) -> list:
    """A line per programme a dead or moved person is still enrolled in."""
    return [
        _l(
            "%(name)s is still enrolled in %(programme)s: end that enrolment.",
            name=flag.person_name,
            programme=flag.programme,
        )
        for flag in stale_enrolments(person.household_id)
        if flag.person_id == person.id
    ]


def _open_membership(person: Person) -> Membership | None:
    for membership in person.memberships:
        if membership.end_date is None:
            return membership
    return None


def move_person(
    person: Person,
    target: Household,
    *,
    actor,
    relation: str | None = None,
    reason: str = "moved_in",
    on: date | None = None,
    ip: str | None = None,
) -> Person:
    """Move a person to another household: the old membership is closed, not overwritten."""
    if person.household_id == target.id:
        return person
    with write_transaction(db.session()):
        stage_move(person, target, actor=actor, relation=relation, reason=reason, on=on, ip=ip)
    return person


def stage_move(
    person: Person,
    target: Household,
    *,
    actor,
    relation: str | None = None,
    reason: str = "moved_in",
    on: date | None = None,
    ip: str | None = None,
    summary: str | None = None,
) -> Person:
    """`move_person` inside the caller's transaction (audited with `summary`)."""
    on = on or village_today()
    if person.household_id == target.id:
        return person
    before = snapshot(person, AUDIT_PERSON_FIELDS)
    old = person.household
    current = _open_membership(person)
    if current is not None:
        # A stay cannot end before it began; the new one starts when the old one ends.
        on = max(on, current.start_date)
        current.end_date = on
        current.end_reason = "moved_out"
        db.session.flush()  # the open-membership index allows one open row per person
    person.household_id = target.id
    if relation:
        person.relation = relation
    person.memberships.append(
        Membership(
            household_id=target.id, relation=person.relation, start_date=on, start_reason=reason
        )
    )
    db.session.flush()
    db.session.expire(person, ["household"])
    for household in (old, target):
        if household is not None:
            refresh_assessment(household)
    record(
        "move",
        "person",
        person.id,
        actor=actor,
        summary=summary,
        before=before,
        after=snapshot(person, AUDIT_PERSON_FIELDS),
        ip=ip,
    )
    return person
