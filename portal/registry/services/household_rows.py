"""A household and its members read as plain rows, for pages that only show them.

The household page read the household as a record with its members joined through the
ORM (some 450 Python calls: identity map, loader, instrumented attributes); it reads
the same columns in one statement built once and shows them from plain objects that
answer the same attributes and the model's own properties (`criteria`, `head`,
`rt_rw`, `aid_type_list`, `age_on`), in the relationship's order (Person.id).
"""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, select

from portal.database import read
from portal.extensions import db
from portal.registry.models import Household, Person
from portal.registry.services.common import HOUSEHOLD_FIELDS

HOUSEHOLD_COLUMNS = (
    "id",
    *HOUSEHOLD_FIELDS,
    "score",
    "need_level",
    "aid_types",
)
PERSON_COLUMNS = (
    "id",
    "nik",
    "name",
    "name_norm",
    "sex",
    "birth_place",
    "birth_date",
    "relation",
    "disability",
    "occupation",
    "education",
    "status",
    "status_date",
    "household_id",
    "nik_warning",
    "merged_into_id",
)


class PlainPerson:
    """A member's columns (PERSON_COLUMNS) with Person's own methods."""

    age_on = Person.age_on
    is_alive_resident = vars(Person)["is_alive_resident"]

    def __init__(self, values):
        self.__dict__.update(values)


class PlainHousehold:
    """A household's columns (HOUSEHOLD_COLUMNS), `members` (PlainPerson, by id, merged
    records included as the relationship has them) and Household's own properties."""

    criteria = vars(Household)["criteria"]
    aid_type_list = vars(Household)["aid_type_list"]
    head = vars(Household)["head"]
    rt_rw = vars(Household)["rt_rw"]

    def __init__(self, values, members: list[PlainPerson]):
        self.__dict__.update(values)
        self.members = members


@functools.cache
def _household_statement():
    household, person = Household.__table__.c, Person.__table__.c
    return (
        select(
            *(household[name] for name in HOUSEHOLD_COLUMNS),
            *(person[name].label(f"p_{name}") for name in PERSON_COLUMNS),
        )
        .select_from(Household.__table__)
        .outerjoin(Person.__table__, person.household_id == household.id)
        .where(household.id == bindparam("household_id"))
        .order_by(person.id)
    )


def plain_household(household_id: int) -> PlainHousehold | None:
    """The household `household_id` with its members, as plain objects (one statement),
    or None when there is none."""
    rows = read(db.session, _household_statement(), {"household_id": household_id}).all()
    if not rows:
        return None
    split = len(HOUSEHOLD_COLUMNS)
    members = [
        PlainPerson(zip(PERSON_COLUMNS, row[split:], strict=True))
        for row in rows
        if row[split] is not None
    ]
    return PlainHousehold(zip(HOUSEHOLD_COLUMNS, rows[0][:split], strict=True), members)


class HouseholdFields:
    """A household's own columns (`id` and HOUSEHOLD_FIELDS) and nothing else: what its
    edit form's GET reads of the record. The form is filled from the attributes the
    record has (WTForms asks `hasattr` for each field's name), so this object has just
    those of Household's columns, and no field of the form that is not a column
    (`kk_reason`) gets a value from it."""

    def __init__(self, values):
        self.__dict__.update(values)


FORM_COLUMNS = ("id", *HOUSEHOLD_FIELDS)


@functools.cache
def _fields_statement():
    household = Household.__table__.c
    return select(*(household[name] for name in FORM_COLUMNS)).where(
        household.id == bindparam("household_id")
    )


def household_fields(household_id: int) -> HouseholdFields | None:
    """The household `household_id`'s own columns as a plain object (one statement), or
    None when there is none: the edit form's GET, where loading the record through the
    ORM (identity map, loader, instrumented attributes) cost some 320 Python calls."""
    row = read(db.session, _fields_statement(), {"household_id": household_id}).first()
    return None if row is None else HouseholdFields(zip(FORM_COLUMNS, row, strict=True))
