"""The draft list: the households of the registry that fit the period's rules; the entries."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from portal.audit.services import record
from portal.database import read
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.lists.models import ListEntry, ListPeriod
from portal.lists.services.common import ListError, _touch
from portal.models_base import utcnow
from portal.registry import scoring
from portal.registry.models import Household, Person
from portal.registry.services import covered_households

CHUNK = 1000


def recipient_names(household_ids: list[int]) -> dict[int, str]:
    """`recipient_name` of each household, from plain rows of its members (a page of
    the working list loaded every member as an ORM object only for this): one statement
    a chunk, even for none. Households without members get ""."""
    names: dict[int, str] = {}
    for start in range(0, max(len(household_ids), 1), CHUNK):
        chunk = household_ids[start : start + CHUNK]
        members: dict[int, list] = {hid: [] for hid in chunk}
        for row in read(db.session, _members_statement(), {"ids": chunk}):
            members[row.household_id].append(row)
        names.update((hid, _name_of(rows)) for hid, rows in members.items())
    return names


@cache
def _members_statement():
    """The member columns recipient_name reads, for households `ids` (an expanding
    parameter): built once per process, not with its cache key on every page."""
    return (
        select(
            Person.household_id,
            Person.id,
            Person.name,
            Person.relation,
            Person.status,
            Person.birth_date,
            Person.merged_into_id,
        )
        .where(Person.household_id.in_(bindparam("ids", expanding=True)))
        .order_by(Person.id)
    )


def _name_of(members: list) -> str:
    """recipient_name over rows with the Person columns it reads (in Person.id order)."""
    head = next((p for p in members if p.relation == "head" and p.merged_into_id is None), None)
    if head is not None and head.status == "alive":
        return head.name
    living = [p for p in members if p.status == "alive" and p.merged_into_id is None]
    if not living:
        return head.name if head else ""
    return min(living, key=lambda p: (p.birth_date is None, p.birth_date or date.max, p.id)).name


def _living(household: Household) -> list[Person]:
    return [p for p in household.members if p.is_alive_resident]


def recipient_name(household: Household) -> str:
    """Whose name stands on the list: the head, or the oldest living member."""
    head = household.head
    if head is not None and head.is_alive_resident:
        return head.name
    living = _living(household)
    if not living:
        return head.name if head else ""
    return min(living, key=lambda p: (p.birth_date is None, p.birth_date or date.max, p.id)).name


def _fits_composition(period: ListPeriod, members: list[scoring.Member]) -> bool:
    living = [m for m in members if m.alive]
    if not living:
        return False
    if period.rule_min_members and len(living) < period.rule_min_members:
        return False
    kind = period.rule_composition
    ages = [m.age for m in living if m.age is not None]
    if kind == "children":
        return any(a < scoring.CHILD_UNDER for a in ages)
    if kind == "school_age":
        low, high = scoring.SCHOOL_AGE
        return any(low <= a <= high for a in ages)
    if kind == "elderly":
        return any(a >= scoring.ELDER_FROM for a in ages)
    if kind == "disabled":
        return any(m.disabled for m in living)
    return True


def draft_candidate_ids(period: ListPeriod) -> list[int]:
    """The ids of the households the programme's rules propose for the period, in RW/RT
    order.

    The rules: a need level the period names (registry scoring), the desil at or below
    the period's limit when it has one (an unknown desil does not qualify then), the
    household fits the programme's kind of aid (scoring's aid types), its living members
    match the composition asked for (ages on the first day of the period), and it is not
    already receiving the same kind of aid during the period
    (`registry.services.covered_households`; the enrolments this list's own approval
    made do not count, so an approved list still matches its rules).

    Plain rows, no ORM object: one statement, the households in order joined to their
    members' birth date, disability and status, read as they come (a household's rows
    are together), so that a district's 250,000 households are drawn in seconds; when
    the composition asks no ages nor disability, each household with the count of its
    living members instead (a row a household, some 0.1 ms less for 40 households). The
    list's own enrolments are left to the database (a sub-query of its entries), not
    read and sent back one bound value each.
    """
    aid_type = period.programme.aid_type
    aid_fit = bool(period.rule_aid_fit and aid_type != "other")
    covered = (
        covered_households(
            aid_type,
            period.starts_on,
            period.ends_on,
            ignore_query=(_own_enrolments_statement(), {"period_id": period.id}),
        )
        if period.rule_not_covered
        else set()
    )
    levels = period.need_levels
    values = {
        **{f"level{i}": level for i, level in enumerate(levels)},
        "max_desil": period.rule_max_desil,
        "aid_like": f"% {aid_type} %",
    }
    kind = (bool(period.rule_max_desil), aid_fit, len(levels))
    if period.rule_composition in _BY_AGE_OR_DISABILITY:
        stmt = _candidates_statement(*kind)
        rows = read(db.session, stmt, values).partitions(CHUNK)
        return _fitting_members(period, rows, covered)
    # Any household, or one of a number of members: only the living are counted (as
    # _fits_composition counts them), by the database: a row a household, not a member.
    needed = max(1, period.rule_min_members or 0)
    counted = _living_counts_statement(*kind)
    return [
        hid
        for chunk in read(db.session, counted, values).partitions(CHUNK)
        for hid, living in chunk
        if living >= needed and hid not in covered
    ]


# The compositions _fits_composition decides by the members' ages or disability.
_BY_AGE_OR_DISABILITY = frozenset({"children", "school_age", "elderly", "disabled"})


def _fitting_members(period: ListPeriod, rows, covered: set) -> list[int]:
    """draft_candidate_ids' households by `_fits` over each one's members (Member)."""
    starts_on = period.starts_on
    out: list[int] = []
    current, members = None, []
    for chunk in rows:
        for hid, person_id, born, disability, status in chunk:
            if hid != current:
                if current is not None and _fits(period, current, members, covered):
                    out.append(current)
                current, members = hid, []
            if person_id is not None:  # a household without members has one row of nulls
                members.append(
                    scoring.Member(
                        age=_age(born, starts_on),
                        disabled=bool(disability),
                        alive=status == "alive",
                    )
                )
    if current is not None and _fits(period, current, members, covered):
        out.append(current)
    return out


def _fits(period: ListPeriod, household_id: int, members: list, covered: set) -> bool:
    return household_id not in covered and _fits_composition(period, members)


def _rules_where(statement, with_desil: bool, with_aid_fit: bool, levels: int):
    """`statement` (of households) for the need levels `level0`... (as many as `levels`:
    each a value of its own, not a list expanded on every run), the desil at most
    `max_desil` and fitting the aid `aid_like` when the rules ask, in RW/RT order."""
    statement = statement.where(
        Household.need_level.in_([bindparam(f"level{i}") for i in range(levels)])
    )
    if with_desil:
        statement = statement.where(
            Household.desil.is_not(None), Household.desil <= bindparam("max_desil")
        )
    if with_aid_fit:
        statement = statement.where(Household.aid_types.like(bindparam("aid_like")))
    return statement.order_by(Household.rw, Household.rt, Household.id)


@cache
def _candidates_statement(with_desil: bool, with_aid_fit: bool, levels: int):
    """The households the rules name (`_rules_where`), each joined to its (not merged)
    members' id, birth date, disability and status: built once a kind of rule."""
    return _rules_where(
        select(
            Household.id, Person.id, Person.birth_date, Person.disability, Person.status
        ).outerjoin(
            Person, (Person.household_id == Household.id) & Person.merged_into_id.is_(None)
        ),
        with_desil,
        with_aid_fit,
        levels,
    )


