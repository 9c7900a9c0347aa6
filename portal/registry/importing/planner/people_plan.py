"""Planning a roster (SIAK or OpenSID residents): households by KK number, people by NIK."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from portal.i18n import lazy_gettext as _l
from portal.registry.importing.layouts import Row
from portal.registry.importing.planner.common import (
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
    _emit,
    _same,
)
from portal.registry.importing.planner.lookups import (
    _enrolled,
    _households_by_kk,
    _persons_by_nik,
    _unnumbered_members,
)
from portal.registry.importing.problems import Problem, problem
from portal.registry.models import Household
from portal.registry.services import normalise_name


@dataclass
class _Family:
    head_row: int | None = None
    heads: int = 0
    first_row: int | None = None
    values: dict = field(default_factory=dict)


def _collect_people(rows: Iterable[Row]) -> tuple[dict[str, int], dict[str, _Family]]:
    first_by_nik: dict[str, int] = {}
    families: dict[str, _Family] = {}
    for row in rows:
        if row.errors:
            continue
        v = row.values
        if v.get("nik"):
            first_by_nik.setdefault(v["nik"], row.number)
        family = families.setdefault(v["kk_number"], _Family())
        household_values = {f: v.get(f) for f in HOUSEHOLD_FROM_PERSON}
        if family.first_row is None:
            family.first_row = row.number
            family.values = household_values
        if v.get("relation") == "head":
            family.heads += 1
            if family.head_row is None:
                family.head_row = row.number
                family.values = household_values
    return first_by_nik, families


@dataclass
class _HouseholdState:
    """What the plan decided for one KK number: the id of the registry's household, the
    index of a new one, or the error that rejects all its rows; and the warnings shown
    on the family's first row."""

    id: int | None = None
    new: int | None = None
    error: Problem | None = None
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class _Roster:
    """The state of planning one roster: what the file and the registry hold, and what
    has been decided so far."""

    plan: Plan
    emit: Callable
    first_by_nik: dict[str, int]
    families: dict[str, _Family]
    households: dict[str, dict]
    persons: dict[str, dict]
    unnumbered: dict[tuple, dict]
    enrolled_persons: set[int]
    enrolled_households: set[int]
    rw_required: bool
    state: dict[str, _HouseholdState] = field(default_factory=dict)
    seen_unnumbered: set[tuple] = field(default_factory=set)


def plan_people(
    rows: Callable[[], Iterable[Row]],
    emit,
    *,
    today: date,
    chunk_rows: int | None = None,
    on_chunk: Callable[[Plan, int], None] | None = None,
    skip: int = 0,
    counts: dict | None = None,
    writes: int = 0,
) -> Plan:
    """Plan a roster (SIAK or OpenSID residents): households by KK, people by NIK.

    Without `chunk_rows` the whole file is planned at once (the preview and the import
    in one transaction). With it, rows are decided a step of about `chunk_rows` rows at
    a time, looking up only that step's KK numbers and NIKs; each step ends where the
    KK number changes (a family stays in one step when the file lists families
    together, as SIAK does), and `on_chunk(plan, rows_done)` is called after it: it
    makes the step's writes, and the plan's write lists start empty again. `skip`
    rows, already written by an earlier run, are passed over, with the `counts` that
    run had made and its `writes`. Memory then holds the file's NIKs and KK numbers,
    not its rows.
    """
    first_by_nik, families = _collect_people(rows())
    enrolled_persons, enrolled_households = _enrolled(today)
    plan = Plan("people", earlier_writes=writes)
    plan.counts.update(counts or {})
    roster = _Roster(
        plan=plan,
        emit=emit,
        first_by_nik=first_by_nik,
        families=families,
        households={},
        persons={},
        unnumbered={},
        enrolled_persons=enrolled_persons,
        enrolled_households=enrolled_households,
        rw_required=not Household.__table__.c.rw.nullable,
    )
    if chunk_rows is None:
        _look_up(roster, set(families), set(first_by_nik))
        for row in rows():
            _decide_row(roster, row)
        return plan
    for chunk, done in _steps(rows(), chunk_rows, skip):
        kks = {r.values["kk_number"] for r in chunk if not r.errors}
        # A family listed again further down the file was decided in an earlier step:
        # its household's members without a NIK are looked up again for this one.
        decided = {roster.state[kk].id for kk in kks & set(roster.state)} - {None}
        _look_up(
            roster,
            kks - set(roster.state),
            {r.values["nik"] for r in chunk if not r.errors and r.values.get("nik")},
            decided,
        )
        for row in chunk:
            _decide_row(roster, row)
        if on_chunk is not None:
            on_chunk(plan, done)
        plan.clear_writes()
        # What the step looked up is not needed again (its families are decided).
        roster.persons.clear()
        roster.unnumbered.clear()
        roster.households.clear()
    return plan


