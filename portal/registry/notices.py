"""The registry tells the notify service which phones belong to households: the phones
of the verified resident accounts whose person lives there now (the registry itself
keeps no phone numbers)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.notify import hooks
from portal.registry.models import Household, Membership, Person


def household_phones(household_ids: Iterable[int]) -> set[str]:
    """E.164 phones of the verified accounts living in these households now."""
    ids = sorted(set(household_ids))
    phones: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        phones.update(
            db.session.scalars(
                select(User.phone)
                .join(Membership, Membership.person_id == User.person_id)
                .where(
                    Membership.household_id.in_(chunk),
                    Membership.end_date.is_(None),
                    User.phone.is_not(None),
                    User.person_id.is_not(None),
                    User.verification_status == "verified",
                )
            )
        )
    return phones


def household_entries(household_ids: Iterable[int]) -> list[hooks.HouseholdEntry]:
    """The households with their RT/RW, head's name (or "") and phones, for the printed
    list of those no phone reaches."""
    ids = sorted(set(household_ids))
    entries = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        phones: dict[int, set[str]] = {}
        for household_id, phone in db.session.execute(
            select(Membership.household_id, User.phone)
            .join(User, User.person_id == Membership.person_id)
            .where(
                Membership.household_id.in_(chunk),
                Membership.end_date.is_(None),
                User.phone.is_not(None),
                User.verification_status == "verified",
            )
        ):
            phones.setdefault(household_id, set()).add(phone)
        heads = dict(
            db.session.execute(
                select(Person.household_id, Person.name).where(
                    Person.household_id.in_(chunk),
                    Person.relation == "head",
                    Person.merged_into_id.is_(None),
                )
            ).all()
        )
        for household_id, rt, rw in db.session.execute(
            select(Household.id, Household.rt, Household.rw).where(Household.id.in_(chunk))
        ):
            entries.append(
                hooks.HouseholdEntry(
                    household_id,
                    rt,
                    rw,
                    heads.get(household_id) or "",
                    frozenset(phones.get(household_id, ())),
                )
            )
    return entries


def register() -> None:
    hooks.register_household_phones(household_phones)
    hooks.register_household_entries(household_entries)
