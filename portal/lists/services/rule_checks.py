"""The working list checked against the period's rules as they stand now."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, false, func, select

from portal.database import read
from portal.extensions import db
from portal.lists.models import ListEntry, ListPeriod
from portal.lists.services.draft import CHUNK, _name_of, draft_candidate_ids
from portal.registry.models import Household, Person


@dataclass(frozen=True, slots=True)
class ShownHousehold:
    """What the rule check shows of a household."""

    id: int
    rt: int
    rw: int | None
    need_level: str | None
    desil: int | None

    @property
    def rt_rw(self) -> str:
        return Household.rt_rw.fget(self)


@dataclass(frozen=True, slots=True)
class UnmatchedEntry:
    """An entry on the list that the rules would not propose now."""

    household_id: int
    source: str
    household: ShownHousehold


@dataclass(frozen=True)
class RuleCheck:
    """The working list against the period's rules as they stand now, on the registry as
    it stands now: what a fresh draft would differ by. Nothing is changed here; staff
    change the list one household at a time, each with a written reason."""

    # On the list, but the rules would not propose the household now.
    unmatched: list[UnmatchedEntry]
    # Proposed by the rules, not on the list (a household taken off earlier included:
    # `taken_off` holds their ids, so staff see it was a decision).
    missing: list[ShownHousehold]
    taken_off: frozenset[int]
    # household id -> the name on the list (recipient_name), for those shown.
    names: dict[int, str]

    @property
    def agrees(self) -> bool:
        return not self.unmatched and not self.missing


def rule_check(period: ListPeriod) -> RuleCheck:
    """Compare the working list with `draft_candidate_ids` (the programme's rules now).

    The rules are applied to plain rows (draft_candidate_ids, which does not count the
    list's own enrolments as other aid); the entries are plain rows too; only the
    households the page shows (the differences) are read, with their members' names, in
    one statement (`recipient_name` over plain rows)."""
    entries = read(db.session, _entries_statement(), {"period_id": period.id}).all()
    proposed_ids = draft_candidate_ids(period)
    proposed = set(proposed_ids)
    listed = {e.household_id for e in entries if e.active}
    unmatched_rows = [e for e in entries if e.active and e.household_id not in proposed]
    missing_ids = [hid for hid in proposed_ids if hid not in listed]
    shown, names = _shown_households([e.household_id for e in unmatched_rows] + missing_ids)
    unmatched = [
        UnmatchedEntry(e.household_id, e.source, shown[e.household_id]) for e in unmatched_rows
    ]
    unmatched.sort(key=lambda e: (e.household.rw or 0, e.household.rt or 0, e.household_id))
    missing = [shown[hid] for hid in missing_ids]
    taken_off = frozenset(e.household_id for e in entries if not e.active)
    return RuleCheck(unmatched, missing, taken_off, names)


def _shown_households(ids: list[int]) -> tuple[dict[int, ShownHousehold], dict[int, str]]:
    """The households `ids` and their recipient names: one statement a chunk (households
    joined to their members' rows), one for none too (the page's statements are as many
    whatever it shows: tests/test_query_counts.py), which has no list to expand (a list
    that agrees with the rules, the usual page, costs some 100 Python calls less)."""
    shown: dict[int, ShownHousehold] = {}
    members: dict[int, list] = {}
    for start in range(0, max(len(ids), 1), CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in read(db.session, _shown_statement(bool(chunk)), {"ids": chunk}):
            if row.household_id not in shown:
                shown[row.household_id] = ShownHousehold(
                    row.household_id, row.rt, row.rw, row.need_level, row.desil
                )
                members[row.household_id] = []
            if row.id is not None:
                members[row.household_id].append(row)
    return shown, {hid: _name_of(people) for hid, people in members.items()}


@cache
def _entries_statement():
    return select(ListEntry.household_id, ListEntry.active, ListEntry.source).where(
        ListEntry.period_id == bindparam("period_id")
    )


@cache
def _shown_statement(some: bool):
    """The households `ids` with their members' rows (with `some` False: none, no list)."""
    return (
        select(
            Household.id.label("household_id"),
            Household.rt,
            Household.rw,
            Household.need_level,
            Household.desil,
            Person.id,
            Person.name,
            Person.relation,
            Person.status,
            Person.birth_date,
            Person.merged_into_id,
        )
        .outerjoin(Person, Person.household_id == Household.id)
        .where(Household.id.in_(bindparam("ids", expanding=True)) if some else false())
        .order_by(Household.id, Person.id)
    )


def active_count(period: ListPeriod) -> int:
    return db.session.scalar(
        select(func.count()).where(ListEntry.period_id == period.id, ListEntry.active.is_(True))
    )