def _steps(rows: Iterable[Row], size: int, skip: int) -> Iterator[tuple[list[Row], int]]:
    """The rows after the first `skip`, in lists of at least `size` rows ending where the
    KK number changes, each with how many rows of the file are done after it."""
    chunk: list[Row] = []
    last_kk = None
    index = 0
    for index, row in enumerate(rows, start=1):  # noqa: B007
        if index <= skip:
            continue
        kk = row.values.get("kk_number")
        if len(chunk) >= size and kk != last_kk:
            yield chunk, index - 1
            chunk = []
        chunk.append(row)
        last_kk = kk
    if chunk:
        yield chunk, index


def _look_up(
    roster: _Roster, kks: set[str], niks: set[str], household_ids: set[int] = frozenset()
) -> None:
    """What the registry holds for these KK numbers and NIKs (in a few large queries),
    and the members without a NIK of their households and of `household_ids`."""
    found = _households_by_kk(kks)
    roster.households.update(found)
    roster.persons.update(_persons_by_nik(niks))
    ids = {h["id"] for h in found.values()} | set(household_ids)
    roster.unnumbered.update(_unnumbered_members(ids))


def _decide_row(roster: _Roster, row: Row) -> None:
    roster.plan.counts["rows"] += 1
    out = Outcome(REJECTED, target=row.values.get("name") or "")
    if not row.errors:
        _decide_person(roster, row, out)
    _emit(roster.plan, roster.emit, row, out)


def _household_state(roster: _Roster, kk: str) -> _HouseholdState:
    """The household of a KK number, decided on its first row."""
    if kk in roster.state:
        return roster.state[kk]
    plan = roster.plan
    family = roster.families[kk]
    wanted = family.values
    existing = roster.households.get(kk)
    entry = _HouseholdState()
    if existing is not None:
        _compare_household(plan, entry, existing, wanted)
    elif wanted.get("rt") is None or (roster.rw_required and wanted.get("rw") is None):
        entry.error = problem(
            _l(
                "The family card %(kk)s has no RT or RW in this file, so its household "
                "cannot be created.",
                kk=kk,
            )
        )
    else:
        entry.new = len(plan.new_households)
        plan.new_households.append(
            {
                "kk_number": kk,
                "rt": wanted["rt"],
                "rw": wanted["rw"],
                "address": wanted.get("address") or "",
                "dusun": wanted.get("dusun"),
            }
        )
        plan.counts["households_new"] += 1
    if family.head_row is None:
        entry.warnings.append(
            problem(_l("No head of family is listed for this family card in the file."))
        )
    roster.state[kk] = entry
    return entry


def _compare_household(plan: Plan, entry: _HouseholdState, existing: dict, wanted: dict) -> None:
    entry.id = existing["id"]
    changes = {
        f: wanted[f]
        for f in HOUSEHOLD_FROM_PERSON
        if wanted.get(f) not in (None, "")
        and not _same(existing[f], wanted[f])
        and not (f in KEEP_WHEN_EMPTY and wanted.get(f) in (None, ""))
    }
    if existing["old_number"]:
        entry.warnings.append(
            problem(
                _l(
                    "This is an earlier family card number of a household in the "
                    "registry; the members are added to that household."
                )
            )
        )
    if changes:
        plan.household_changes[existing["id"]] = changes
        plan.household_before[existing["id"]] = {f: existing[f] for f in changes}
        plan.counts["households_updated"] += 1
    else:
        plan.counts["households_unchanged"] += 1


