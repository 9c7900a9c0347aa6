"""The household page's record: members, enrolments and warnings read in a few statements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from portal.extensions import db
from portal.models_base import village_today
from portal.registry import scoring
from portal.registry.models import Household
from portal.registry.services.common import NOT_LIVING
from portal.registry.services.duplicates import duplicates_of
from portal.registry.services.enrolment_warnings import Overlap, StaleEnrolment, _overlaps_in
from portal.registry.services.page_queries import _statements


@dataclass
class HouseholdRecord:
    """Everything the staff household page shows, read in a handful of queries."""

    household: Household
    assessment: scoring.Assessment
    enrolments: dict[str, list]
    warnings: dict[str, list]
    history: list  # rows: id, person_id, the dates and reasons, person_name


def household_record(household_id: int, today: date | None = None) -> HouseholdRecord | None:
    """The full record of one household for its staff page, or None when there is none.

    Read once: the household with its members and KK history, the
    village enrolments of the household and of its members (with their programmes),
    the national ones, the likely duplicates and the membership history. The stale
    enrolments and overlaps of this one household are then worked out from those rows
    by the rules of `stale_enrolments()` and `overlaps()` (which answer the same in SQL
    for the whole village; a test holds the two together).
    """
    today = today or village_today()
    statements = _statements()
    household = (
        db.session.scalars(statements["household"], {"household_id": household_id})
        .unique()
        .one_or_none()
    )
    if household is None:
        return None
    members = list(household.members)
    member_ids = [p.id for p in members]
    ids = {"household_id": household.id, "member_ids": member_ids}
    # Village enrolments of the household, and those naming a member wherever they are
    # booked (a member still enrolled elsewhere is a stale enrolment here too).
    village_rows = list(db.session.scalars(statements["village"], ids))
    national = list(db.session.scalars(statements["national"], ids))
    village = [e for e in village_rows if e.household_id == household.id]
    history = db.session.execute(statements["history"], ids).all()
    warnings = {
        "stale": _household_stale(household, village_rows, national, today),
        "overlaps": _household_overlaps(household, member_ids, village, national, today),
        "nik": [p for p in members if p.nik_warning and p.merged_into_id is None],
        "duplicates": duplicates_of(household),
        "no_head": [] if household.head else [household],
    }
    return HouseholdRecord(
        household=household,
        assessment=scoring.assess_household(household, today),
        enrolments={"village": village, "national": national},
        warnings=warnings,
        history=history,
    )


def _is_active(item, today: date) -> bool:
    return item.period_end is None or item.period_end >= today


def _household_stale(household, village, national, today) -> list[StaleEnrolment]:
    """`stale_enrolments(household.id)` from rows already read: `village` and `national`
    hold every enrolment of the household and every one naming a member."""
    out: list[StaleEnrolment] = []
    for rows, label in (
        (village, lambda e: e.programme.name_id),
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
            entries[(household.id, e.programme.aid_type)].append(
                (e.period_start, e.period_end, e.person_id, e.programme.name_id)
            )
    for e in sorted(national, key=lambda e: e.id):
        # A national enrolment counts for its own household, else for its person's.
        ours = e.household_id == household.id or (e.household_id is None and e.person_id in members)
        if ours and _is_active(e, today):
            entries[(household.id, e.aid_type)].append(
                (e.period_start, e.period_end, e.person_id, e.programme_code)
            )
    return _overlaps_in(entries)
