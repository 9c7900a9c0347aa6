"""The duplicate pair page's reads (/staf/registrasi/duplikat/<a>/<b>): both person
records with their households and the heads' names, and each one's enrolments, as
plain rows (the page only shows them; a decision reads the records again as records).

The records were ORM objects with their households joined (some 270 Python calls a
page for two people); `PairPerson` answers the same attributes from one row and
Person's own `age_on`, `PairHome` the household's with Household's own `rt_rw`.
"""

from __future__ import annotations

import functools

from sqlalchemy import Select, and_, bindparam, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from portal.database import read
from portal.extensions import db
from portal.programmes.models import Programme
from portal.registry.models import Enrolment, ExternalEnrolment, Household, Person
from portal.registry.services.household_rows import PERSON_COLUMNS

HOME_COLUMNS = ("id", "rt", "rw", "address", "kk_number")


class PairHome:
    """A person's household as the pair page shows it (HOME_COLUMNS, `rt_rw`)."""

    rt_rw = vars(Household)["rt_rw"]

    def __init__(self, values):
        self.__dict__.update(values)


class PairPerson:
    """A person record's columns (household_rows.PERSON_COLUMNS), `household` (a
    PairHome or None) and Person's own `age_on`."""

    age_on = Person.age_on

    def __init__(self, values, household: PairHome | None):
        self.__dict__.update(values)
        self.household = household


def pair_records(first: int, second: int) -> tuple[PairPerson | None, PairPerson | None, dict]:
    """The two person records (merged ones too) with their households and the name of
    each household's head (`Household.head`: the first member by id recorded as head
    and not merged), as {household id: name or None}: plain rows of one statement."""
    found, heads = {}, {}
    split, homes = len(PERSON_COLUMNS), len(PERSON_COLUMNS) + len(HOME_COLUMNS)
    rows = read(db.session, _pair_statement(), {"first": first, "second": second}).all()
    for row in rows:
        values = dict(zip(PERSON_COLUMNS, row[:split], strict=True))
        home = None
        if values["household_id"] is not None:
            home = PairHome(zip(HOME_COLUMNS, row[split:homes], strict=True))
            heads[home.id] = row[homes]
        found[values["id"]] = PairPerson(values, home)
    return found.get(first), found.get(second), heads


@functools.cache
def _pair_statement() -> Select:
    head = aliased(Person)
    head_name = (
        select(head.name)
        .where(
            head.household_id == Person.household_id,
            head.relation == "head",
            head.merged_into_id.is_(None),
        )
        .order_by(head.id)
        .limit(1)
        .scalar_subquery()
    )
    person, household = Person.__table__.c, Household.__table__.c
    return (
        select(
            *(person[name] for name in PERSON_COLUMNS),
            *(household[name].label(f"h_{name}") for name in HOME_COLUMNS),
            head_name.label("head_name"),
        )
        .select_from(Person)
        .outerjoin(Household, Household.id == Person.household_id)
        # Two plain parameters, not an expanding IN: its statement is written out anew
        # on every run (some 30 Python calls).
        .where(or_(Person.id == bindparam("first"), Person.id == bindparam("second")))
    )


def person_enrolments(person: Person) -> dict[str, list]:
    """The village and national enrolments that name this person, and those of their
    household as a whole, oldest first (for comparing two records): rows of what the
    comparison shows (`programme` is the village programme's name or the national
    programme's code; its period; `person_id`), from one statement built once (were
    two, and a third for the village programmes), run past the ORM (database.read)."""
    # Without a household, `household_id = NULL` matches nothing: only the person's own.
    values = {"person_id": person.id, "household_id": person.household_id}
    found: dict[str, list] = {"village": [], "national": []}
    for row in read(db.session, _enrolments_statement(), values).all():
        found["national" if row.national else "village"].append(row)
    return found


@functools.cache
def _enrolments_statement():
    person_id, household_id = bindparam("person_id"), bindparam("household_id")
    village = (
        select(
            literal(0).label("national"),
            Programme.name_id.label("programme"),
            Enrolment.period_start,
            Enrolment.period_end,
            Enrolment.person_id,
            Enrolment.id,
        )
        .join(Programme, Programme.id == Enrolment.programme_id)
        .where(
            or_(
                Enrolment.person_id == person_id,
                and_(Enrolment.person_id.is_(None), Enrolment.household_id == household_id),
            )
        )
    )
    national = select(
        literal(1).label("national"),
        ExternalEnrolment.programme_code.label("programme"),
        ExternalEnrolment.period_start,
        ExternalEnrolment.period_end,
        ExternalEnrolment.person_id,
        ExternalEnrolment.id,
    ).where(
        or_(
            ExternalEnrolment.person_id == person_id,
            and_(
                ExternalEnrolment.person_id.is_(None),
                ExternalEnrolment.household_id == household_id,
            ),
        )
    )
    both = union_all(village, national).subquery()
    return select(both).order_by(both.c.national, both.c.period_start, both.c.id)
