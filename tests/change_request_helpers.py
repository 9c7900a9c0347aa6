"""Factories for change-request tests: a household with members and a verified
resident living in it."""

from __future__ import annotations

from datetime import date

from portal.extensions import db
from portal.models_base import utcnow
from tests import registry_helpers as rh


def verified_resident(make_user, person, **fields):
    """A resident account verified as `person` (as approve_verification leaves it)."""
    user = make_user("resident", **fields)
    user.person_id = person.id
    user.nik = person.nik
    user.birth_date = person.birth_date
    user.verification_status = "verified"
    user.verified_at = utcnow()
    db.session.commit()
    return user


def family(address="Jl. Melati 3", rt=2, rw=1, **bps):
    """A household: a head, a wife and a child; returns (household, head, wife, child)."""
    home = rh.household(address=address, rt=rt, rw=rw, **bps)
    head = rh.person(home, "Budi Santoso", date(1980, 5, 17))
    wife = rh.person(home, "Siti Aminah", date(1983, 2, 1), sex="female", relation="wife")
    child = rh.person(home, "Agus Santoso", date(2010, 7, 9), relation="child")
    return home, head, wife, child
