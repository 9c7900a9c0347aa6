"""Warnings on enrolments: stale ones (the person died, moved or left), overlaps,
covered households and NIK mismatches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select

from portal.extensions import db
from portal.models_base import village_today
from portal.programmes.models import Programme
from portal.registry.models import NATIONAL_PROGRAMMES, Enrolment, ExternalEnrolment, Person
from portal.registry.services.common import NOT_LIVING
from portal.registry.services.enrolments import _active


@dataclass(frozen=True)
class StaleEnrolment:
    """A person who is dead, moved away or missing and still enrolled (directly or as head)."""

    person_id: int
    person_name: str
    status: str
    household_id: int | None
    programme: str
    as_head: bool


def stale_enrolments(household_id: int | None = None, today: date | None = None) -> list:
    """Dead, moved or missing people who are still enrolled somewhere.

    A person counts as enrolled when an active enrolment names them, or when it is
    their household's and they are its head (the aid is handed to the head).
    """
    today = today or village_today()
    out: list[StaleEnrolment] = []
    not_alive = and_(Person.status.in_(NOT_LIVING), Person.merged_into_id.is_(None))
    village = (
        select(
            Person.id,
            Person.name,
            Person.status,
            Person.household_id,
            Programme.name_id,
            Enrolment.person_id,
        )
        .select_from(Person)
        .join(
            Enrolment,
            or_(
                Enrolment.person_id == Person.id,
                and_(
                    Enrolment.person_id.is_(None),
                    Enrolment.household_id == Person.household_id,
                    Person.relation == "head",
                ),
            ),
        )
        .join(Programme, Programme.id == Enrolment.programme_id)
        .where(not_alive, _active(Enrolment, today))
    )
    national = (
        select(
            Person.id,
            Person.name,
            Person.status,
            Person.household_id,
            ExternalEnrolment.programme_code,
            ExternalEnrolment.person_id,
        )
        .select_from(Person)
        .join(
            ExternalEnrolment,
            or_(
                ExternalEnrolment.person_id == Person.id,
                and_(
                    ExternalEnrolment.person_id.is_(None),
                    ExternalEnrolment.household_id == Person.household_id,
                    Person.relation == "head",
                ),
            ),
        )
        .where(not_alive, _active(ExternalEnrolment, today))
    )
    if household_id is not None:
        village = village.where(Person.household_id == household_id)
        national = national.where(Person.household_id == household_id)
    for pid, name, status, hid, programme, named in db.session.execute(village.order_by(Person.id)):
        out.append(StaleEnrolment(pid, name, status, hid, programme, named is None))
    for pid, name, status, hid, code, named in db.session.execute(national.order_by(Person.id)):
        out.append(StaleEnrolment(pid, name, status, hid, code, named is None))
    return out


@dataclass(frozen=True)
class Overlap:
    """Two enrolments of one household giving the same kind of aid in overlapping periods."""

    household_id: int
    aid_type: str
    first: str
    second: str
    start: date
    end: date | None


def overlaps(household_id: int | None = None, today: date | None = None) -> list[Overlap]:
    """Households enrolled twice for the same kind of aid in the same period.

    Village programmes count by their aid type; national ones by the kind of aid each
    gives (BPNT food, PKH and BLT cash, PBI health, PIP education). An enrolment of a
    person counts for the household they belong to; two enrolments for two different
    members (health insurance for each) are not an overlap. Only periods still
    running (or not yet started) are compared.
    """
    today = today or village_today()
    # (household, aid type) -> [(start, end, beneficiary person or None, label)]
    entries: dict[tuple[int, str], list] = defaultdict(list)
    village = (
        select(
            Enrolment.household_id,
            Programme.aid_type,
            Programme.name_id,
            Enrolment.person_id,
            Enrolment.period_start,
            Enrolment.period_end,
        )
        .join(Programme, Programme.id == Enrolment.programme_id)
        .where(_active(Enrolment, today))
    )
    hh = func.coalesce(ExternalEnrolment.household_id, Person.household_id)
    national = (
        select(
            hh,
            ExternalEnrolment.programme_code,
            ExternalEnrolment.person_id,
            ExternalEnrolment.period_start,
            ExternalEnrolment.period_end,
        )
        .select_from(ExternalEnrolment)
        .outerjoin(Person, Person.id == ExternalEnrolment.person_id)
        .where(_active(ExternalEnrolment, today))
    )
    if household_id is not None:
        village = village.where(Enrolment.household_id == household_id)
        # The OR lets the indexes on household_id and person_id find the candidates
        # (the coalesce alone reads every national enrolment); the coalesce decides.
        national = national.where(
            or_(
                ExternalEnrolment.household_id == household_id,
                ExternalEnrolment.person_id.in_(
                    select(Person.id).where(Person.household_id == household_id)
                ),
            ),
            hh == household_id,
        )
    for hid, aid_type, name, person_id, start, end in db.session.execute(village):
        entries[(hid, aid_type)].append((start, end, person_id, name))
    for hid, code, person_id, start, end in db.session.execute(national):
        if hid is not None:
            entries[(hid, NATIONAL_PROGRAMMES[code][0])].append((start, end, person_id, code))
    return _overlaps_in(entries)


def _overlaps_in(entries: dict[tuple[int, str], list]) -> list[Overlap]:
    """The overlaps among active enrolments grouped by (household, aid type), each entry
    (start, end, beneficiary person or None, label): the rule of `overlaps()`."""
    found = []
    for (hid, aid_type), items in sorted(entries.items()):
        items.sort(key=lambda item: (item[0], item[3]))
        for i, (_start_a, end_a, person_a, name_a) in enumerate(items):
            for start_b, end_b, person_b, name_b in items[i + 1 :]:
                if end_a is not None and start_b > end_a:
                    continue
                if person_a is not None and person_b is not None and person_a != person_b:
                    continue
                end = min((e for e in (end_a, end_b) if e is not None), default=None)
                found.append(Overlap(hid, aid_type, name_a, name_b, start_b, end))
    return found


def covered_households(
    aid_type: str, start: date, end: date, *, ignore_enrolments: Collection[int] = ()
) -> set[int]:
    """Households already receiving `aid_type` at some time between `start` and `end`.

    The same rules as `overlaps()`: village programmes count by their aid type,
    national ones by the kind of aid each gives (NATIONAL_PROGRAMMES), and an
    enrolment of a person counts for the household they belong to now. Used by the
    recipient lists so that a draft list leaves out households covered twice; a list
    passes the enrolments its own approval made as `ignore_enrolments` (being on this
    list is not being covered by another).
    """
    codes = [code for code, (kind, _label) in NATIONAL_PROGRAMMES.items() if kind == aid_type]
    covered = set(
        db.session.scalars(
            select(Enrolment.household_id)
            .join(Programme, Programme.id == Enrolment.programme_id)
            .where(
                Programme.aid_type == aid_type,
                Enrolment.period_start <= end,
                or_(Enrolment.period_end.is_(None), Enrolment.period_end >= start),
                Enrolment.id.not_in(list(ignore_enrolments)),
            )
        )
    )
    if codes:
        hh = func.coalesce(ExternalEnrolment.household_id, Person.household_id)
        covered.update(
            hid
            for hid in db.session.scalars(
                select(hh)
                .select_from(ExternalEnrolment)
                .outerjoin(Person, Person.id == ExternalEnrolment.person_id)
                .where(
                    ExternalEnrolment.programme_code.in_(codes),
                    ExternalEnrolment.period_start <= end,
                    or_(
                        ExternalEnrolment.period_end.is_(None),
                        ExternalEnrolment.period_end >= start,
                    ),
                )
            )
            if hid is not None
        )
    return covered


def nik_mismatches(limit: int = 200) -> list[Person]:
    """People whose NIK disagrees with their birth date or sex (warnings, not errors)."""
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.nik_warning.is_not(None), Person.merged_into_id.is_(None))
            .order_by(Person.household_id, Person.id)
            .limit(limit)
        )
    )
