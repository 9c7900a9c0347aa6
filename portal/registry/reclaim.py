"""Taking an identity back at the village office.

When someone verified an account as a neighbour (they held the family card, or copied
the proof), the real owner comes to the office. An operator checks their identity card
(KTP) and family card in person and moves the registry person's link to the owner's
account. In one transaction:

- the other account loses its verification (status "rejected", with the operator's
  reason, which that account reads);
- what it did under that identity is undone by the features that keep it: they listen
  to `identity_revoked` (portal/accounts/identity.py; the registry is a lower layer
  than they are, so it never imports them) and return `Note`s of what they did
  (participation strikes the votes and supports, training moves the course places in
  the person's name to the owner's account);
- the owner's account is verified as the person;
- both accounts get an audit entry, the first one listing the notes.

A handler changes rows in the session it is given and never commits; if anything
fails, nothing of it is kept.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts import residents
from portal.accounts.identity import Note, Revocation, identity_revoked
from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.accounts.residents import ResidentError
from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.registry.models import Person


@dataclass
class Reclaimed:
    owner: User
    previous_id: int | None
    notes: list[Note]


LINKED_ELSEWHERE = _l("This account is verified as another person.")


def linked_people(person_ids: list[int], except_user_id: int | None = None) -> set[int]:
    """Which of these registry people another account is verified as (for staff)."""
    if not person_ids:
        return set()
    stmt = select(User.person_id).where(User.person_id.in_(person_ids))
    if except_user_id is not None:
        stmt = stmt.where(User.id != except_user_id)
    return set(db.session.scalars(stmt))


def _check(person: Person | None, owner: User | None, reason: str) -> None:
    if not reason:
        raise ResidentError(_l("Please give a reason; the other account reads it."), "reason")
    if owner is None or owner.role != "resident" or owner.deleted_at is not None:
        raise ResidentError(_l("Choose a resident's account."))
    if person is None or person.merged_into_id is not None or person.status != "alive":
        raise ResidentError(_l("Choose a living person who is not merged away."), "person_id")
    if owner.person_id == person.id:
        raise ResidentError(_l("This account is already verified as this person."), "person_id")
    if owner.is_verified:
        raise ResidentError(LINKED_ELSEWHERE, "person_id")


def _revoke(holder: User, person: Person, owner_id: int, reason: str, actor, ip) -> list[Note]:
    """Take the person away from `holder` and let the features undo what it did."""
    before = {"status": holder.verification_status, "person_id": holder.person_id}
    holder.person_id = None
    holder.nik = None
    holder.claimed_nik = None
    holder.birth_date = None
    holder.verification_status = "rejected"
    holder.verified_at = None
    holder.verification_note = reason[:300]
    db.session.flush()  # the unique link is free before the owner takes it
    revocation = Revocation(user_id=holder.id, person_id=person.id, new_user_id=owner_id)
    notes: list[Note] = []
    for _receiver, result in identity_revoked.send(
        current_app._get_current_object(), revocation=revocation
    ):
        notes.extend(result or [])
    record(
        "identity_revoked",
        "user",
        holder.id,
        actor=actor,
        ip=ip,
        summary=f"registry person {person.id} given to account {owner_id}: {reason}",
        before=before,
        after={"status": "rejected", "person_id": None, "undone": [n.audit for n in notes]},
    )
    return notes


def _link(person_id: int, owner: User, reason: str, actor, ip) -> tuple[int | None, list[Note]]:
    """Inside the caller's write transaction: take the person from whoever holds it and
    verify `owner` as them. Returns (the previous holder's id, the features' notes)."""
    person = db.session.get(Person, person_id)
    _check(person, owner, reason)
    holder = db.session.scalars(
        select(User).where(User.person_id == person_id).with_for_update()
    ).first()
    notes: list[Note] = []
    previous_id = holder.id if holder is not None else None
    if holder is not None:
        notes = _revoke(holder, person, owner.id, reason, actor, ip)
    before = {"status": owner.verification_status, "person_id": owner.person_id}
    now = utcnow()
    owner.person_id = person_id
    owner.nik = person.nik
    owner.claimed_nik = None
    owner.birth_date = person.birth_date
    owner.verification_status = "verified"
    owner.verified_at = now
    owner.verification_requested_at = owner.verification_requested_at or now
    owner.verification_note = None
    taken = f", taken from account {previous_id}" if previous_id is not None else ""
    record(
        "identity_reclaimed",
        "user",
        owner.id,
        actor=actor,
        ip=ip,
        summary=f"identity card checked at the office: linked to registry person {person_id}"
        + taken,
        before=before,
        after={"status": "verified", "person_id": person_id},
    )
    return previous_id, notes


RACE = _l("The registry changed at this moment; please try again.")


def reclaim_identity(
    person: Person, owner: User, *, actor: User, reason: str, ip: str | None = None
) -> Reclaimed:
    """Link `person` to `owner` after the office checked the KTP in person. Commits.

    If another account holds the person, it loses the verification and what it did
    under it (see the module's text). Raises ResidentError(field=...) for a missing
    reason, an account that is not a resident's or is verified as someone else, or a
    person who is merged away or not living.
    """
    reason = " ".join((reason or "").split())
    _check(person, owner, reason)
    person_id, owner_id = person.id, owner.id
    try:
        with write_transaction(db.session):
            owner = db.session.get(User, owner_id, populate_existing=True, with_for_update=True)
            previous_id, notes = _link(person_id, owner, reason, actor, ip)
    except IntegrityError:
        # Another account took the NIK or the person at this very moment: try again.
        raise ResidentError(RACE, "person_id") from None
    return Reclaimed(owner=owner, previous_id=previous_id, notes=notes)


def assisted_take_back(
    person: Person,
    *,
    name: str | None,
    phone: str | None,
    email: str | None,
    locale: str,
    actor: User,
    reason: str,
    ip: str | None = None,
) -> tuple[Reclaimed, str]:
    """The owner has no account yet: the office makes one (as the assisted sign-up does)
    and gives it the person in the same transaction. Returns what was done and the
    one-time code to hand over. Commits; raises ResidentError(field=...)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ResidentError(_l("Please give a reason; the other account reads it."), "reason")
    if person is None or person.merged_into_id is not None or person.status != "alive":
        raise ResidentError(_l("Choose a living person who is not merged away."), "person_id")
    phone, email = residents.clean_contact(phone, email)
    person_id = person.id
    try:
        with write_transaction(db.session):
            if phone and residents.taken(User.phone, phone):
                raise ResidentError(residents.PHONE_TAKEN, "phone")
            if email and residents.taken(User.email, email):
                raise ResidentError(residents.EMAIL_TAKEN, "email")
            owner = User(
                name=" ".join((name or person.name).split())[:120],
                role="resident",
                phone=phone,
                email=email,
                locale=locale if locale in residents.LANGUAGES else "id",
                # Nobody knows this password: the resident sets one with the code.
                password_hash=hash_password(secrets.token_urlsafe(24)),
            )
            db.session.add(owner)
            db.session.flush()
            code = residents.issue_code(owner, actor, utcnow())
            record(
                "resident_assisted_signup",
                "user",
                owner.id,
                actor=actor,
                ip=ip,
                summary=f"registered at the office to take back registry person {person_id}",
            )
            previous_id, notes = _link(person_id, owner, reason, actor, ip)
    except IntegrityError as error:
        field = residents.duplicate_field(error)
        if field == "phone":
            raise ResidentError(residents.PHONE_TAKEN, "phone") from None
        if field == "email":
            raise ResidentError(residents.EMAIL_TAKEN, "email") from None
        raise ResidentError(RACE, "person_id") from None
    return Reclaimed(owner=owner, previous_id=previous_id, notes=notes), code
