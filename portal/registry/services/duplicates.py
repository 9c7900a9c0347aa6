"""Likely duplicate people: finding pairs, deciding they are not duplicates, and merging."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from portal.audit.services import record, snapshot
from portal.database import read, write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow, village_today
from portal.registry.models import (
    DUPLICATE_DECISIONS,
    DuplicateDecision,
    Enrolment,
    ExternalEnrolment,
    Household,
    Person,
)
from portal.registry.services.common import AUDIT_PERSON_FIELDS, refresh_assessment
from portal.registry.services.households import _record_views
from portal.registry.services.page_queries import _statements
from portal.registry.services.people import _open_membership
from portal.registry.validation import check_nik
from portal.service_errors import ServiceError


@dataclass(frozen=True)
class DuplicatePair:
    """Two person records that are probably the same person."""

    a: Person
    b: Person

    @property
    def same_household(self) -> bool:
        return self.a.household_id == self.b.household_id


def _decided_pairs(ids: set[int]) -> set[tuple[int, int]]:
    if not ids:
        return set()
    rows = db.session.execute(_decided_statement(), {"ids": list(ids)})
    return {(a, b) for a, b in rows}


@functools.cache
def _decided_statement() -> Select:
    return select(DuplicateDecision.person_a_id, DuplicateDecision.person_b_id).where(
        DuplicateDecision.person_a_id.in_(bindparam("ids", expanding=True))
    )


def _pairs(people: list[Person], limit: int) -> list[DuplicatePair]:
    groups: dict[tuple, list[Person]] = defaultdict(list)
    for person in people:
        groups[(person.name_norm, person.birth_date)].append(person)
    if all(len(group) < 2 for group in groups.values()):
        return []  # the usual case on a household page: no need to ask for decisions
    decided = _decided_pairs({p.id for p in people})
    pairs = []
    for group in groups.values():
        group.sort(key=lambda p: p.id)
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if (a.id, b.id) not in decided:
                    pairs.append(DuplicatePair(a, b))
                    if len(pairs) >= limit:
                        return pairs
    return pairs


def likely_duplicates(limit: int = 500) -> list[DuplicatePair]:
    """Pairs of people with the same name (after normalising spelling and titles) and the
    same birth date, in one household or in two, that nobody has decided on yet.

    The same NIK twice cannot happen: the database refuses it (unique constraint).
    """
    return _pairs(list(db.session.scalars(_namesake_statements()[0])), limit)


def likely_duplicate_rows(limit: int = 500) -> list[DuplicatePair]:
    """`likely_duplicates(limit)` as pairs of rows of what the list shows of each person
    (id, name, NIK, birth date, household), not whole records."""
    return _pairs(list(db.session.execute(_namesake_statements()[2])), limit)


def likely_duplicate_count(limit: int = 500) -> int:
    """`len(likely_duplicates(limit))`, counted in one statement (the warnings page
    shows only the count): the namesakes paired in SQL as `_pairs()` pairs them (the
    lower id first, same name and birth date, neither merged), less the decided pairs
    (stored with the lower id first), at most `limit`."""
    return read(db.session, _pair_count_statement(), {"limit": limit}).scalar()


@functools.cache
def _pair_count_statement() -> Select:
    """likely_duplicate_count's statement, built once (`limit` a parameter): each person
    paired with the later ids of their name and birth date, found by the index on both
    columns (about half the database's work of grouping every name and date first)."""
    a, b = aliased(Person, name="a"), aliased(Person, name="b")
    decided = (
        select(DuplicateDecision.id)
        .where(DuplicateDecision.person_a_id == a.id, DuplicateDecision.person_b_id == b.id)
        .exists()
    )
    pairs = (
        select(a.id)
        .join(
            b,
            and_(
                b.name_norm == a.name_norm,
                b.birth_date == a.birth_date,
                b.id > a.id,
            ),
        )
        .where(a.merged_into_id.is_(None), b.merged_into_id.is_(None), ~decided)
        .limit(bindparam("limit"))
        .subquery()
    )
    return select(func.count()).select_from(pairs)


@functools.cache
def _namesake_statements() -> tuple[Select, Select, Select]:
    """The people sharing a name and a birth date with someone not merged, as records,
    as (id, name_norm, birth_date) rows and as rows of what the list shows, built once.
    The names and dates are grouped over all records, merged ones too: that reads only
    the index on both columns (leaving the merged out there reads every row); a name
    whose others are merged is one person here, and `_pairs()` makes no pair of one."""
    key = (
        select(Person.name_norm, Person.birth_date)
        .where(Person.birth_date.is_not(None))
        .group_by(Person.name_norm, Person.birth_date)
        .having(func.count() > 1)
        .subquery()
    )

    def namesakes(*columns):
        return (
            select(*columns)
            .join(
                key,
                and_(Person.name_norm == key.c.name_norm, Person.birth_date == key.c.birth_date),
            )
            .where(Person.merged_into_id.is_(None))
            .order_by(Person.name_norm, Person.id)
        )

    return (
        namesakes(Person),
        namesakes(Person.id, Person.name_norm, Person.birth_date),
        namesakes(
            Person.id,
            Person.name_norm,
            Person.birth_date,
            Person.name,
            Person.nik,
            Person.household_id,
        ),
    )


def duplicates_of(household: Household) -> list[DuplicatePair]:
    """Likely duplicates that involve a member of this household."""
    keys = {
        (p.name_norm, p.birth_date)
        for p in household.members
        if p.birth_date and p.merged_into_id is None
    }
    if not keys:
        return []
    # Every name with every birth date (one index search on both columns, and the same
    # statement each time), then only the exact pairs.
    people = db.session.scalars(
        _statements()["namesakes"],
        {"names": sorted({n for n, _b in keys}), "births": sorted({b for _n, b in keys})},
    )
    return _pairs([p for p in people if (p.name_norm, p.birth_date) in keys], 100)


def _ordered(a: Person, b: Person) -> tuple[int, int]:
    return (a.id, b.id) if a.id < b.id else (b.id, a.id)


class DuplicateDecisionError(ServiceError, ValueError):
    """A duplicate decision that cannot be made.

    `message` says why, in the reader's language (a lazy string); `field` names the
    form field it belongs beside ("reason"), or is None for the pair as a whole.
    """


def decision_for(a: Person, b: Person) -> DuplicateDecision | None:
    """The decision already made on this pair of records, if any."""
    first, second = _ordered(a, b)
    return db.session.scalar(
        select(DuplicateDecision).where(
            DuplicateDecision.person_a_id == first, DuplicateDecision.person_b_id == second
        )
    )


_UNREAD = object()


def pair_problem(a: Person, b: Person, decision=_UNREAD):
    """Why nobody can decide on this pair now (a message for the reader), or None.
    `decision`: the pair's decision when the caller has read it already."""
    if a.id == b.id:
        return _l("Both sides are the same record: there is nothing to decide.")
    if decision is _UNREAD:
        decision = decision_for(a, b)
    if decision is not None:
        return _l(
            "This pair has already been decided: %(decision)s.",
            decision=DUPLICATE_DECISIONS[decision.decision],
        )
    if a.merged_into_id is not None or b.merged_into_id is not None:
        return _l("One of these records has already been merged into another record.")
    return None


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DuplicateDecisionError(_l("Please give a reason."), "reason")
    return reason


def _lock_pair(a: Person, b: Person) -> None:
    """Read both records again inside the write transaction, locked where the engine can
    (PostgreSQL: FOR UPDATE; SQLite holds its write lock since BEGIN IMMEDIATE), so that
    two staff members deciding on the same records at once cannot both go ahead."""
    db.session.execute(
        select(Person)
        .where(Person.id.in_({a.id, b.id}))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def _check_pair(a: Person, b: Person) -> None:
    problem = pair_problem(a, b)
    if problem is not None:
        raise DuplicateDecisionError(problem)


# Another request decided the same pair a moment earlier: the pair's row is unique.
_DECIDED_MEANWHILE = _l("Someone else has just decided on this pair. Check the list again.")


def view_pair(a: Person, b: Person, *, actor, ip: str | None = None) -> None:
    """Record that a staff member opened two person records side by side."""
    _record_views("person", dict.fromkeys((a.id, b.id)), actor, ip)


def decide_not_duplicate(
    a: Person, b: Person, *, actor, reason: str, ip: str | None = None
) -> DuplicateDecision:
    """Record that two similar records are different people; they stop being listed.

    Raises DuplicateDecisionError without a reason, for a record paired with itself,
    for a merged record and for a pair already decided. Both records get an audit entry.
    """
    reason = _clean_reason(reason)
    first, second = _ordered(a, b)
    try:
        with write_transaction(db.session()):
            _lock_pair(a, b)
            _check_pair(a, b)
            decision = DuplicateDecision(
                person_a_id=first,
                person_b_id=second,
                decision="not_duplicate",
                reason=reason,
                decided_by_id=getattr(actor, "id", None),
                decided_at=utcnow(),
            )
            db.session.add(decision)
            db.session.flush()
            for person_id in (first, second):
                record(
                    "not_duplicate",
                    "person",
                    person_id,
                    actor=actor,
                    summary=reason,
                    after={"person_a_id": first, "person_b_id": second},
                    ip=ip,
                )
    except IntegrityError:
        raise DuplicateDecisionError(_DECIDED_MEANWHILE) from None
    return decision


def merge_persons(
    keep: Person, drop: Person, actor, reason: str, *, ip: str | None = None
) -> Person:
    """Merge a duplicate record into the one that stays.

    Every village and national enrolment and every membership of `drop` moves to
    `keep`; empty fields of `keep` are filled from `drop`; `drop` stays as a record
    marked merged (for the audit trail) and leaves its household. The decision and
    audit entries are written in the same transaction. When both records are enrolled
    in the same village programme from the same day (the one-per-period rule cannot
    hold both on one person), the kept record's enrolment stays and the duplicate's
    ends and stays on the merged record: nothing is deleted.

    Raises DuplicateDecisionError (a ValueError) without a reason, for a record merged
    into itself, for a record already merged and for a pair already decided.
    """
    if keep.id == drop.id:
        raise DuplicateDecisionError(
            _l("Both sides are the same record: there is nothing to decide.")
        )
    reason = _clean_reason(reason)
    try:
        with write_transaction(db.session()):
            _lock_pair(keep, drop)
            _check_pair(keep, drop)
            _merge(keep, drop, actor, reason, ip)
    except IntegrityError:
        raise DuplicateDecisionError(_DECIDED_MEANWHILE) from None
    return keep


def _merge(keep: Person, drop: Person, actor, reason: str, ip: str | None) -> None:
    before = {
        "keep": snapshot(keep, AUDIT_PERSON_FIELDS),
        "drop": snapshot(drop, AUDIT_PERSON_FIELDS),
    }
    households = {h for h in (keep.household, drop.household) if h is not None}
    moved_village, ended_village, moved_national = _move_enrolments(keep, drop)
    moved_memberships = _move_memberships(keep, drop)
    filled = _fill_from(keep, drop)
    first, second = _ordered(keep, drop)
    db.session.add(
        DuplicateDecision(
            person_a_id=first,
            person_b_id=second,
            decision="merge",
            reason=reason,
            decided_by_id=getattr(actor, "id", None),
            decided_at=utcnow(),
        )
    )
    db.session.flush()
    db.session.expire(keep, ["memberships", "household"])
    db.session.expire(drop, ["memberships", "household"])
    for household in households:
        refresh_assessment(household)
    record(
        "merge",
        "person",
        keep.id,
        actor=actor,
        summary=reason,
        before=before,
        after={
            "keep": snapshot(keep, AUDIT_PERSON_FIELDS),
            "merged_person_id": drop.id,
            "filled": filled,
            "enrolments_moved": [e.id for e in moved_village],
            "enrolments_ended_as_duplicates": [e.id for e in ended_village],
            "external_enrolments_moved": [e.id for e in moved_national],
            "memberships_moved": moved_memberships,
        },
        ip=ip,
    )
    record(
        "merged_into",
        "person",
        drop.id,
        actor=actor,
        summary=reason,
        before=before["drop"],
        after=snapshot(drop, AUDIT_PERSON_FIELDS),
        ip=ip,
    )


def _move_enrolments(keep: Person, drop: Person) -> tuple[list, list, list]:
    """The duplicate's enrolments go to the kept person; a village enrolment the kept
    person already has (same programme and start) ends instead."""
    taken = {
        (programme_id, start)
        for programme_id, start in db.session.execute(
            select(Enrolment.programme_id, Enrolment.period_start).where(
                Enrolment.person_id == keep.id
            )
        )
    }
    moved_village, ended_village = [], []
    last_day = village_today() - timedelta(days=1)
    for enrolment in db.session.scalars(
        select(Enrolment).where(Enrolment.person_id == drop.id).order_by(Enrolment.id)
    ):
        key = (enrolment.programme_id, enrolment.period_start)
        if key in taken:
            end = max(last_day, enrolment.period_start)
            if enrolment.period_end is None or enrolment.period_end > end:
                enrolment.period_end = end
            ended_village.append(enrolment)
            continue
        taken.add(key)
        enrolment.person_id = keep.id
        moved_village.append(enrolment)
    moved_national = list(
        db.session.scalars(select(ExternalEnrolment).where(ExternalEnrolment.person_id == drop.id))
    )
    for enrolment in moved_national:
        enrolment.person_id = keep.id
    return moved_village, ended_village, moved_national


def _move_memberships(keep: Person, drop: Person) -> list[int]:
    """The duplicate's household stays go to the kept person; the ids of those moved."""
    keep_open = _open_membership(keep)
    moved_memberships = []
    for membership in list(drop.memberships):
        if membership.end_date is None and keep_open is not None:
            # One household at a time: the duplicate's stay ends with the merge.
            membership.end_date = max(village_today(), membership.start_date)
            membership.end_reason = "merged"
        membership.person = keep
        moved_memberships.append(membership.id)
    if keep.household_id is None:
        keep.household_id = drop.household_id
    return moved_memberships


def _fill_from(keep: Person, drop: Person) -> dict:
    """What the kept record lacks and the duplicate knows (the NIK too); the duplicate
    is marked merged. Returns the values filled in."""
    filled = {}
    for name in (
        "birth_place",
        "birth_date",
        "mother_name",
        "marital_status",
        "disability",
        "occupation",
        "education",
    ):
        if not getattr(keep, name) and getattr(drop, name):
            setattr(keep, name, getattr(drop, name))
            filled[name] = getattr(drop, name)
    nik = drop.nik if not keep.nik else None
    drop.household_id = None
    drop.merged_into_id = keep.id
    if nik:
        drop.nik = None
        db.session.flush()  # free the NIK before the kept record takes it
        keep.nik = nik
        filled["nik"] = nik
    if keep.nik and ("nik" in filled or "birth_date" in filled):
        check = check_nik(keep.nik, keep.birth_date, keep.sex)
        keep.nik_warning = ",".join(check.warning_codes) or None
    return filled
