"""What the registry holds for a file's NIK, KK and household numbers, in a few large queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import or_, select

from portal.extensions import db
from portal.registry.importing.planner.common import PERSON_COMPARED, _chunks
from portal.registry.models import Enrolment, ExternalEnrolment, Household, KKNumber, Person


def _households_by_kk(kks: set[str]) -> dict[str, dict]:
    """Households for KK numbers: the current number first, else one from the history."""
    found: dict[str, dict] = {}
    columns = (
        Household.id,
        Household.kk_number,
        Household.rt,
        Household.rw,
        Household.address,
        Household.dusun,
        Household.national_id,
    )
    for chunk in _chunks(sorted(kks)):
        for row in db.session.execute(select(*columns).where(Household.kk_number.in_(chunk))):
            found[row.kk_number] = dict(row._mapping) | {"old_number": False}
    missing = sorted(kks - set(found))
    by_id: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(missing):
        rows = db.session.execute(
            select(KKNumber.kk_number, KKNumber.household_id)
            .where(KKNumber.kk_number.in_(chunk))
            .order_by(KKNumber.valid_from)
        )
        for kk, household_id in rows:
            by_id[household_id].append(kk)
    for chunk in _chunks(sorted(by_id)):
        for row in db.session.execute(select(*columns).where(Household.id.in_(chunk))):
            for kk in by_id[row.id]:
                found[kk] = dict(row._mapping) | {"old_number": True}
    return found


PERSON_COLUMNS = (
    Person.id,
    Person.nik,
    Person.household_id,
    Person.name_norm,
    Person.nik_warning,
    *(getattr(Person, name) for name in PERSON_COMPARED),
)


def _persons_by_nik(niks: set[str]) -> dict[str, dict]:
    found = {}
    for chunk in _chunks(sorted(niks)):
        for row in db.session.execute(select(*PERSON_COLUMNS).where(Person.nik.in_(chunk))):
            found[row.nik] = dict(row._mapping)
    return found


def _unnumbered_members(household_ids: set[int]) -> dict[tuple, dict]:
    """People without a NIK in these households, by (household, name key, birth date)."""
    found = {}
    for chunk in _chunks(sorted(household_ids)):
        rows = db.session.execute(
            select(*PERSON_COLUMNS).where(
                Person.household_id.in_(chunk),
                Person.nik.is_(None),
                Person.merged_into_id.is_(None),
            )
        )
        for row in rows:
            found[(row.household_id, row.name_norm, row.birth_date)] = dict(row._mapping)
    return found


def _enrolled(today: date) -> tuple[set[int], set[int]]:
    """(person ids, household ids) named by an enrolment that is still running."""
    persons: set[int] = set()
    households: set[int] = set()
    for model in (Enrolment, ExternalEnrolment):
        active = or_(model.period_end.is_(None), model.period_end >= today)
        for person_id, household_id in db.session.execute(
            select(model.person_id, model.household_id).where(active)
        ):
            if person_id is not None:
                persons.add(person_id)
            elif household_id is not None:
                households.add(household_id)
    return persons, households


def _active_external(today: date) -> dict[tuple, dict]:
    """Running national enrolments by (programme, "p" or "h", person or household id)."""
    found = {}
    active = or_(ExternalEnrolment.period_end.is_(None), ExternalEnrolment.period_end >= today)
    rows = db.session.execute(
        select(
            ExternalEnrolment.id,
            ExternalEnrolment.programme_code,
            ExternalEnrolment.person_id,
            ExternalEnrolment.household_id,
            ExternalEnrolment.period_start,
            ExternalEnrolment.period_end,
        ).where(active)
    )
    for row in rows:
        if row.person_id is not None:
            found[(row.programme_code, "p", row.person_id)] = dict(row._mapping)
        else:
            found[(row.programme_code, "h", row.household_id)] = dict(row._mapping)
    return found


def _households_by_national_id(ids: set[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(sorted(ids)):
        for hid, nid in db.session.execute(
            select(Household.id, Household.national_id).where(Household.national_id.in_(chunk))
        ):
            found[nid].append(hid)
    return found
