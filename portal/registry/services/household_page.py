"""The household page's record: members, enrolments and warnings read in a few statements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from portal.database import read
from portal.extensions import db
from portal.models_base import village_today
from portal.registry import scoring
from portal.registry.models import NATIONAL_PROGRAMMES
from portal.registry.services.common import NOT_LIVING
from portal.registry.services.duplicates import _pairs
from portal.registry.services.enrolment_warnings import Overlap, StaleEnrolment, _overlaps_in
from portal.registry.services.household_rows import PlainHousehold, plain_household
from portal.registry.services.page_queries import record_rows_statement
from portal.registry.services.stamp import kept


class VillageRow(NamedTuple):
    """A village enrolment as the page shows it (`person_name` None: the household)."""

    id: int
    household_id: int
    person_id: int | None
    programme_name: str
    aid_type: str
    period_start: date
    period_end: date | None
    person_name: str | None


class NationalRow(NamedTuple):
    """A national enrolment as the page shows it (`person_name` None: the household)."""

    id: int
    household_id: int | None
    person_id: int | None
    programme_code: str
    source: str | None
    period_start: date
    period_end: date | None
    person_name: str | None

    @property
    def aid_type(self) -> str:
        return NATIONAL_PROGRAMMES[self.programme_code][0]


class HistoryRow(NamedTuple):
    """A member joining (and leaving) the household."""

    id: int
    person_id: int
    start_date: date
    start_reason: str
    end_date: date | None
    end_reason: str | None
    person_name: str


class KKRow(NamedTuple):
    """A family card number the household carried (or carries: `valid_to` None)."""

    id: int
    kk_number: str
    reason: str
    valid_from: date
    valid_to: date | None


class NamesakeRow(NamedTuple):
    """A person with the name and birth date of a member (for the likely duplicates)."""

    id: int
    household_id: int | None
    name_norm: str
    birth_date: date
    name: str


@dataclass
class HouseholdRecord:
    """Everything the staff household page shows, read in a handful of queries."""

    household: PlainHousehold  # the household's columns and members, not a record
    assessment: scoring.Assessment
    enrolments: dict[str, list]
    warnings: dict[str, list]
    history: list  # rows: id, person_id, the dates and reasons, person_name
    kk_history: list  # KKRow, newest first


def household_record(household_id: int, today: date | None = None) -> HouseholdRecord | None:
    """The full record of one household for its staff page, or None when there is none.

    Read in two statements: the household with its members as plain rows
    (`household_rows.plain_household`, not records); then its KK history, the
    village enrolments of the household and of its members (with their programmes),
    the national ones, the likely duplicates and the membership history. The stale
    enrolments and overlaps of this one household are then worked out from those rows
    by the rules of `stale_enrolments()` and `overlaps()` (which answer the same in SQL
    for the whole village; a test holds the two together).
    """
    today = today or village_today()
    household = plain_household(household_id)
    if household is None:
        return None
    members = list(household.members)
    member_ids = [p.id for p in members]
    village_rows, national, history, kk_history, namesakes = _record_rows(household.id)
    village = [e for e in village_rows if e.household_id == household.id]
    keys = {
        (p.name_norm, p.birth_date) for p in members if p.birth_date and p.merged_into_id is None
    }
    warnings = {
        "stale": _household_stale(household, village_rows, national, today),
        "overlaps": _household_overlaps(household, member_ids, village, national, today),
        "nik": [p for p in members if p.nik_warning and p.merged_into_id is None],
        # `duplicates_of(household)` from the namesakes read with the rest.
        "duplicates": _pairs([p for p in namesakes if (p.name_norm, p.birth_date) in keys], 100),
        "no_head": [] if household.head else [household],
    }
    return HouseholdRecord(
        household=household,
        assessment=scoring.assess_household(household, today),
        enrolments={"village": village, "national": national},
        warnings=warnings,
        history=history,
        kk_history=kk_history,
    )


# The households one worker keeps for their page (all dropped when one more would pass).
KEPT_RECORDS = 256


def kept_household_record(household_id: int, today: date) -> HouseholdRecord | None:
    """`household_record(household_id, today)` for the household page: on SQLite this
    worker's copy while the registry is unchanged (`stamp.kept`; every opening of the page
    is still written to the audit log by the view). Read it, never change it."""
    return kept(
        "registry_household_records",
        (household_id, today),
        lambda: household_record(household_id, today),
        limit=KEPT_RECORDS,
    )


def _record_rows(household_id: int) -> tuple[list, list, list, list, list]:
    """The village and national enrolments, the membership history, the family card
    numbers and the namesakes of one household (`record_rows_statement`), each kind in
    the order its own statement (or relationship) gave."""
    kinds: dict[str, list] = {"v": [], "n": [], "h": [], "k": [], "d": []}
    # Fetched at once (.all(): one fetch, not some three Python calls a row).
    rows = read(db.session, record_rows_statement(), {"household_id": household_id}).all()
    for kind, id_, household, person, code, aid_type, extra, start, end, name in rows:
        if kind == "v":
            kinds["v"].append(VillageRow(id_, household, person, code, aid_type, start, end, name))
        elif kind == "n":
            kinds["n"].append(NationalRow(id_, household, person, code, extra, start, end, name))
        elif kind == "h":
            kinds["h"].append(HistoryRow(id_, person, start, code, end, extra, name))
        elif kind == "k":
            kinds["k"].append(KKRow(id_, code, extra, start, end))
        else:
            kinds["d"].append(NamesakeRow(id_, household, code, start, name))
    # Newest period first, then the oldest record (as the statements ordered them); the
    # history newest first; the namesakes by name, birth date and record.
    kinds["v"].sort(key=lambda e: (-e.period_start.toordinal(), e.id))
    kinds["n"].sort(key=lambda e: (-e.period_start.toordinal(), e.id))
    kinds["h"].sort(key=lambda m: (-m.start_date.toordinal(), -m.id))
    kinds["k"].sort(key=lambda k: (-k.valid_from.toordinal(), -k.id))
    kinds["d"].sort(key=lambda p: (p.name_norm, p.birth_date, p.id))
    return kinds["v"], kinds["n"], kinds["h"], kinds["k"], kinds["d"]


def _is_active(item, today: date) -> bool:
    return item.period_end is None or item.period_end >= today


def _household_stale(household, village, national, today) -> list[StaleEnrolment]:
    """`stale_enrolments(household.id)` from rows already read: `village` and `national`
    hold every enrolment of the household and every one naming a member."""
    out: list[StaleEnrolment] = []
    for rows, label in (
        (village, lambda e: e.programme_name),
        (national, lambda e: e.programme_code),
    ):
        # A person's own enrolments first, then the household's (the order SQLite gave).
        active = sorted(
            (e for e in rows if _is_active(e, today)), key=lambda e: (e.person_id is None, e.id)
        )
        for person in household.members:
            if person.status not in NOT_LIVING or person.merged_into_id is not None:
                continue
            for e in active:
                named = e.person_id == person.id
                as_head = (
                    e.person_id is None
                    and e.household_id == household.id
                    and person.relation == "head"
                )
                if named or as_head:
                    out.append(
                        StaleEnrolment(
                            person.id,
                            person.name,
                            person.status,
                            person.household_id,
                            label(e),
                            e.person_id is None,
                        )
                    )
    return out


def _household_overlaps(household, member_ids, village, national, today) -> list[Overlap]:
    """`overlaps(household.id)` from rows already read: the household's village
    enrolments, and the national ones of the household or of a member."""
    members = set(member_ids)
    entries: dict[tuple[int, str], list] = defaultdict(list)
    for e in sorted(village, key=lambda e: e.id):
        if _is_active(e, today):
            entries[(household.id, e.aid_type)].append(
                (e.period_start, e.period_end, e.person_id, e.programme_name)
            )
    for e in sorted(national, key=lambda e: e.id):
        # A national enrolment counts for its own household, else for its person's.
        ours = e.household_id == household.id or (e.household_id is None and e.person_id in members)
        if ours and _is_active(e, today):
            entries[(household.id, e.aid_type)].append(
                (e.period_start, e.period_end, e.person_id, e.programme_code)
            )
    return _overlaps_in(entries)
