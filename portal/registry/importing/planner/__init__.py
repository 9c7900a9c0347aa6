"""Compare imported rows with the registry and decide what each row does; then do it.

`plan_*()` read the rows twice (first to learn the file's families and duplicates,
then to decide), load what the registry already holds for the file's NIK and KK
numbers in a few large queries (never one query per row), and return a Plan: the
outcome of every row (new, updated, unchanged, rejected, with extra problems) and the
writes it needs. The preview shows the outcomes; `apply()` makes the writes, in the
caller's transaction, as bulk statements.

People are matched by NIK, households by their current family-card (KK) number (or an
earlier one from the KK history), so importing the same file again finds everything
unchanged and writes nothing.

One module per step: common (Plan, Outcome), lookups, people_plan, participants_plan,
households_plan (poor households and welfare data), applying.
"""

from __future__ import annotations

from portal.registry.importing.planner.applying import apply
from portal.registry.importing.planner.common import (
    CHUNK,
    HOUSEHOLD_FROM_PERSON,
    KEEP_WHEN_EMPTY,
    NEW,
    NOT_ALIVE,
    PERSON_COMPARED,
    REJECTED,
    UNCHANGED,
    UPDATED,
    Outcome,
    Plan,
)
from portal.registry.importing.planner.households_plan import plan_rtm, plan_welfare
from portal.registry.importing.planner.lookups import PERSON_COLUMNS
from portal.registry.importing.planner.participants_plan import (
    plan_participants,
    programme_from_name,
)
from portal.registry.importing.planner.people_plan import plan_people

__all__ = [
    "CHUNK",
    "NEW",
    "REJECTED",
    "UNCHANGED",
    "UPDATED",
    "HOUSEHOLD_FROM_PERSON",
    "KEEP_WHEN_EMPTY",
    "NOT_ALIVE",
    "Outcome",
    "PERSON_COLUMNS",
    "PERSON_COMPARED",
    "Plan",
    "apply",
    "plan_participants",
    "plan_people",
    "plan_rtm",
    "plan_welfare",
    "programme_from_name",
]
