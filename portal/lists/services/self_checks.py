"""The resident's self-check: listed or not listed, nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.lists.models import ListPeriod, ListVersion, ListVersionRow
from portal.lists.services.objections import objections_open
from portal.lists.services.versions import current_lists
from portal.models_base import village_today
from portal.numbers import is_whole
from portal.registry.models import Person
from portal.registry.services import normalise_name


@dataclass(frozen=True)
class Due:
    period: ListPeriod
    version: ListVersion
    # For the notes other features add to the answer (lists/hooks.py); never shown.
    household_id: int | None = None


def self_check(nik: str, name: str, today: date | None = None) -> list[Due]:
    """The current published lists that include the household of the person with this
    NIK and name. Empty when there is none, when the NIK is unknown, and when the name
    does not match: the caller must answer all three the same way.

    Nothing is logged or audited here: the NIK never leaves this function.
    """
    nik = "".join(ch for ch in (nik or "") if is_whole(ch))
    if len(nik) != 16 or not normalise_name(name):
        return []
    person = db.session.scalar(
        select(Person).where(Person.nik == nik, Person.merged_into_id.is_(None))
    )
    if person is None or person.household_id is None or person.status != "alive":
        return []
    if person.name_norm != normalise_name(name):
        return []
    out = []
    for period, version in current_lists(today):
        found = db.session.scalar(
            select(ListVersionRow.id).where(
                ListVersionRow.version_id == version.id,
                ListVersionRow.household_id == person.household_id,
            )
        )
        if found:
            out.append(Due(period, version, person.household_id))
    return out


def open_for_objection(today: date | None = None) -> list[tuple[ListPeriod, ListVersion]]:
    today = today or village_today()
    return [(p, v) for p, v in current_lists(today) if objections_open(v, today)]
