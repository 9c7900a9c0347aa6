"""The household page's queries, built once and shared with the duplicate finder."""

from __future__ import annotations

import functools

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import joinedload

from portal.registry.models import Enrolment, ExternalEnrolment, Household, Membership, Person


@functools.cache
def _statements() -> dict[str, Select]:
    """The household page's queries, built once (building a statement costs more than
    running it here); the values come as parameters."""
    household_id = bindparam("household_id")
    member_ids = bindparam("member_ids", expanding=True)
    return {
        "household": select(Household)
        .where(Household.id == household_id)
        # Both collections joined (a household has a few members and KK numbers): one
        # statement, not a second for the KK history.
        .options(joinedload(Household.members), joinedload(Household.kk_history)),
        "village": select(Enrolment)
        .where(or_(Enrolment.household_id == household_id, Enrolment.person_id.in_(member_ids)))
        .options(joinedload(Enrolment.programme))
        .order_by(Enrolment.period_start.desc(), Enrolment.id),
        "national": select(ExternalEnrolment)
        .where(
            or_(
                ExternalEnrolment.household_id == household_id,
                ExternalEnrolment.person_id.in_(member_ids),
            )
        )
        .order_by(ExternalEnrolment.period_start.desc(), ExternalEnrolment.id),
        # Plain rows: the page shows these columns and the person's name.
        "history": select(
            Membership.id,
            Membership.person_id,
            Membership.start_date,
            Membership.start_reason,
            Membership.end_date,
            Membership.end_reason,
            Person.name.label("person_name"),
        )
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.household_id == household_id)
        .order_by(Membership.start_date.desc(), Membership.id.desc()),
        "namesakes": select(Person)
        .where(
            Person.merged_into_id.is_(None),
            Person.name_norm.in_(bindparam("names", expanding=True)),
            Person.birth_date.in_(bindparam("births", expanding=True)),
        )
        .order_by(Person.name_norm, Person.birth_date, Person.id),
    }
