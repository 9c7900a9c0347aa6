"""Demo residents: a few verified accounts linked to people of the demo registry, with
known phone numbers and random passwords (printed with the staff logins), so that the
ballots, surveys and proposals can be tried at once; and more verified neighbours, one
per household, whose passwords nobody knows, so that a ballot's turnout is measured
against a village rather than four people. The caller commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.accounts.services import create_user, generate_password
from portal.extensions import db
from portal.models_base import utcnow, village_today
from portal.registry.models import Membership, Person

# Phone numbers of the demo residents, as they would type them.
PHONES = ("0812-7000-0001", "0812-7000-0002", "0812-7000-0003", "0812-7000-0004")
# Verified neighbours with no login to print: at most one per household, up to this many.
NEIGHBOURS = 120


def _adults(count: int) -> list[Person]:
    """Living adults of the demo registry with a clean NIK and a current household."""
    cutoff = date(village_today().year - 18, 1, 1)
    linked = select(User.person_id).where(User.person_id.is_not(None))
    return list(
        db.session.scalars(
            select(Person)
            .join(Membership, (Membership.person_id == Person.id) & Membership.end_date.is_(None))
            .where(
                Person.status == "alive",
                Person.merged_into_id.is_(None),
                Person.nik.is_not(None),
                Person.nik_warning.is_(None),
                Person.birth_date < cutoff,
                Person.id.not_in(linked),
            )
            .order_by(Person.id)
            .limit(count)
        )
    )


def seed() -> list[tuple[str, str, str]]:
    """Add verified demo residents; returns their logins (role, phone, password)."""
    from portal.accounts.phones import normalise_phone

    logins = []
    now = utcnow()
    for phone, person in zip(PHONES, _adults(len(PHONES)), strict=False):
        password = generate_password()
        e164 = normalise_phone(phone)
        user = create_user(name=person.name, role="resident", password=password, phone=e164)
        user.locale = "id"
        user.nik = person.nik
        user.birth_date = person.birth_date
        user.person_id = person.id
        user.verification_status = "verified"
        user.verified_at = now
        user.verification_requested_at = now
        logins.append(("resident", e164, password))
    db.session.flush()
    _seed_neighbours(NEIGHBOURS)
    return logins


def _seed_neighbours(count: int) -> None:
    """Verified residents, one adult of each household not yet represented, sharing one
    hash of a password that is thrown away: accounts that count, and cannot log in."""
    now = utcnow()
    unusable = hash_password(generate_password())
    represented = set(
        db.session.scalars(
            select(Membership.household_id)
            .join(User, User.person_id == Membership.person_id)
            .where(Membership.end_date.is_(None))
        )
    )
    homes = dict(
        db.session.execute(
            select(Membership.person_id, Membership.household_id).where(
                Membership.end_date.is_(None)
            )
        ).all()
    )
    added = 0
    for person in _adults(count * 4):
        household = homes.get(person.id)
        if added == count or household is None or household in represented:
            continue
        represented.add(household)
        added += 1
        db.session.add(
            User(
                name=person.name,
                role="resident",
                phone=f"+62812710{added:05d}",
                password_hash=unusable,
                locale="id",
                nik=person.nik,
                birth_date=person.birth_date,
                person_id=person.id,
                verification_status="verified",
                verified_at=now,
                verification_requested_at=now,
            )
        )
    db.session.flush()
