"""Warnings on enrolments: stale ones (the person died, moved or left), overlaps,
covered households and NIK mismatches."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Date,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)

from portal.database import read
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
    params = {"today": today, "household_id": household_id}
    return [
        StaleEnrolment(pid, name, status, hid, programme, named is None)
        for pid, name, status, hid, programme, named, _part in read(
            db.session, _stale_statement(household_id is not None), params
        )
    ]


@functools.cache
def _stale_statement(one_household: bool):
    """stale_enrolments' statement (for every household or the one `household_id`),
    built once; `today` a parameter. The village enrolments and the national ones as
    one UNION ALL (were two statements), the village ones first, each by person."""
    today = bindparam("today", type_=Date)
    # The statuses bound one value each, not as an expanding IN: SQLAlchemy would expand
    # that list on every run, and read()'s driver path takes only a statement that is
    # not expanded when run.
    statuses = [bindparam(f"status{i}", status) for i, status in enumerate(NOT_LIVING)]
    not_alive = and_(Person.status.in_(statuses), Person.merged_into_id.is_(None))
    village = (
        select(
            Person.id,
            Person.name,
            Person.status,
            Person.household_id,
            Programme.name_id.label("programme"),
            Enrolment.person_id.label("named"),
            literal(0).label("part"),
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
            ExternalEnrolment.programme_code.label("programme"),
            ExternalEnrolment.person_id.label("named"),
            literal(1).label("part"),
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
    if one_household:
        village = village.where(Person.household_id == bindparam("household_id"))
        national = national.where(Person.household_id == bindparam("household_id"))
    both = union_all(village, national).subquery()
    return select(*both.c).order_by(both.c.part, both.c.id)


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

    The pairs are found in SQL (reading every active enrolment into Python cost more
    than the rest of the warnings page); the order is that of `_overlaps_in()`.
    """
    today = today or village_today()
    params = {"today": today}
    if household_id is not None:
        params["household_id"] = household_id
    found = []
    for row in read(db.session, _overlap_statement(household_id is not None), params):
        (hid, kind, label_a, start_a, src_a, id_a, end_a) = row[:7]
        (label_b, start_b, src_b, id_b, end_b) = row[7:]
        first, second = (start_a, label_a, src_a, id_a), (start_b, label_b, src_b, id_b)
        if second < first:  # the same start: `_overlaps_in()` orders by label
            first, second = second, first
        end = min((e for e in (end_a, end_b) if e is not None), default=None)
        found.append(
            ((hid, kind, first, second), Overlap(hid, kind, first[1], second[1], second[0], end))
        )
    found.sort(key=lambda item: item[0])
    return [overlap for _key, overlap in found]


