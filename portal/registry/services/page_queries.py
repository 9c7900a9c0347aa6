"""The household page's queries, built once and shared with the duplicate finder."""

from __future__ import annotations

import functools

from sqlalchemy import Date, Select, String, bindparam, cast, literal_column, null, or_, select

from portal.programmes.models import Programme
from portal.registry.models import (
    Enrolment,
    ExternalEnrolment,
    KKNumber,
    Membership,
    Person,
)


@functools.cache
def _statements() -> dict[str, Select]:
    """The household page's queries, built once (building a statement costs more than
    running it here); the values come as parameters."""
    return {
        "namesakes": select(Person)
        .where(
            Person.merged_into_id.is_(None),
            Person.name_norm.in_(bindparam("names", expanding=True)),
            Person.birth_date.in_(bindparam("births", expanding=True)),
        )
        .order_by(Person.name_norm, Person.birth_date, Person.id),
    }


@functools.cache
def record_rows_statement():
    """The household page's rows besides the household itself, in one statement (UNION
    ALL; built once): the village enrolments ("v") and national ones ("n") of the
    household or naming one of its members, its membership history ("h"), its family
    card numbers ("k", the reason as `extra`), and every
    person not merged away with the name and the birth date of one of its members
    ("d", the namesakes the likely duplicates are found among). Each row: kind, id,
    household_id, person_id, code (the programme's name, the national programme, the
    joining reason, the normalised name), aid_type (village), extra (the source, the
    leaving reason), start and end (periods, membership dates, the birth date) and a
    person's name (the enrolment's person, the member, the namesake). Not ordered: the
    page sorts each kind as its own statement did."""
    household_id = bindparam("household_id")
    members = select(Person.id).where(Person.household_id == household_id).scalar_subquery()
    named = Person.__table__.alias("named")
    return _village(household_id, members, named).union_all(
        _national(household_id, members, named),
        _history(household_id, named),
        _kk_numbers(household_id, named),
        _namesakes(household_id, named),
    )


# record_rows_statement()'s branches, one a kind (their columns in the same order).
_TEXT, _DAY = cast(null(), String), cast(null(), Date)


def _village(household_id, members, named) -> Select:
    return (
        select(
            literal_column("'v'", String).label("kind"),
            Enrolment.id,
            Enrolment.household_id,
            Enrolment.person_id,
            Programme.name_id.label("code"),
            Programme.aid_type.label("aid_type"),
            _TEXT.label("extra"),
            Enrolment.period_start.label("start"),
            Enrolment.period_end.label("end"),
            named.c.name.label("name"),
        )
        .join(Programme, Programme.id == Enrolment.programme_id)
        .outerjoin(named, named.c.id == Enrolment.person_id)
        .where(or_(Enrolment.household_id == household_id, Enrolment.person_id.in_(members)))
    )


def _national(household_id, members, named) -> Select:
    return (
        select(
            literal_column("'n'", String),
            ExternalEnrolment.id,
            ExternalEnrolment.household_id,
            ExternalEnrolment.person_id,
            ExternalEnrolment.programme_code,
            _TEXT,
            ExternalEnrolment.source,
            ExternalEnrolment.period_start,
            ExternalEnrolment.period_end,
            named.c.name,
        )
        .outerjoin(named, named.c.id == ExternalEnrolment.person_id)
        .where(
            or_(
                ExternalEnrolment.household_id == household_id,
                ExternalEnrolment.person_id.in_(members),
            )
        )
    )


def _history(household_id, named) -> Select:
    return (
        select(
            literal_column("'h'", String),
            Membership.id,
            Membership.household_id,
            Membership.person_id,
            Membership.start_reason,
            _TEXT,
            Membership.end_reason,
            Membership.start_date,
            Membership.end_date,
            named.c.name,
        )
        .join(named, named.c.id == Membership.person_id)
        .where(Membership.household_id == household_id)
    )


def _namesakes(household_id, named) -> Select:
    # Every name with every birth date of the members (one index search on both
    # columns, as `namesakes`); the page keeps only the exact pairs.
    dated = (
        Person.household_id == household_id,
        Person.merged_into_id.is_(None),
        Person.birth_date.is_not(None),
    )
    return select(
        literal_column("'d'", String),
        named.c.id,
        named.c.household_id,
        cast(null(), named.c.id.type),
        named.c.name_norm,
        _TEXT,
        _TEXT,
        named.c.birth_date,
        _DAY,
        named.c.name,
    ).where(
        named.c.merged_into_id.is_(None),
        named.c.name_norm.in_(select(Person.name_norm).where(*dated)),
        named.c.birth_date.in_(select(Person.birth_date).where(*dated)),
    )


def _kk_numbers(household_id, named) -> Select:
    return select(
        literal_column("'k'", String),
        KKNumber.id,
        KKNumber.household_id,
        cast(null(), named.c.id.type),
        KKNumber.kk_number,
        _TEXT,
        KKNumber.reason,
        KKNumber.valid_from,
        KKNumber.valid_to,
        _TEXT,
    ).where(KKNumber.household_id == household_id)
