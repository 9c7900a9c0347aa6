"""What a plan is: each row's outcome, the writes it needs, and the helpers all planners share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from portal.registry.importing.layouts import Row
from portal.registry.importing.problems import Problem
from portal.registry.services.common import PERSON_FIELDS

CHUNK = 500
NEW, UPDATED, UNCHANGED, REJECTED = "new", "updated", "unchanged", "rejected"
HOUSEHOLD_FROM_PERSON = ("rt", "rw", "address", "dusun")
# What an import compares of a person: every audited field but the NIK (the key) and the
# status date (set by the status).
PERSON_COMPARED = tuple(f for f in PERSON_FIELDS if f not in ("nik", "status_date"))
# Fields a file may leave empty without erasing what the registry knows.
KEEP_WHEN_EMPTY = frozenset(
    {
        "birth_place",
        "birth_date",
        "mother_name",
        "marital_status",
        "occupation",
        "education",
        "address",
        "dusun",
    }
)
NOT_ALIVE = ("dead", "moved", "missing")


@dataclass
class Outcome:
    """What one row does: its status and the problems the comparison added."""

    status: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # A short description of what the row touches, for the preview table.
    target: str = ""


@dataclass
class Plan:
    layout: str
    counts: Counter = field(default_factory=Counter)
    new_households: list[dict] = field(default_factory=list)
    household_changes: dict[int, dict] = field(default_factory=dict)
    household_before: dict[int, dict] = field(default_factory=dict)
    new_persons: list[dict] = field(default_factory=list)
    person_changes: list[dict] = field(default_factory=list)
    new_external: list[dict] = field(default_factory=list)
    external_changes: list[dict] = field(default_factory=list)
    touched_households: set[int] = field(default_factory=set)
    # Writes of the steps already made and forgotten (an import in steps).
    earlier_writes: int = 0

    @property
    def writes(self) -> int:
        return (
            self.earlier_writes
            + len(self.new_households)
            + len(self.household_changes)
            + len(self.new_persons)
            + len(self.person_changes)
            + len(self.new_external)
            + len(self.external_changes)
        )

    def summary(self) -> dict:
        return dict(self.counts)

    def clear_writes(self) -> None:
        """Forget the writes made so far (after a step of an import in steps)."""
        self.earlier_writes = self.writes
        self.new_households.clear()
        self.household_changes.clear()
        self.household_before.clear()
        self.new_persons.clear()
        self.person_changes.clear()
        self.new_external.clear()
        self.external_changes.clear()
        self.touched_households.clear()


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _same(old, new) -> bool:
    return old == new or (old in (None, "") and new in (None, ""))


def _emit(plan: Plan, emit, row: Row, out: Outcome) -> None:
    if out.status == REJECTED or row.errors:
        out.status = REJECTED
        plan.counts["rejected"] += 1
    if row.warnings or out.warnings:
        plan.counts["rows_with_warnings"] += 1
    emit(row, out)