@functools.cache
def _overlap_statement(one_household: bool):
    """Pairs of active enrolments of one household and kind of aid that overlap (the
    rule of `_overlaps_in()`), built once: each entry with its start, label, source
    (0 village, 1 national) and id, the key `overlaps()` orders by."""
    today = bindparam("today", type_=Date)
    kind = case(
        {code: aid_type for code, (aid_type, _label) in NATIONAL_PROGRAMMES.items()},
        value=ExternalEnrolment.programme_code,
    )
    hh = func.coalesce(ExternalEnrolment.household_id, Person.household_id)
    village = (
        select(
            Enrolment.household_id.label("hid"),
            Programme.aid_type.label("kind"),
            Programme.name_id.label("label"),
            Enrolment.person_id.label("pid"),
            Enrolment.period_start.label("start"),
            Enrolment.period_end.label("end"),
            literal(0).label("src"),
            Enrolment.id.label("id"),
        )
        .join(Programme, Programme.id == Enrolment.programme_id)
        .where(_active(Enrolment, today))
    )
    national = (
        select(
            hh,
            kind,
            ExternalEnrolment.programme_code,
            ExternalEnrolment.person_id,
            ExternalEnrolment.period_start,
            ExternalEnrolment.period_end,
            literal(1),
            ExternalEnrolment.id,
        )
        .select_from(ExternalEnrolment)
        .outerjoin(Person, Person.id == ExternalEnrolment.person_id)
        .where(_active(ExternalEnrolment, today), hh.is_not(None))
    )
    if one_household:
        household_id = bindparam("household_id")
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
    entries = union_all(village, national).cte("entries")
    a, b = entries.alias("a"), entries.alias("b")
    return (
        select(
            a.c.hid,
            a.c.kind,
            a.c.label,
            a.c.start,
            a.c.src,
            a.c.id,
            a.c.end,
            b.c.label,
            b.c.start,
            b.c.src,
            b.c.id,
            b.c.end,
        )
        .select_from(a)
        .join(
            b,
            and_(
                a.c.hid == b.c.hid,
                a.c.kind == b.c.kind,
                # Each pair once, the earlier start first; on the same start the
                # order is decided in Python (by label, as `_overlaps_in()` does).
                or_(
                    a.c.start < b.c.start,
                    and_(a.c.start == b.c.start, tuple_(a.c.src, a.c.id) < tuple_(b.c.src, b.c.id)),
                ),
            ),
        )
        .where(
            or_(a.c.end.is_(None), b.c.start <= a.c.end),
            or_(a.c.pid.is_(None), b.c.pid.is_(None), a.c.pid == b.c.pid),
        )
    )


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
    aid_type: str,
    start: date,
    end: date,
    *,
    ignore_query: tuple[Select, dict] | None = None,
) -> set[int]:
    """Households already receiving `aid_type` at some time between `start` and `end`.

    The same rules as `overlaps()`: village programmes count by their aid type,
    national ones by the kind of aid each gives (NATIONAL_PROGRAMMES), and an
    enrolment of a person counts for the household they belong to now. Used by the
    recipient lists so that a draft list leaves out households covered twice; a list
    passes the enrolments its own approval made as `ignore_query` (being on this list is
    not being covered by another): a SELECT of their ids (none NULL), built once by the
    caller, and its values, so that they are not sent one bound value each (a list of a
    thousand households approved made a thousand, and some 6 Python calls each to
    expand).
    """
    codes = [code for code, (kind, _label) in NATIONAL_PROGRAMMES.items() if kind == aid_type]
    values = {"aid_type": aid_type, "start": start, "end": end}
    values.update((f"code{i}", code) for i, code in enumerate(codes))
    ignore = None
    if ignore_query is not None:
        ignore, ignore_values = ignore_query
        values.update(ignore_values)
    statement = _covered_statement(ignore, len(codes))
    return set(read(db.session, statement, values).scalars())


@functools.cache
def _covered_statement(ignore: Select | None, codes: int):
    """covered_households' statement, built once (the values as parameters; once per
    `ignore` SELECT given and number of national programme codes, `code0`..., each a
    value of its own rather than a list expanded on every run): the village enrolments
    and the national ones (of a known household) as one UNION ALL. With no national
    programme of the kind, its half finds none."""
    start, end = bindparam("start", type_=Date), bindparam("end", type_=Date)
    village = (
        select(Enrolment.household_id)
        .join(Programme, Programme.id == Enrolment.programme_id)
        .where(
            Programme.aid_type == bindparam("aid_type"),
            Enrolment.period_start <= end,
            or_(Enrolment.period_end.is_(None), Enrolment.period_end >= start),
        )
    )
    if ignore is not None:
        village = village.where(Enrolment.id.not_in(ignore))
    hh = func.coalesce(ExternalEnrolment.household_id, Person.household_id)
    national = (
        select(hh)
        .select_from(ExternalEnrolment)
        .outerjoin(Person, Person.id == ExternalEnrolment.person_id)
        .where(
            ExternalEnrolment.programme_code.in_([bindparam(f"code{i}") for i in range(codes)])
            if codes
            else false(),
            ExternalEnrolment.period_start <= end,
            or_(
                ExternalEnrolment.period_end.is_(None),
                ExternalEnrolment.period_end >= start,
            ),
            hh.is_not(None),
        )
    )
    return union_all(village, national)


def nik_mismatches(limit: int = 200) -> list:
    """People whose NIK disagrees with their birth date or sex (warnings, not errors):
    rows of (id, name, household_id), what the warnings page shows of each."""
    return list(read(db.session, _nik_mismatch_statement(), {"limit": limit}))


@functools.cache
def _nik_mismatch_statement():
    return (
        select(Person.id, Person.name, Person.household_id)
        .where(Person.nik_warning.is_not(None), Person.merged_into_id.is_(None))
        .order_by(Person.household_id, Person.id)
        .limit(bindparam("limit"))
    )
