"""Planning household files: OpenSID's poor-household numbers and the national welfare data."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import func, select

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.registry.importing.layouts import Row
from portal.registry.importing.planner.common import (
    NOT_ALIVE,
    REJECTED,
    UNCHANGED,
    UPDATED,
    Outcome,
    Plan,
    _chunks,
    _emit,
)
from portal.registry.importing.planner.lookups import (
    _active_external,
    _households_by_kk,
    _households_by_national_id,
    _persons_by_nik,
)
from portal.registry.importing.problems import problem
from portal.registry.models import BPS_CRITERIA, Household, Person

# --------------------------------------------------------------------- poor households


def plan_rtm(rows: Callable[[], Iterable[Row]], emit, *, today: date) -> Plan:
    """Plan OpenSID's poor-household file: each member's household gets the number."""
    plan = Plan("rtm")
    niks = {row.values["nik"] for row in rows() if not row.errors}
    persons = _persons_by_nik(niks)
    household_ids = {p["household_id"] for p in persons.values() if p["household_id"]}
    current = _national_ids(household_ids)
    given: dict[int, tuple[str, int]] = {}
    seen: dict[str, int] = {}
    for row in rows():
        plan.counts["rows"] += 1
        v = row.values
        out = Outcome(REJECTED, target=v.get("rtm_number") or "")
        if row.errors:
            _emit(plan, emit, row, out)
            continue
        if v["nik"] in seen:
            out.errors.append(
                problem(
                    _l("The same NIK is already in row %(row)d of this file.", row=seen[v["nik"]])
                )  # fmt: skip
            )
            plan.counts["duplicates_in_file"] += 1
            _emit(plan, emit, row, out)
            continue
        seen[v["nik"]] = row.number
        person = persons.get(v["nik"])
        if person is None or person["household_id"] is None:
            out.errors.append(
                problem(
                    _l("No one with this NIK is in the registry. Import the village roster first.")
                )
            )
            _emit(plan, emit, row, out)
            continue
        hid = person["household_id"]
        out.target = f"{person['name']} · {v['rtm_number']}"
        if hid in given and given[hid][0] != v["rtm_number"]:
            out.errors.append(
                problem(
                    _l(
                        "Row %(row)d gives this family another household number (%(number)s).",
                        row=given[hid][1],
                        number=given[hid][0],
                    )
                )
            )
            _emit(plan, emit, row, out)
            continue
        if hid in given:
            out.status = UNCHANGED
            plan.counts["people_unchanged"] += 1
            _emit(plan, emit, row, out)
            continue
        given[hid] = (v["rtm_number"], row.number)
        if current.get(hid) == v["rtm_number"]:
            out.status = UNCHANGED
            plan.counts["households_unchanged"] += 1
        else:
            if current.get(hid):
                out.warnings.append(
                    problem(
                        _l(
                            "The household number changes from %(old)s to %(new)s.",
                            old=current[hid],
                            new=v["rtm_number"],
                        )
                    )
                )
            out.status = UPDATED
            plan.household_changes[hid] = {"national_id": v["rtm_number"]}
            plan.household_before[hid] = {"national_id": current.get(hid)}
            plan.counts["households_updated"] += 1
            plan.touched_households.add(hid)
        _emit(plan, emit, row, out)
    return plan


# ------------------------------------------------------------------ national welfare data


def plan_welfare(rows: Callable[[], Iterable[Row]], emit, *, today: date, source: str) -> Plan:
    """Plan the welfare data: household indicators (BPS criteria, desil, national id) and
    the national programmes households or members already receive."""
    plan = Plan("welfare")
    kks, niks, nids = set(), set(), set()
    for row in rows():
        if row.errors:
            continue
        v = row.values
        if v.get("kk_number"):
            kks.add(v["kk_number"])
        if v.get("nik"):
            niks.add(v["nik"])
        if v.get("national_id"):
            nids.add(v["national_id"])
    households = _households_by_kk(kks)
    persons = _persons_by_nik(niks)
    by_national = _households_by_national_id(nids)
    ids = {h["id"] for h in households.values()} | {
        p["household_id"] for p in persons.values() if p["household_id"]
    }
    ids |= {hid for hids in by_national.values() for hid in hids}
    facts, sizes = _household_facts(ids)
    running = _active_external(today)
    done_households: dict[int, int] = {}
    seen_enrolments: set[tuple] = set()
    for row in rows():
        plan.counts["rows"] += 1
        v = row.values
        out = Outcome(REJECTED, target=v.get("name") or v.get("national_id") or "")
        if row.errors:
            _emit(plan, emit, row, out)
            continue
        person = persons.get(v.get("nik")) if v.get("nik") else None
        targets = _welfare_targets(v, person, households, by_national)
        if not targets:
            out.errors.append(
                problem(
                    _l(
                        "This household is not in the registry (no matching family card "
                        "number, NIK or household id). Import the village roster first."
                    )
                )
            )
            _emit(plan, emit, row, out)
            continue
        if v.get("nik") and person is None:
            out.warnings.append(
                problem(
                    _l(
                        "No one with this NIK is in the registry; the row counts for the "
                        "household only."
                    )
                )  # fmt: skip
            )
        changed = _welfare_household_changes(plan, row, targets, facts, sizes, done_households)
        new = _welfare_programmes(
            plan, v, person, targets, running, seen_enrolments, out, today=today, source=source
        )
        changed = new or changed
        out.status = UPDATED if changed else UNCHANGED
        _emit(plan, emit, row, out)
    return plan


def _floor_area(values: dict, registry_size: int | None) -> bool | None:
    area = values.get("floor_area")
    if area is None:
        return None
    people = values.get("members") or registry_size
    if not people:
        return None
    return area / people < 8


def _national_ids(household_ids: set[int]) -> dict[int, str | None]:
    """The household number (OpenSID's rtm, the national id) each household holds now."""
    current = {}
    for chunk in _chunks(sorted(household_ids)):
        for hid, nid in db.session.execute(
            select(Household.id, Household.national_id).where(Household.id.in_(chunk))
        ):
            current[hid] = nid
    return current


def _household_facts(ids: set[int]) -> tuple[dict[int, dict], dict[int, int]]:
    """The welfare fields each household holds now, and how many living people it has."""
    facts: dict[int, dict] = {}
    columns = [Household.id, Household.national_id, Household.desil]
    columns += [getattr(Household, f"bps_{k}") for k in BPS_CRITERIA]
    for chunk in _chunks(sorted(ids)):
        for row in db.session.execute(select(*columns).where(Household.id.in_(chunk))):
            facts[row.id] = dict(row._mapping)
    sizes: dict[int, int] = {}
    for chunk in _chunks(sorted(ids)):
        for hid, n in db.session.execute(
            select(Person.household_id, func.count())
            .where(
                Person.household_id.in_(chunk),
                Person.status == "alive",
                Person.merged_into_id.is_(None),
            )
            .group_by(Person.household_id)
        ):
            sizes[hid] = n
    return facts, sizes


def _welfare_targets(v: dict, person: dict | None, households, by_national) -> list[int]:
    """The registry households a welfare row speaks of: by KK, by NIK, or by household id."""
    targets: list[int] = []
    if v.get("kk_number") and v["kk_number"] in households:
        targets = [households[v["kk_number"]]["id"]]
    elif person is not None and person["household_id"]:
        targets = [person["household_id"]]
    elif v.get("national_id") in by_national:
        targets = by_national[v["national_id"]]
    return targets


def _welfare_household_changes(
    plan: Plan, row: Row, targets: list[int], facts: dict, sizes: dict, done: dict[int, int]
) -> bool:
    """Plan the welfare fields of a row's households (each household once per file)."""
    v = row.values
    changed = False
    for hid in targets:
        if hid in done:
            continue
        done[hid] = row.number
        current = facts[hid]
        wanted: dict = {}
        if v.get("national_id"):
            wanted["national_id"] = v["national_id"]
        if v.get("desil") is not None:
            wanted["desil"] = v["desil"]
        for criterion, met in v.get("criteria", {}).items():
            wanted[f"bps_{criterion}"] = met
        area_met = _floor_area(v, sizes.get(hid))
        if area_met is not None:
            wanted["bps_floor_area"] = area_met
        changes = {f: x for f, x in wanted.items() if current.get(f) != x}
        if changes:
            merged = plan.household_changes.setdefault(hid, {})
            merged.update(changes)
            plan.household_before.setdefault(hid, {}).update({f: current.get(f) for f in changes})
            plan.counts["households_updated"] += 1
            plan.touched_households.add(hid)
            changed = True
        else:
            plan.counts["households_unchanged"] += 1
    return changed


def _welfare_programmes(
    plan: Plan, v: dict, person, targets, running, seen: set, out: Outcome, *, today, source
) -> bool:
    """Plan the national programmes a welfare row says are received: a new enrolment for
    each not already running (once per file). True if any is new."""
    changed = False
    for code, receives in v.get("programmes", {}).items():
        if not receives:
            continue
        ref = ("p", person["id"]) if person is not None else ("h", targets[0])
        if (code, *ref) in seen:
            continue
        seen.add((code, *ref))
        if (code, *ref) in running:
            plan.counts["enrolments_unchanged"] += 1
            continue
        plan.new_external.append(
            {
                "programme_code": code,
                "person_id": ref[1] if ref[0] == "p" else None,
                "household_id": ref[1] if ref[0] == "h" else None,
                "period_start": today,
                "period_end": None,
                "source": source,
            }
        )
        plan.counts["enrolments_new"] += 1
        plan.touched_households.add(targets[0])
        changed = True
        if person is not None and person["status"] in NOT_ALIVE:
            out.warnings.append(
                problem(
                    _l(
                        "Recorded in the registry as dead, moved or missing, yet listed "
                        "as receiving %(programme)s.",
                        programme=code,
                    )
                )
            )
            plan.counts["stale_enrolments"] += 1
    return changed