def _decide_person(roster: _Roster, row: Row, out: Outcome) -> None:
    """Decide one row without errors of its own; a rejected row's `out` stays REJECTED."""
    plan = roster.plan
    v = row.values
    nik = v.get("nik")
    if nik and roster.first_by_nik.get(nik) != row.number:
        out.errors.append(
            problem(
                _l(
                    "The same NIK is already in row %(row)d of this file.",
                    row=roster.first_by_nik[nik],
                ),  # fmt: skip
                None,
            )
        )
        plan.counts["duplicates_in_file"] += 1
        return
    kk = v["kk_number"]
    family = roster.families[kk]
    hh = _household_state(roster, kk)
    if hh.error is not None:
        out.errors.append(hh.error)
        return
    if row.number == family.first_row:
        out.warnings.extend(hh.warnings)
    if v.get("relation") == "head" and family.heads > 1 and row.number != family.head_row:
        out.warnings.append(
            problem(_l("This family card has more than one head of family in the file."))
        )
    wanted = {f: v.get(f) for f in PERSON_COMPARED}
    wanted["name_norm"] = v.get("name_norm") or normalise_name(v["name"])
    wanted["nik_warning"] = v.get("nik_warning")
    existing = roster.persons.get(nik) if nik else None
    if existing is None and not nik and hh.id is not None:
        match_key = (hh.id, wanted["name_norm"], v.get("birth_date"))
        if match_key in roster.seen_unnumbered:
            out.errors.append(
                problem(_l("The same person (name and birth date) is twice in this file."))
            )
            plan.counts["duplicates_in_file"] += 1
            return
        roster.seen_unnumbered.add(match_key)
        existing = roster.unnumbered.get(match_key)
    if existing is not None:
        if not _compare_person(roster, existing, wanted, v, kk, hh, out):
            return
    else:
        out.status = NEW
        plan.new_persons.append(
            {
                "nik": nik,
                **wanted,
                "household_kk": kk,
            }
        )
        plan.counts["people_new"] += 1
    if hh.id is not None and out.status != UNCHANGED:
        plan.touched_households.add(hh.id)


def _compare_person(
    roster: _Roster, existing: dict, wanted: dict, v: dict, kk: str, hh: _HouseholdState, out
) -> bool:
    """Compare a row with the person the registry holds; False if the row is rejected."""
    plan = roster.plan
    plan.counts["matched_in_registry"] += 1
    name_differs = existing["name_norm"] != wanted["name_norm"]
    birth_differs = (
        existing["birth_date"] is not None
        and wanted["birth_date"] is not None
        and existing["birth_date"] != wanted["birth_date"]
    )
    if name_differs and birth_differs:
        out.errors.append(
            problem(
                _l(
                    "The registry has this NIK for %(name)s, with another name and "
                    "birth date. Check the family card before importing this row.",
                    name=existing["name"],
                )
            )
        )
        plan.counts["conflicts"] += 1
        return False
    if name_differs:
        out.warnings.append(
            problem(
                _l(
                    "The name changes from %(old)s to %(new)s.",
                    old=existing["name"],
                    new=v["name"],
                )
            )
        )
    _plan_person_change(plan, existing, wanted, kk, hh, out)
    enrolled = existing["id"] in roster.enrolled_persons or (
        wanted["relation"] == "head" and existing["household_id"] in roster.enrolled_households
    )
    if wanted["status"] in NOT_ALIVE and enrolled:
        out.warnings.append(
            problem(
                _l(
                    "Recorded as dead, moved or missing, but still enrolled in a "
                    "programme: end that enrolment."
                )
            )
        )
        plan.counts["stale_enrolments"] += 1
    return True


def _plan_person_change(
    plan: Plan, existing: dict, wanted: dict, kk: str, hh: _HouseholdState, out: Outcome
) -> None:
    changes = {
        f: wanted[f]
        for f in (*PERSON_COMPARED, "name_norm", "nik_warning")
        if not _same(existing[f], wanted[f])
        and not (f in KEEP_WHEN_EMPTY and wanted[f] in (None, ""))
    }
    moved = hh.id is None or existing["household_id"] != hh.id
    if changes or moved:
        out.status = UPDATED
        plan.person_changes.append(
            {
                "id": existing["id"],
                "changes": changes,
                "before": {f: existing[f] for f in changes if f != "name_norm"},
                "household_kk": kk if moved else None,
                "old_household_id": existing["household_id"],
                "relation": wanted["relation"],
            }
        )
        plan.counts["people_moved" if moved else "people_updated"] += 1
        if existing["household_id"] is not None:
            plan.touched_households.add(existing["household_id"])
    else:
        out.status = UNCHANGED
        plan.counts["people_unchanged"] += 1
