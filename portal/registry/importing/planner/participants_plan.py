"""Planning an OpenSID aid list: each participant becomes a national enrolment."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

from portal.i18n import lazy_gettext as _l
from portal.registry.importing import vocab
from portal.registry.importing.layouts import Row
from portal.registry.importing.planner.common import (
    NEW,
    NOT_ALIVE,
    REJECTED,
    UNCHANGED,
    UPDATED,
    Outcome,
    Plan,
    _emit,
)
from portal.registry.importing.planner.lookups import (
    _active_external,
    _households_by_kk,
    _households_by_national_id,
    _persons_by_nik,
)
from portal.registry.importing.problems import problem
from portal.registry.importing.values import key
from portal.registry.models import NATIONAL_PROGRAMMES
from portal.registry.services import normalise_name


def programme_from_name(name: str | None) -> str | None:
    """The national programme a programme's name speaks of ("PKH 2024" -> "PKH")."""
    if not name:
        return None
    words = {key(w) for w in re.split(r"[\W_]+", name) if w}
    whole = key(name)
    for code, markers in vocab.PROGRAMME_WORDS:
        for marker in markers:
            if marker in words or (len(marker) > 5 and marker in whole):
                return code
    return None


def plan_participants(
    rows: Callable[[], Iterable[Row]],
    emit,
    *,
    today: date,
    code: str,
    target: int,
    period_start: date,
    period_end: date | None,
    source: str,
) -> Plan:
    """Plan an OpenSID aid list: each participant becomes a national enrolment."""
    plan = Plan("participants")
    niks, participants = set(), set()
    for row in rows():
        if not row.errors:
            niks.add(row.values["nik"])
            participants.add(row.values["participant"])
    persons = _persons_by_nik(niks)
    households = _households_by_kk(participants) if target == vocab.TARGET_FAMILY else {}
    by_national = (
        _households_by_national_id(participants) if target == vocab.TARGET_HOUSEHOLD else {}
    )
    running = _active_external(today)
    seen: dict[tuple, int] = {}
    label = NATIONAL_PROGRAMMES[code][1]
    for row in rows():
        plan.counts["rows"] += 1
        v = row.values
        out = Outcome(REJECTED, target=v.get("name") or "")
        if row.errors:
            _emit(plan, emit, row, out)
            continue
        person = persons.get(v["nik"])
        if person is None:
            out.errors.append(
                problem(
                    _l("No one with this NIK is in the registry. Import the village roster first.")
                )
            )
            _emit(plan, emit, row, out)
            continue
        household_id, ref = _participant(target, v["participant"], person, households, by_national)
        if ref[1] is None:
            out.errors.append(problem(_l("This person belongs to no household in the registry.")))
            _emit(plan, emit, row, out)
            continue
        if ref in seen:
            out.errors.append(
                problem(
                    _l(
                        "The same participant is already in row %(row)d of this file.",
                        row=seen[ref],
                    )
                )  # fmt: skip
            )
            plan.counts["duplicates_in_file"] += 1
            _emit(plan, emit, row, out)
            continue
        seen[ref] = row.number
        _participant_warnings(plan, v, person, code, out)
        out.target = f"{v.get('name') or person['name']} · {label}"
        enrolment = {
            "programme_code": code,
            "person_id": ref[1] if ref[0] == "p" else None,
            "household_id": ref[1] if ref[0] == "h" else None,
            "period_start": period_start,
            "period_end": period_end,
            "source": source,
        }
        _plan_enrolment(plan, out, running.get((code, *ref)), enrolment)
        if household_id is not None:
            plan.touched_households.add(household_id)
        _emit(plan, emit, row, out)
    return plan


def _participant(target: str, participant: str, person: dict, households, by_national):
    """The household a participant belongs to, and the reference its enrolment names:
    ("h", household id) for family or household lists, ("p", person id) otherwise."""
    if target == vocab.TARGET_FAMILY:
        found = households.get(participant)
        household_id = found["id"] if found else person["household_id"]
        return household_id, ("h", household_id)
    if target == vocab.TARGET_HOUSEHOLD:
        ids = by_national.get(participant) or [person["household_id"]]
        return ids[0], ("h", ids[0])
    return person["household_id"], ("p", person["id"])


def _participant_warnings(plan: Plan, v: dict, person: dict, code: str, out: Outcome) -> None:
    if v.get("name") and normalise_name(v["name"]) != person["name_norm"]:
        out.warnings.append(
            problem(
                _l(
                    "The registry knows this NIK as %(name)s.",
                    name=person["name"],
                )
            )
        )
    if person["status"] in NOT_ALIVE:
        out.warnings.append(
            problem(
                _l(
                    "Recorded in the registry as dead, moved or missing, yet listed as a "
                    "participant of %(programme)s.",
                    programme=code,
                )
            )
        )
        plan.counts["stale_enrolments"] += 1


def _plan_enrolment(plan: Plan, out: Outcome, current: dict | None, enrolment: dict) -> None:
    """A new national enrolment, a changed end of a running one, or nothing."""
    period_end = enrolment["period_end"]
    if current is None:
        out.status = NEW
        plan.new_external.append(enrolment)
        plan.counts["enrolments_new"] += 1
    elif period_end is not None and current["period_end"] != period_end:
        out.status = UPDATED
        plan.external_changes.append(
            {"id": current["id"], "period_end": period_end, "before": current["period_end"]}
        )
        plan.counts["enrolments_updated"] += 1
    else:
        out.status = UNCHANGED
        plan.counts["enrolments_unchanged"] += 1
