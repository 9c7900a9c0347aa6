"""A resident proves who they are: what the registry holds and a stranger does not.

The birth date is written inside the NIK itself (digits 7-12, the day plus 40 for
women), so NIK + birth date proves nothing: anyone who has seen a neighbour's NIK (on a
photocopied family card, a form, a list) can work it out. Verification at once asks
for more: the number of the family card (KK) the person's household holds now, and the
mother's name as the civil registry (SIAK) records it, both compared with the registry.
Only an exact match (names compared in the registry's canonical spelling,
`normalise_name`) for a living, unmerged person not linked to another account verifies
the account; anything else sends the request to the operators' queue, where the
resident is asked to come to the office with their KTP and KK.

The answer does not tell a stranger anything about the registry: an unknown NIK, a
known NIK with wrong proof, and a NIK already linked to another account all get the
same "waiting for the village office" (no error naming the NIK as taken). A pending
claim keeps its NIK in `User.claimed_nik`, which is not unique, so it never blocks the
real owner; only the verified link is unique (`person_id`, `nik`).

Residual risk: someone who holds the family card or a copy of it (a relative, or anyone
a photocopy passed through) can still pass. The real owner then takes the identity
back at the office (portal/registry/reclaim.py); a village where such copies are
common can turn instant verification off (VERIFY_AT_ONCE=0): then every request waits
for the office's check of the KTP.

The registry registers `verify_resident` with accounts at app setup (`register`,
portal/accounts/identity.py): the resident's page /akun/verifikasi calls it there.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.accounts.residents import ResidentError
from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow, village_today
from portal.registry.models import Household, Person
from portal.registry.residents import parse_nik
from portal.registry.validation import check_kk, clean_number

# Why a request was not verified at once: for the audit log (staff) only, never for
# the resident's page.
UNKNOWN, NOT_PROVEN, LINKED = "nik_unknown", "proof_differs", "linked_elsewhere"
OFFICE_ONLY = "office_check_only"


def _same_name(recorded: str | None, typed: str) -> bool:
    from portal.registry.services import normalise_name

    if not recorded:
        return False
    canonical = normalise_name(typed)
    return bool(canonical) and normalise_name(recorded) == canonical


def _proven_person(nik: str, birth_date: date, kk: str, mother: str) -> tuple[Person | None, str]:
    """The registry person the proof points at, or None and why not (for the audit)."""
    person = db.session.scalars(
        select(Person).where(
            Person.nik == nik, Person.merged_into_id.is_(None), Person.status == "alive"
        )
    ).first()
    if person is None:
        return None, UNKNOWN
    household = db.session.get(Household, person.household_id) if person.household_id else None
    proven = (
        person.birth_date == birth_date
        and household is not None
        and household.kk_number == kk
        and _same_name(person.mother_name, mother)
    )
    return (person, "") if proven else (None, NOT_PROVEN)


def _checked_input(nik, birth_date, kk_number, mother_name) -> tuple[str, date, str, str]:
    """The typed proof, cleaned; ResidentError beside the first field at fault."""
    nik = parse_nik(nik)
    if birth_date is None:
        raise ResidentError(_l("Please fill in this field."), "birth_date")
    if birth_date > village_today() or birth_date.year < 1900:
        raise ResidentError(_l("This birth date is not possible."), "birth_date")
    kk = clean_number(kk_number)
    if not kk:
        raise ResidentError(_l("Please fill in this field."), "kk_number")
    problems = check_kk(kk)
    if problems:
        raise ResidentError(problems[0], "kk_number")
    mother = " ".join((mother_name or "").split())[:120]
    if not mother:
        raise ResidentError(_l("Please fill in this field."), "mother_name")
    return nik, birth_date, kk, mother


def _taken_by_other(column, value, user_id: int) -> bool:
    stmt = select(User.id).where(column == value, User.id != user_id).limit(1)
    return db.session.scalar(stmt) is not None


def _queue(user: User, nik: str, birth_date: date, why: str, ip: str | None) -> None:
    """Put the request in the operators' queue (inside the caller's transaction)."""
    user.nik = None
    user.claimed_nik = nik
    user.birth_date = birth_date
    user.person_id = None
    user.verification_status = "pending"
    user.verified_at = None
    user.verification_note = None
    user.verification_requested_at = utcnow()
    record(
        "resident_verification_requested",
        "user",
        user.id,
        actor=user,
        ip=ip,
        summary=f"not verified at once ({why}): waiting for an operator",
    )


def verify_resident(
    user: User,
    nik: str | None,
    birth_date: date | None,
    kk_number: str | None,
    mother_name: str | None,
    *,
    ip: str | None = None,
) -> str:
    """Check a resident's proof against the registry. Commits.

    Returns "verified" (NIK, birth date, the household's current KK number and the
    mother's name all match a living, unmerged person no other account holds: the
    account is linked to that person) or "pending" (anything else: the request waits
    for an operator, and the answer is the same whatever did not match). Raises
    ResidentError only for what the form itself gets wrong (a malformed NIK or KK
    number, a missing or impossible birth date, an empty mother's name) or for an
    account that cannot be verified.
    """
    if user.role != "resident" or user.deleted_at is not None:
        raise ResidentError(_l("Only resident accounts are verified."))
    if user.is_verified:
        raise ResidentError(_l("Your account is already verified."))
    nik, birth_date, kk, mother = _checked_input(nik, birth_date, kk_number, mother_name)
    user_id = user.id
    try:
        with write_transaction(db.session):
            user = db.session.get(User, user_id)
            person, why = _proven_person(nik, birth_date, kk, mother)
            if person is not None and not current_app.config.get("VERIFY_AT_ONCE", True):
                person, why = None, OFFICE_ONLY
            if person is not None and (
                _taken_by_other(User.person_id, person.id, user_id)
                or _taken_by_other(User.nik, nik, user_id)
            ):
                person, why = None, LINKED
            if person is None:
                _queue(user, nik, birth_date, why, ip)
                return "pending"
            now = utcnow()
            user.nik = nik
            user.claimed_nik = None
            user.birth_date = birth_date
            user.person_id = person.id
            user.verification_status = "verified"
            user.verified_at = now
            user.verification_note = None
            user.verification_requested_at = now
            record(
                "resident_verified",
                "user",
                user_id,
                actor=user,
                ip=ip,
                summary="NIK, birth date, KK number and mother's name matched the registry",
                after={"person_id": person.id},
            )
    except IntegrityError:
        # Another account took the same person between our check and our write: this
        # request waits for the office like any other that is not proven.
        with write_transaction(db.session):
            _queue(db.session.get(User, user_id), nik, birth_date, LINKED, ip)
        return "pending"
    return "verified"


def register() -> None:
    """Offer the check to accounts' page /akun/verifikasi (called by the app factory)."""
    from portal.accounts.identity import register_verifier

    register_verifier(verify_resident)
