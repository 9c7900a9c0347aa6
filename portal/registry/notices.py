"""The registry tells the notify service which phones belong to households: the phones
of the verified resident accounts whose person lives there now (the registry itself
keeps no phone numbers)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.notify import hooks
from portal.registry.models import Membership


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


def register() -> None:
    hooks.register_household_phones(household_phones)
