"""Demo residents: a few verified accounts linked to people of the demo registry, with
known phone numbers and random passwords (printed with the staff logins), so that the
ballots, surveys and proposals can be tried at once. The caller commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.services import create_user, generate_password
from portal.extensions import db
from portal.models_base import utcnow, village_today
from portal.registry.models import Membership, Person

# Phone numbers of the demo residents, as they would type them.
PHONES = ("0812-7000-0001", "0812-7000-0002", "0812-7000-0003", "0812-7000-0004")


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
    return logins
