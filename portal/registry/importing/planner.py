"""Compare imported rows with the registry and decide what each row does; then do it.

`plan()` reads the rows twice (first to learn the file's families and duplicates,
then to decide), loads what the registry already holds for the file's NIK and KK
numbers in a few large queries (never one query per row), and returns a Plan: the
outcome of every row (new, updated, unchanged, rejected, with extra problems) and the
writes it needs. The preview shows the outcomes; `apply()` makes the writes, in the
caller's transaction, as bulk statements.

People are matched by NIK, households by their current family-card (KK) number (or an
earlier one from the KK history), so importing the same file again finds everything
unchanged and writes nothing.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, insert, or_, select, update

from portal.audit.models import AuditEntry
from portal.audit.services import mask_numbers
from portal.extensions import db
from portal.models_base import utcnow
from portal.registry.importing import vocab
from portal.registry.importing.layouts import Row
from portal.registry.importing.problems import Problem, problem
from portal.registry.importing.values import key
from portal.registry.models import (
    BPS_CRITERIA,
    NATIONAL_PROGRAMMES,
    Enrolment,
    ExternalEnrolment,
    Household,
    KKNumber,
    Membership,
    Person,
)
from portal.registry.rescoring import rescore
from portal.registry.services import normalise_name

CHUNK = 500
NEW, UPDATED, UNCHANGED, REJECTED = "new", "updated", "unchanged", "rejected"
HOUSEHOLD_FROM_PERSON = ("rt", "rw", "address", "dusun")
PERSON_COMPARED = (
    "name",
    "sex",
    "birth_place",
    "birth_date",
    "mother_name",
    "relation",
    "marital_status",
    "disability",
    "occupation",
    "education",
    "status",
)
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

    @property
    def writes(self) -> int:
        return (
            len(self.new_households)
            + len(self.household_changes)
            + len(self.new_persons)
            + len(self.person_changes)
            + len(self.new_external)
            + len(self.external_changes)
        )

    def summary(self) -> dict:
        return dict(self.counts)


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ------------------------------------------------------------------ registry lookups


def _households_by_kk(kks: set[str]) -> dict[str, dict]:
    """Households for KK numbers: the current number first, else one from the history."""
    found: dict[str, dict] = {}
    columns = (
        Household.id,
        Household.kk_number,
        Household.rt,
        Household.rw,
        Household.address,
        Household.dusun,
        Household.national_id,
    )
    for chunk in _chunks(sorted(kks)):
        for row in db.session.execute(select(*columns).where(Household.kk_number.in_(chunk))):
            found[row.kk_number] = dict(row._mapping) | {"old_number": False}
    missing = sorted(kks - set(found))
    by_id: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(missing):
        rows = db.session.execute(
            select(KKNumber.kk_number, KKNumber.household_id)
            .where(KKNumber.kk_number.in_(chunk))
            .order_by(KKNumber.valid_from)
        )
        for kk, household_id in rows:
            by_id[household_id].append(kk)
    for chunk in _chunks(sorted(by_id)):
        for row in db.session.execute(select(*columns).where(Household.id.in_(chunk))):
            for kk in by_id[row.id]:
                found[kk] = dict(row._mapping) | {"old_number": True}
    return found


PERSON_COLUMNS = (
    Person.id,
    Person.nik,
    Person.household_id,
    Person.name_norm,
    Person.nik_warning,
    *(getattr(Person, name) for name in PERSON_COMPARED),
)


def _persons_by_nik(niks: set[str]) -> dict[str, dict]:
    found = {}
    for chunk in _chunks(sorted(niks)):
        for row in db.session.execute(select(*PERSON_COLUMNS).where(Person.nik.in_(chunk))):
            found[row.nik] = dict(row._mapping)
    return found


def _unnumbered_members(household_ids: set[int]) -> dict[tuple, dict]:
    """People without a NIK in these households, by (household, name key, birth date)."""
    found = {}
    for chunk in _chunks(sorted(household_ids)):
        rows = db.session.execute(
            select(*PERSON_COLUMNS).where(
                Person.household_id.in_(chunk),
                Person.nik.is_(None),
                Person.merged_into_id.is_(None),
            )
        )
        for row in rows:
            found[(row.household_id, row.name_norm, row.birth_date)] = dict(row._mapping)
    return found


def _enrolled(today: date) -> tuple[set[int], set[int]]:
    """(person ids, household ids) named by an enrolment that is still running."""
    persons: set[int] = set()
    households: set[int] = set()
    for model in (Enrolment, ExternalEnrolment):
        active = or_(model.period_end.is_(None), model.period_end >= today)
        for person_id, household_id in db.session.execute(
            select(model.person_id, model.household_id).where(active)
        ):
            if person_id is not None:
                persons.add(person_id)
            elif household_id is not None:
                households.add(household_id)
    return persons, households


# ------------------------------------------------------------------------ the rosters


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


def _same(old, new) -> bool:
    return old == new or (old in (None, "") and new in (None, ""))


def plan_people(rows: Callable[[], Iterable[Row]], emit, *, today: date) -> Plan:
    """Plan a roster (SIAK or OpenSID residents): households by KK, people by NIK."""
    plan = Plan("people")
    first_by_nik, families = _collect_people(rows())
    households = _households_by_kk(set(families))
    persons = _persons_by_nik(set(first_by_nik))
    existing_ids = {h["id"] for h in households.values()}
    unnumbered = _unnumbered_members(existing_ids)
    enrolled_persons, enrolled_households = _enrolled(today)
    rw_required = not Household.__table__.c.rw.nullable
    state: dict[str, dict] = {}  # KK -> {"id", "new_index", "error"}
    seen_unnumbered: set[tuple] = set()

    def household_state(kk: str) -> dict:
        if kk in state:
            return state[kk]
        family = families[kk]
        wanted = family.values
        existing = households.get(kk)
        entry: dict = {"id": None, "new": None, "error": None, "warnings": []}
        if existing is not None:
            entry["id"] = existing["id"]
            changes = {
                f: wanted[f]
                for f in HOUSEHOLD_FROM_PERSON
                if wanted.get(f) not in (None, "")
                and not _same(existing[f], wanted[f])
                and not (f in KEEP_WHEN_EMPTY and wanted.get(f) in (None, ""))
            }
            if existing["old_number"]:
                entry["warnings"].append(
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
        elif wanted.get("rt") is None or (rw_required and wanted.get("rw") is None):
            entry["error"] = problem(
                _l(
                    "The family card %(kk)s has no RT or RW in this file, so its household "
                    "cannot be created.",
                    kk=kk,
                )
            )
        else:
            entry["new"] = len(plan.new_households)
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
            entry["warnings"].append(
                problem(_l("No head of family is listed for this family card in the file."))
            )
        state[kk] = entry
        return entry

    for row in rows():
        plan.counts["rows"] += 1
        v = row.values
        out = Outcome(REJECTED, target=v.get("name") or "")
        if row.errors:
            _emit(plan, emit, row, out)
            continue
        nik = v.get("nik")
        if nik and first_by_nik.get(nik) != row.number:
            out.errors.append(
                problem(
                    _l(
                        "The same NIK is already in row %(row)d of this file.",
                        row=first_by_nik[nik],
                    ),  # fmt: skip
                    None,
                )
            )
            plan.counts["duplicates_in_file"] += 1
            _emit(plan, emit, row, out)
            continue
        kk = v["kk_number"]
        family = families[kk]
        hh = household_state(kk)
        if hh["error"] is not None:
            out.errors.append(hh["error"])
            _emit(plan, emit, row, out)
            continue
        if row.number == family.first_row:
            out.warnings.extend(hh["warnings"])
        if v.get("relation") == "head" and family.heads > 1 and row.number != family.head_row:
            out.warnings.append(
                problem(_l("This family card has more than one head of family in the file."))
            )
        wanted = {f: v.get(f) for f in PERSON_COMPARED}
        wanted["name_norm"] = v.get("name_norm") or normalise_name(v["name"])
        wanted["nik_warning"] = v.get("nik_warning")
        existing = persons.get(nik) if nik else None
        if existing is None and not nik and hh["id"] is not None:
            match_key = (hh["id"], wanted["name_norm"], v.get("birth_date"))
            if match_key in seen_unnumbered:
                out.errors.append(
                    problem(_l("The same person (name and birth date) is twice in this file."))
                )
                plan.counts["duplicates_in_file"] += 1
                _emit(plan, emit, row, out)
                continue
            seen_unnumbered.add(match_key)
            existing = unnumbered.get(match_key)
        if existing is not None:
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
                _emit(plan, emit, row, out)
                continue
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
            changes = {
                f: wanted[f]
                for f in (*PERSON_COMPARED, "name_norm", "nik_warning")
                if not _same(existing[f], wanted[f])
                and not (f in KEEP_WHEN_EMPTY and wanted[f] in (None, ""))
            }
            moved = hh["id"] is None or existing["household_id"] != hh["id"]
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
            enrolled = existing["id"] in enrolled_persons or (
                wanted["relation"] == "head" and existing["household_id"] in enrolled_households
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
        if hh["id"] is not None and out.status != UNCHANGED:
            plan.touched_households.add(hh["id"])
        _emit(plan, emit, row, out)
    return plan


def _emit(plan: Plan, emit, row: Row, out: Outcome) -> None:
    if out.status == REJECTED or row.errors:
        out.status = REJECTED
        plan.counts["rejected"] += 1
    if row.warnings or out.warnings:
        plan.counts["rows_with_warnings"] += 1
    emit(row, out)


# ------------------------------------------------------------------ aid participants


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


def _active_external(today: date) -> dict[tuple, dict]:
    """Running national enrolments by (programme, "p" or "h", person or household id)."""
    found = {}
    active = or_(ExternalEnrolment.period_end.is_(None), ExternalEnrolment.period_end >= today)
    rows = db.session.execute(
        select(
            ExternalEnrolment.id,
            ExternalEnrolment.programme_code,
            ExternalEnrolment.person_id,
            ExternalEnrolment.household_id,
            ExternalEnrolment.period_start,
            ExternalEnrolment.period_end,
        ).where(active)
    )
    for row in rows:
        if row.person_id is not None:
            found[(row.programme_code, "p", row.person_id)] = dict(row._mapping)
        else:
            found[(row.programme_code, "h", row.household_id)] = dict(row._mapping)
    return found


def _households_by_national_id(ids: set[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(sorted(ids)):
        for hid, nid in db.session.execute(
            select(Household.id, Household.national_id).where(Household.national_id.in_(chunk))
        ):
            found[nid].append(hid)
    return found


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
        if target == vocab.TARGET_FAMILY:
            found = households.get(v["participant"])
            household_id = found["id"] if found else person["household_id"]
            ref = ("h", household_id)
        elif target == vocab.TARGET_HOUSEHOLD:
            ids = by_national.get(v["participant"]) or [person["household_id"]]
            household_id = ids[0]
            ref = ("h", household_id)
        else:
            household_id = person["household_id"]
            ref = ("p", person["id"])
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
        current = running.get((code, *ref))
        out.target = f"{v.get('name') or person['name']} · {label}"
        if current is None:
            out.status = NEW
            plan.new_external.append(
                {
                    "programme_code": code,
                    "person_id": ref[1] if ref[0] == "p" else None,
                    "household_id": ref[1] if ref[0] == "h" else None,
                    "period_start": period_start,
                    "period_end": period_end,
                    "source": source,
                }
            )
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
        if household_id is not None:
            plan.touched_households.add(household_id)
        _emit(plan, emit, row, out)
    return plan


# --------------------------------------------------------------------- poor households


def plan_rtm(rows: Callable[[], Iterable[Row]], emit, *, today: date) -> Plan:
    """Plan OpenSID's poor-household file: each member's household gets the number."""
    plan = Plan("rtm")
    niks = {row.values["nik"] for row in rows() if not row.errors}
    persons = _persons_by_nik(niks)
    household_ids = {p["household_id"] for p in persons.values() if p["household_id"]}
    current = {}
    for chunk in _chunks(sorted(household_ids)):
        for hid, nid in db.session.execute(
            select(Household.id, Household.national_id).where(Household.id.in_(chunk))
        ):
            current[hid] = nid
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
        targets: list[int] = []
        if v.get("kk_number") and v["kk_number"] in households:
            targets = [households[v["kk_number"]]["id"]]
        elif person is not None and person["household_id"]:
            targets = [person["household_id"]]
        elif v.get("national_id") in by_national:
            targets = by_national[v["national_id"]]
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
        changed = False
        for hid in targets:
            if hid in done_households:
                continue
            done_households[hid] = row.number
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
                plan.household_before.setdefault(hid, {}).update(
                    {f: current.get(f) for f in changes}
                )
                plan.counts["households_updated"] += 1
                plan.touched_households.add(hid)
                changed = True
            else:
                plan.counts["households_unchanged"] += 1
        for code, receives in v.get("programmes", {}).items():
            if not receives:
                continue
            ref = ("p", person["id"]) if person is not None else ("h", targets[0])
            if (code, *ref) in seen_enrolments:
                continue
            seen_enrolments.add((code, *ref))
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


# ------------------------------------------------------------------------ applying


class _AuditSink:
    """Audit entries, written in batches as they come (a roster makes 100,000 of them)."""

    def __init__(self, actor, summary: str):
        self.actor_id = getattr(actor, "id", None)
        self.actor_name = getattr(actor, "name", None)
        self.summary = mask_numbers(summary)[:300] if summary else None
        self.buffer: list[dict] = []
        self.now = utcnow()

    def add(self, action, object_type, object_id, *, before=None, after=None) -> None:
        self.buffer.append(
            {
                "at": self.now,
                "actor_id": self.actor_id,
                "actor_name": self.actor_name,
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id),
                "summary": self.summary,
                "before": _masked(before) if before else None,
                "after": _masked(after) if after else None,
                "ip": None,
            }
        )
        if len(self.buffer) >= 1000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            db.session.execute(insert(AuditEntry.__table__), self.buffer)
            self.buffer = []


def _masked(values: dict) -> dict:
    """`mask_numbers` for a flat dict, cheaper: only strings long enough to hold a NIK or
    KK number go through its regular expression (a roster makes 100,000 entries)."""
    out = {}
    for name, value in values.items():
        if isinstance(value, str):
            out[name] = mask_numbers(value) if len(value) >= 16 else value
        elif hasattr(value, "isoformat"):
            out[name] = value.isoformat()
        elif isinstance(value, dict | list | tuple):
            out[name] = mask_numbers(value)
        else:
            out[name] = value
    return out


def _insert_returning_ids(table, rows: list[dict], unique: str | None = None) -> list[int]:
    """INSERT many rows and return their ids in order.

    With a `unique` column (KK number, NIK) the rows go in as one executemany and the
    ids are looked up by that column afterwards: SQLite answers an ordered
    INSERT ... RETURNING one row per statement, 25 times slower for a roster. Rows
    without a value in it (people without a NIK) are inserted one by one.
    """
    ids: list[int | None] = [None] * len(rows)
    if unique is not None:
        keyed = [i for i, row in enumerate(rows) if row.get(unique)]
        _insert(table, [rows[i] for i in keyed])
        found: dict = {}
        column = table.c[unique]
        for chunk in _chunks([rows[i][unique] for i in keyed]):
            found.update(
                {
                    k: i
                    for i, k in db.session.execute(
                        select(table.c.id, column).where(column.in_(chunk))
                    )
                }  # fmt: skip
            )
        for i in keyed:
            ids[i] = found[rows[i][unique]]
    statement = table.insert().returning(table.c.id)
    for i, row in enumerate(rows):
        if ids[i] is None:
            ids[i] = db.session.execute(statement, row).scalar_one()
    return ids  # type: ignore[return-value]


def _insert(table, rows: list[dict]) -> None:
    for chunk in _chunks(rows, 1000):
        db.session.execute(table.insert(), chunk)


def _bulk_update(model, rows: list[dict]) -> None:
    """UPDATE by primary key, many rows per statement (each dict holds "id")."""
    for chunk in _chunks(rows, 1000):
        db.session.execute(update(model), chunk)


def apply(plan: Plan, *, actor, today: date, summary: str) -> None:
    """Make the plan's writes in the current transaction, with their audit entries.

    Rows go in with bulk INSERTs and UPDATEs by primary key (never one statement per
    row, never an ORM object per row); every created or changed record gets an audit
    entry, as the registry's own forms write them. The households touched are rescored
    at the end. Raises on any database error: the caller's transaction then leaves
    nothing behind.
    """
    audit = _AuditSink(actor, summary)
    now = utcnow()
    actor_id = getattr(actor, "id", None)
    kk_ids: dict[str, int] = {}

    if plan.new_households:
        rows = [
            {
                "kk_number": h["kk_number"],
                "rt": h["rt"],
                "rw": h["rw"],
                "address": h["address"],
                "dusun": h["dusun"],
                "created_at": now,
                "updated_at": now,
                "score": 0,
                "need_level": "tidak_prioritas",
                "aid_types": " ",
            }
            for h in plan.new_households
        ]
        ids = _insert_returning_ids(Household.__table__, rows, unique="kk_number")
        history = []
        for hid, h in zip(ids, plan.new_households, strict=True):
            kk_ids[h["kk_number"]] = hid
            plan.touched_households.add(hid)
            history.append(
                {
                    "household_id": hid,
                    "kk_number": h["kk_number"],
                    "valid_from": today,
                    "valid_to": None,
                    "reason": "import",
                    "recorded_by_id": actor_id,
                    "recorded_at": now,
                }
            )
            audit.add("create", "household", hid, after=h)
        _insert(KKNumber.__table__, history)

    if plan.household_changes:
        _bulk_update(
            Household,
            [{"id": hid, **changes, "updated_at": now} for hid, changes in
             plan.household_changes.items()],
        )  # fmt: skip
        for hid, changes in plan.household_changes.items():
            audit.add(
                "update", "household", hid, before=plan.household_before.get(hid), after=changes
            )

    wanted_kks = {p["household_kk"] for p in plan.new_persons}
    wanted_kks |= {p["household_kk"] for p in plan.person_changes if p["household_kk"]}
    for kk, found in _households_by_kk(wanted_kks - set(kk_ids)).items():
        kk_ids[kk] = found["id"]

    if plan.new_persons:
        rows = []
        for p in plan.new_persons:
            hid = kk_ids[p["household_kk"]]
            plan.touched_households.add(hid)
            rows.append(
                {
                    "nik": p["nik"],
                    **{f: p[f] for f in PERSON_COMPARED},
                    "name_norm": p["name_norm"],
                    "nik_warning": p["nik_warning"],
                    "household_id": hid,
                    "status_date": None,
                    "merged_into_id": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        ids = _insert_returning_ids(Person.__table__, rows, unique="nik")
        memberships = []
        for pid, row in zip(ids, rows, strict=True):
            memberships.append(
                {
                    "person_id": pid,
                    "household_id": row["household_id"],
                    "relation": row["relation"],
                    "start_date": today,
                    "end_date": None,
                    "start_reason": "import",
                    "end_reason": None,
                }
            )
            after = {f: row[f] for f in ("nik", *PERSON_COMPARED, "household_id")}
            audit.add("create", "person", pid, after=after)
        _insert(Membership.__table__, memberships)

    if plan.person_changes:
        updates, moved, relation_only = [], [], []
        for change in plan.person_changes:
            values = dict(change["changes"])
            target = kk_ids.get(change["household_kk"]) if change["household_kk"] else None
            if target is not None:
                values["household_id"] = target
                plan.touched_households.add(target)
                moved.append({"pid": change["id"], "hid": target, "rel": change["relation"]})
            elif "relation" in values:
                relation_only.append({"pid": change["id"], "rel": values["relation"]})
            updates.append({"id": change["id"], **values, "updated_at": now})
            before = dict(change["before"])
            if target is not None:
                before["household_id"] = change["old_household_id"]
            after = {k: v for k, v in values.items() if k != "name_norm"}
            audit.add(
                "move" if target is not None else "update",
                "person",
                change["id"],
                before=before,
                after=after,
            )
        _bulk_update(Person, updates)
        table = Membership.__table__
        open_row = and_(table.c.person_id == bindparam("pid"), table.c.end_date.is_(None))
        if moved:
            for chunk in _chunks(moved, 1000):
                db.session.execute(
                    table.update().where(open_row).values(end_date=today, end_reason="moved_out"),
                    chunk,
                )
            _insert(
                table,
                [
                    {
                        "person_id": m["pid"],
                        "household_id": m["hid"],
                        "relation": m["rel"],
                        "start_date": today,
                        "end_date": None,
                        "start_reason": "import",
                        "end_reason": None,
                    }
                    for m in moved
                ],
            )
        for chunk in _chunks(relation_only, 1000):
            db.session.execute(table.update().where(open_row).values(relation=bindparam("rel")),
                               chunk)  # fmt: skip

    if plan.new_external:
        rows = [{**e, "created_at": now, "updated_at": now} for e in plan.new_external]
        _insert(ExternalEnrolment.__table__, rows)
        # Each (programme, person, household) is new once in a plan, and `now` marks
        # this batch's rows: that finds their ids without one INSERT per row.
        found = {
            (r.programme_code, r.person_id, r.household_id): r.id
            for r in db.session.execute(
                select(
                    ExternalEnrolment.id,
                    ExternalEnrolment.programme_code,
                    ExternalEnrolment.person_id,
                    ExternalEnrolment.household_id,
                ).where(ExternalEnrolment.created_at == now)
            )
        }
        ids = [found[(e["programme_code"], e["person_id"], e["household_id"])]
               for e in plan.new_external]  # fmt: skip
        person_ids = [e["person_id"] for e in plan.new_external if e["person_id"] is not None]
        for chunk in _chunks(person_ids):
            plan.touched_households.update(
                hid
                for hid in db.session.scalars(
                    select(Person.household_id).where(Person.id.in_(chunk))
                )
                if hid is not None
            )
        for eid, e in zip(ids, plan.new_external, strict=True):
            audit.add("create", "external_enrolment", eid, after=e)
    if plan.external_changes:
        _bulk_update(
            ExternalEnrolment,
            [
                {"id": c["id"], "period_end": c["period_end"], "updated_at": now}
                for c in plan.external_changes
            ],
        )
        for c in plan.external_changes:
            audit.add(
                "update",
                "external_enrolment",
                c["id"],
                before={"period_end": c["before"]},
                after={"period_end": c["period_end"]},
            )
    audit.flush()
    rescore(plan.touched_households, today)
