"""Residents' accounts matched with the registry's people (the registry side of
resident verification; accounts is the lower layer and never reads the registry).

- `parse_nik`: a typed NIK, cleaned and checked (portal/registry/validation.py);
- `household_id_for`: the household an account's person lives in now (features ask
  here, e.g. ballots and surveys per household);
- `candidates_for`, `search_people`: the registry people an operator compares a pending
  request with (/staf/warga, portal/registry/resident_manage.py);
- `approve_verification`: an operator links a pending account to a person;
- `assisted_signup`: an operator registers a resident at the office, verified at once.

The resident's own proof is checked in portal/registry/verification.py, the take-back
at the office in portal/registry/reclaim.py. Every staff decision is audited in the
same transaction; the sign-up rules themselves (contact, reset codes) stay in
portal/accounts/residents.py.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.accounts.phones import mask_phone
from portal.accounts.residents import (
    EMAIL_TAKEN,
    LANGUAGES,
    PHONE_TAKEN,
    ResidentError,
    clean_contact,
    duplicate_field,
    issue_code,
    taken,
)
from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.numbers import is_whole
from portal.registry.models import Membership, Person
from portal.registry.services import normalise_name
from portal.registry.validation import clean_number, decode_nik


def parse_nik(nik: str | None) -> str:
    """The NIK without spaces or dots, or ResidentError with what is wrong with it."""
    cleaned = clean_number(nik)
    check = decode_nik(cleaned)
    if check.errors:
        raise ResidentError(check.errors[0], "nik")
    return cleaned


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


def _person_taken(person_id: int, user_id: int) -> bool:
    return taken(User.person_id, person_id, exclude_id=user_id)


def candidates_for(user: User, q: str | None = None, limit: int = 20) -> list[Person]:
    """Registry people an operator may compare a pending resident with.

    The person with the NIK the resident gave, people born on the same day whose name
    starts like theirs, and, when `q` is given, people whose canonical name starts with
    each of its words (or whose NIK starts with it, at least 8 digits).
    """
    conds = []
    if user.given_nik:
        conds.append(Person.nik == user.given_nik)
    words = normalise_name(user.name).split()
    if user.birth_date is not None and words:
        conds.append(
            and_(Person.birth_date == user.birth_date, Person.name_norm.startswith(words[0]))
        )
    found = _typed_search(q)
    if found is not None:
        conds.append(found)
    if not conds:
        return []
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.merged_into_id.is_(None), or_(*conds))
            .order_by(Person.name_norm, Person.id)
            .limit(limit)
        )
    )


def _typed_search(q: str | None):
    """A condition for what an operator typed: NIK digits (8 or more) or name words."""
    q = (q or "").strip()[:100]
    if not q:
        return None
    digits = clean_number(q)
    if is_whole(digits) and len(digits) >= 8:
        return Person.nik.startswith(digits)
    typed = normalise_name(q).split()[:4]
    if not typed:
        return None
    return and_(*[Person.name_norm.contains(w) for w in typed])


def search_people(q: str | None, limit: int = 20) -> list[Person]:
    """Registry people (not merged away) matching a NIK prefix or name words."""
    found = _typed_search(q)
    if found is None:
        return []
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.merged_into_id.is_(None), found)
            .order_by(Person.name_norm, Person.id)
            .limit(limit)
        )
    )


def approve_verification(user: User, person: Person, *, actor: User, ip: str | None = None) -> None:
    """An operator confirms a resident as `person` of the registry. Commits.

    The account takes the person's NIK and birth date (the registry is the reference).
    Refused when the person is merged away or already linked to another account.
    """
    if user.role != "resident" or user.deleted_at is not None:
        raise ResidentError(_l("Only resident accounts are verified."))
    if person.merged_into_id is not None:
        raise ResidentError(_l("This record was merged into another; choose that one."))
    user_id, person_id = user.id, person.id
    try:
        with write_transaction(db.session):
            # The account's row locked (PostgreSQL; SQLite: BEGIN IMMEDIATE) and read
            # afresh: of a rejection and an approval at once, the second sees the first.
            user = db.session.get(User, user_id, populate_existing=True, with_for_update=True)
            person = db.session.get(Person, person_id)
            if user.verification_status != "pending":
                raise ResidentError(_l("This request was already decided."))
            nik = person.nik or user.claimed_nik
            if _person_taken(person_id, user_id) or (nik and taken(User.nik, nik, user_id)):
                raise ResidentError(
                    _l("This person is already linked to another account."), "person_id"
                )
            before = {"status": user.verification_status, "person_id": user.person_id}
            now = utcnow()
            user.nik = nik
            user.claimed_nik = None
            user.birth_date = person.birth_date or user.birth_date
            user.person_id = person_id
            user.verification_status = "verified"
            user.verified_at = now
            user.verification_note = None
            record(
                "resident_verification_approved",
                "user",
                user_id,
                actor=actor,
                ip=ip,
                summary=f"linked to registry person {person_id}",
                before=before,
                after={"status": "verified", "person_id": person_id},
            )
    except IntegrityError:
        raise ResidentError(
            _l("This person is already linked to another account."), "person_id"
        ) from None


@dataclass
class AssistedSignup:
    user: User
    code: str


def assisted_signup(
    *,
    person: Person,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    locale: str = "id",
    actor: User,
    ip: str | None = None,
    now: datetime | None = None,
) -> AssistedSignup:
    """An operator registers a resident who came to the office, verified at once as
    `person`. Returns the account and a one-time reset code to hand over (the resident
    sets their own password with it). Commits; raises ResidentError(field=...)."""
    if person.merged_into_id is not None or person.status != "alive":
        raise ResidentError(_l("Choose a living person who is not merged away."), "person_id")
    phone, email = clean_contact(phone, email)
    name = " ".join((name or person.name).split())[:120]
    now = now or utcnow()
    person_id = person.id
    try:
        with write_transaction(db.session):
            person = db.session.get(Person, person_id)
            if taken(User.person_id, person_id) or (person.nik and taken(User.nik, person.nik)):
                raise ResidentError(
                    _l(
                        "This person is already linked to another account. If the resident "
                        "in front of you is the owner, check their identity card and take "
                        "the identity back (below)."
                    ),
                    "person_id",
                )
            if phone and taken(User.phone, phone):
                raise ResidentError(PHONE_TAKEN, "phone")
            if email and taken(User.email, email):
                raise ResidentError(EMAIL_TAKEN, "email")
            user = User(
                name=name,
                role="resident",
                phone=phone,
                email=email,
                locale=locale if locale in LANGUAGES else "id",
                # Nobody knows this password: the resident sets one with the code.
                password_hash=hash_password(secrets.token_urlsafe(24)),
                nik=person.nik,
                birth_date=person.birth_date,
                person_id=person_id,
                verification_status="verified",
                verified_at=now,
                verification_requested_at=now,
            )
            db.session.add(user)
            db.session.flush()
            code = issue_code(user, actor, now)
            record(
                "resident_assisted_signup",
                "user",
                user.id,
                actor=actor,
                ip=ip,
                summary=f"registered at the office, linked to registry person {person_id}",
                after={"person_id": person_id, "phone": mask_phone(phone)},
            )
    except IntegrityError as error:
        field = duplicate_field(error)
        if field == "phone":
            raise ResidentError(PHONE_TAKEN, "phone") from None
        if field == "email":
            raise ResidentError(EMAIL_TAKEN, "email") from None
        raise ResidentError(
            _l("This person is already linked to another account."), "person_id"
        ) from None
    return AssistedSignup(user=user, code=code)


def record_pending_view(user: User, *, actor: User, ip: str | None = None) -> None:
    """A staff member opened a waiting resident's page (their NIK and birth date are on
    it): audited. Commits."""
    record("resident_verification_viewed", "user", user.id, actor=actor, ip=ip)
    db.session.commit()