@cache
def _living_counts_statement(with_desil: bool, with_aid_fit: bool, levels: int):
    """The households the rules name (`_rules_where`), each with how many of its members
    (not merged) are alive: built once a kind of rule."""
    living = (
        select(func.count())
        .where(
            Person.household_id == Household.id,
            Person.merged_into_id.is_(None),
            Person.status == "alive",
        )
        .correlate(Household)
        .scalar_subquery()
    )
    return _rules_where(select(Household.id, living), with_desil, with_aid_fit, levels)


@cache
def _own_enrolments_statement():
    return select(ListEntry.enrolment_id).where(
        ListEntry.period_id == bindparam("period_id"), ListEntry.enrolment_id.is_not(None)
    )


def _age(born: date | None, day: date) -> int | None:
    """As Person.age_on."""
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def draft_candidates(period: ListPeriod) -> list[Household]:
    """The households of `draft_candidate_ids`, with their members, in the same order."""
    ids = draft_candidate_ids(period)
    found = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found.update(
            (h.id, h)
            for h in db.session.scalars(
                select(Household)
                .where(Household.id.in_(chunk))
                .options(selectinload(Household.members))
            )
        )
    return [found[hid] for hid in ids]


def propose_draft(period: ListPeriod, *, actor, ip: str | None = None) -> int:
    """Fill an empty working list from the programme's rules. Returns how many were put on."""
    if db.session.scalar(select(func.count()).where(ListEntry.period_id == period.id)):
        raise ListError(_l("This list already has households; change it one by one."))
    households = draft_candidate_ids(period)
    now = utcnow()
    if households:
        db.session.execute(
            ListEntry.__table__.insert(),
            [
                dict(
                    period_id=period.id,
                    household_id=hid,
                    active=True,
                    source="rule",
                    added_at=now,
                )
                for hid in households
            ],
        )
    period.drafted_by_id = getattr(actor, "id", None)
    _touch(period)
    record(
        "propose_draft",
        "recipient_period",
        period.id,
        actor=actor,
        summary=f"draft list proposed by the programme's rules: {len(households)} households",
        ip=ip,
    )
    db.session.commit()
    return len(households)


def _entries(period: ListPeriod, active: bool):
    return (
        select(ListEntry)
        .join(Household, Household.id == ListEntry.household_id)
        .where(ListEntry.period_id == period.id, ListEntry.active.is_(active))
        .order_by(Household.rw, Household.rt, Household.id)
    )


def entries_query(period: ListPeriod, active: bool = True):
    return _entries(period, active).options(
        selectinload(ListEntry.household).selectinload(Household.members)
    )


class EntryRow(NamedTuple):
    """What a page of the working list shows of an entry and its household. A named
    tuple: the period page's own read (services.period_page.named_entries_page) gives
    plain tuples in this order, equal to these, without a call a row."""

    household_id: int
    source: str
    decision_id: int | None
    rt_rw: str
    need_level: str | None
    desil: int | None
