"""Residents: who they are in the registry.

Shared by the features that act for a resident (ballots, surveys, proposals, training,
self-check): ask here, not in the registry tables directly.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.registry.models import Membership


def household_id_for(user: User) -> int | None:
    """The household the resident lives in now, or None if they are not verified or
    the registry has no open membership for them."""
    if not user.is_verified or user.person_id is None:
        return None
    return db.session.scalar(
        select(Membership.household_id).where(
            Membership.person_id == user.person_id, Membership.end_date.is_(None)
        )
    )
