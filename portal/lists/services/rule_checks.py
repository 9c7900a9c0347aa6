"""The working list checked against the period's rules as they stand now."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.lists.models import ListEntry, ListPeriod
from portal.lists.services.draft import draft_candidates
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

    @property
    def agrees(self) -> bool:
        return not self.unmatched and not self.missing


def rule_check(period: ListPeriod) -> RuleCheck:
    """Compare the working list with `draft_candidates` (the programme's rules now)."""
    proposed = {h.id: h for h in draft_candidates(period)}
    entries = list(
        db.session.scalars(
            select(ListEntry)
            .where(ListEntry.period_id == period.id)
            .options(selectinload(ListEntry.household).selectinload(Household.members))
        )
    )
    listed = {e.household_id for e in entries if e.active}
    unmatched = sorted(
        (e for e in entries if e.active and e.household_id not in proposed),
        key=lambda e: (e.household.rw or 0, e.household.rt or 0, e.household_id),
    )
    missing = [h for hid, h in proposed.items() if hid not in listed]
    taken_off = frozenset(e.household_id for e in entries if not e.active)
    return RuleCheck(unmatched, missing, taken_off)


def active_count(period: ListPeriod) -> int:
    return db.session.scalar(
        select(func.count()).where(ListEntry.period_id == period.id, ListEntry.active.is_(True))
    )
