"""The working list checked against the period's rules as they stand now."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.lists.models import ListEntry, ListPeriod
from portal.lists.services.draft import (
    draft_candidate_ids,
    households_by_id,
    recipient_names,
)
from portal.registry.models import Household


@dataclass(frozen=True)
class RuleCheck:
    """The working list against the period's rules as they stand now, on the registry as
    it stands now: what a fresh draft would differ by. Nothing is changed here; staff
    change the list one household at a time, each with a written reason."""

    # On the list, but the rules would not propose the household now.
    unmatched: list[ListEntry]
    # Proposed by the rules, not on the list (a household taken off earlier included:
    # `taken_off` holds their ids, so staff see it was a decision).
    missing: list[Household]
    taken_off: frozenset[int]
    # household id -> the name on the list (recipient_name), for those shown.
    names: dict[int, str]

    @property
    def agrees(self) -> bool:
        return not self.unmatched and not self.missing


def rule_check(period: ListPeriod) -> RuleCheck:
    """Compare the working list with `draft_candidate_ids` (the programme's rules now).

    The rules are applied to plain rows (draft_candidate_ids); only the households the
    page shows (the differences) are loaded, and their names come from plain rows
    (`recipient_names`), not from every member as an object."""
    proposed_ids = draft_candidate_ids(period)
    proposed = set(proposed_ids)
    entries = list(db.session.scalars(select(ListEntry).where(ListEntry.period_id == period.id)))
    listed = {e.household_id for e in entries if e.active}
    unmatched = [e for e in entries if e.active and e.household_id not in proposed]
    missing_ids = [hid for hid in proposed_ids if hid not in listed]
    shown_ids = [e.household_id for e in unmatched] + missing_ids
    shown = households_by_id(shown_ids)
    for e in unmatched:
        set_committed_value(e, "household", shown[e.household_id])
    unmatched.sort(key=lambda e: (e.household.rw or 0, e.household.rt or 0, e.household_id))
    missing = [shown[hid] for hid in missing_ids]
    taken_off = frozenset(e.household_id for e in entries if not e.active)
    return RuleCheck(unmatched, missing, taken_off, recipient_names(shown_ids))


def active_count(period: ListPeriod) -> int:
    return db.session.scalar(
        select(func.count()).where(ListEntry.period_id == period.id, ListEntry.active.is_(True))
    )
