"""Residents' accounts: sign-up, the verification status, reset codes, their own data.

Shared by the features that act for a resident (ballots, surveys, proposals, training,
self-check): ask here, not in the accounts tables directly.

The rules, without `request`:
- a resident signs up with a phone number or an e-mail address (either is enough);
  both are unique in the database, and a race for the same one is refused cleanly;
- matching an account with a registry person is the registry's side
  (portal/registry/verification.py, residents.py, reclaim.py; accounts is the lower
  layer and offers the hooks in portal/accounts/identity.py). Here: the operators'
  queue of pending requests and a rejection with a reason; only the verified link is
  unique;
- an operator can issue a one-time reset code (hashed, expiring, single use);
- a resident sees and downloads what is kept about them (other features add their
  records through DATA_SOURCES) and can ask for the account to be deleted; an admin
  carries that out by anonymising the account.
Every staff decision is written to the audit log in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, literal_column, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal import status_tags
from portal.accounts import notices
from portal.accounts.models import DeletionRequest, ResetCode, User, new_session_token
from portal.accounts.passwords import hash_password, password_problem, verify_password
from portal.accounts.phones import normalise_phone
from portal.accounts.second_factor import hash_recovery_code
from portal.audit.services import record
from portal.database import read, write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.service_errors import ServiceError

LANGUAGES = ("id", "en")
# Lower-case letters and digits without look-alikes; 10 characters, about 49 bits.
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_CODE_LENGTH = 10

# Other packages append callables here: each takes a User and returns (label, rows),
# a lazy label and a list of dicts (plain values). The resident's "My data" page and
# the download show them after the account and the verification.
DATA_SOURCES: list[Callable[[User], tuple[object, list[dict]]]] = []
# Sources registered with `sections=True`: they return a list of (label, rows), several
# sections read together (in fewer statements than one source each).
_MANY_SECTIONS: set[Callable] = set()


def register_data_source(source: Callable, labels, *, sections: bool = False) -> None:
    """A feature adds what it keeps about an account (once, however many apps are made),
    with the labels its row keys read as on the page; `sections`: `source` returns a
    list of (label, rows), not one."""
    if source not in DATA_SOURCES:
        DATA_SOURCES.append(source)
    if sections:
        _MANY_SECTIONS.add(source)
    FIELD_LABELS.update(labels)


VERIFICATION_STATUSES = {
    "none": _l("Not verified"),
    "pending": _l("Waiting for the village office"),
    "verified": _l("Verified"),
    "rejected": _l("Not accepted"),
}
status_tags.register(
    "accounts.verification",
    VERIFICATION_STATUSES,
    {"none": "muted", "pending": "warn", "verified": "ok", "rejected": "danger"},
)

# How the keys of the data rows read on the "My account" page (the download keeps the
# keys themselves). Other packages may add their own keys here.
FIELD_LABELS = {
    "name": _l("Name"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "username": _l("Username"),
    "role": _l("Role"),
    "language": _l("Language"),
    "created_at": _l("Account created"),
    "last_login_at": _l("Last login"),
    "status": _l("Status"),
    "nik": _l("NIK"),
    "birth_date": _l("Date of birth"),
    "requested_at": _l("Asked on"),
    "verified_at": _l("Verified on"),
    "note": _l("Note from the village office"),
}


class ResidentError(ServiceError):
    """A refusal with a message for the person (in their language) and the form field."""


def _check_new_password(password: str | None) -> None:
    problem = password_problem(password)
    if problem is not None:
        raise ResidentError(problem, "password")


def current_locale() -> str:
    """The language the page is shown in (the default for a new account)."""
    from portal.i18n import current_lang

    return current_lang()


def masked_nik(nik: str | None) -> str:
    """A NIK as it may be shown back: only its last four digits (************0001)."""
    if not nik:
        return ""
    return "*" * (len(nik) - 4) + nik[-4:]


# --------------------------------------------------------------------------- sign-up


def _email(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return value or None


def taken(column, value, exclude_id: int | None = None) -> bool:
    stmt = select(User.id).where(column == value)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    return db.session.scalar(stmt.limit(1)) is not None


PHONE_TAKEN = _l("This phone number already has an account. Log in, or ask the village office.")
EMAIL_TAKEN = _l("This e-mail address already has an account. Log in instead.")


def duplicate_field(error: IntegrityError) -> str | None:
    text = str(error.orig).lower()
    if "phone" in text:
        return "phone"
    if "email" in text:
        return "email"
    return None


def clean_contact(phone: str | None, email: str | None) -> tuple[str | None, str | None]:
    """Normalised phone and e-mail, or ResidentError naming the field at fault."""
    e164 = None
    if (phone or "").strip():
        e164 = normalise_phone(phone)
        if e164 is None:
            raise ResidentError(
                _l("This is not a phone number we recognise. Write it like 0812 3456 7890."),
                "phone",
            )
    email = _email(email)
    if e164 is None and email is None:
        raise ResidentError(
            _l("Give a phone number or an e-mail address (one is enough)."), "phone"
        )
    return e164, email


def register_resident(
    *,
    name: str,
    password: str,
    phone: str | None = None,
    email: str | None = None,
    locale: str = "id",
    ip: str | None = None,
) -> User:
    """Create a resident account (not yet verified). Commits.

    The phone number is stored in E.164. Raises ResidentError(field=...) for a missing
    contact, a bad number, or a phone/e-mail that already has an account (also when two
    sign-ups race for it: the unique constraint decides).
    """
    name = " ".join((name or "").split())
    if not name:
        raise ResidentError(_l("Please fill in this field."), "name")
    _check_new_password(password)
    phone, email = clean_contact(phone, email)
    locale = locale if locale in LANGUAGES else "id"
    try:
        with write_transaction(db.session):
            if phone and taken(User.phone, phone):
                raise ResidentError(PHONE_TAKEN, "phone")
            if email and taken(User.email, email):
                raise ResidentError(EMAIL_TAKEN, "email")
            user = User(
                name=name[:120],
                role="resident",
                phone=phone,
                email=email,
                locale=locale,
                password_hash=hash_password(password),
            )
            db.session.add(user)
            db.session.flush()
            record("resident_signed_up", "user", user.id, actor=user, ip=ip)
    except IntegrityError as error:
        field = duplicate_field(error) or ("phone" if phone else "email")
        raise ResidentError(PHONE_TAKEN if field == "phone" else EMAIL_TAKEN, field) from None
    return user


# --------------------------------------------------------------------------- verification


def pending_verifications() -> list[User]:
    """Residents waiting for an operator, oldest request first."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == "resident", User.verification_status == "pending")
            .order_by(User.verification_requested_at, User.id)
        )
    )


def reject_verification(user: User, reason: str, *, actor: User, ip: str | None = None) -> None:
    """An operator refuses a verification request, with a reason the resident sees.

    The NIK and birth date they gave are removed from the account, so that a NIK typed
    by the wrong person does not block its real owner. One write transaction with its
    audit entry; the status is re-read inside it, so of an approval and a rejection at
    the same time only the first stands. Commits.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ResidentError(_l("Please give a reason; the resident will read it."), "reason")
    user_id = user.id
    with write_transaction(db.session):
        # Locked and read afresh, as in approve_verification.
        user = db.session.get(User, user_id, populate_existing=True, with_for_update=True)
        if user is None or user.verification_status != "pending":
            raise ResidentError(_l("This request was already decided."))
        before = {"status": user.verification_status, "nik": user.claimed_nik}
        user.verification_status = "rejected"
        user.verification_note = reason[:300]
        user.nik = None
        user.claimed_nik = None
        user.birth_date = None
        user.person_id = None
        user.verified_at = None
        record(
            "resident_verification_rejected",
            "user",
            user_id,
            actor=actor,
            ip=ip,
            summary=reason,
            before=before,
            after={"status": "rejected"},
        )


# --------------------------------------------------------------------------- reset codes


def new_reset_code() -> str:
    """A code to read out or write down: 10 characters as two groups of five."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def code_hours() -> int:
    """How long a reset code works: the RESET_CODE_HOURS setting (portal/config.py)."""
    return int(current_app.config["RESET_CODE_HOURS"])


def issue_code(user: User, actor: User | None, now: datetime) -> str:
    db.session.execute(ResetCode.__table__.delete().where(ResetCode.__table__.c.user_id == user.id))
    code = new_reset_code()
    db.session.add(
        ResetCode(
            user_id=user.id,
            code_hash=hash_recovery_code(code),
            created_at=now,
            expires_at=now + timedelta(hours=code_hours()),
            issued_by_id=getattr(actor, "id", None),
        )
    )
    return code


def issue_reset_code(
    user: User, *, actor: User, ip: str | None = None, now: datetime | None = None
) -> str:
    """A one-time code for `user` to set a new password at /masuk/reset. Commits.

    Valid for the RESET_CODE_HOURS setting (24 hours by default) and once; an earlier
    code stops working. Only for accounts that are not staff (staff have their own reset
    by an admin).
    """
    if user.is_staff or user.deleted_at is not None:
        raise ResidentError(_l("Reset codes are only for residents' accounts."))
    now = now or utcnow()
    code = issue_code(user, actor, now)
    # The resident hears of it (through the outbox, when one is registered).
    notices.reset_code_issued(user, now)
    record(
        "reset_code_issued",
        "user",
        user.id,
        actor=actor,
        ip=ip,
        summary=f"valid {code_hours()} hours, once",
    )
    db.session.commit()
    return code


def _code_matches(stored: str, code: str) -> bool:
    try:
        _algo, salt, _digest = stored.split("$", 2)
    except ValueError:
        return False
    return secrets.compare_digest(hash_recovery_code(code, salt), stored)


def reset_password_with_code(
    identifier: str,
    code: str,
    password: str,
    *,
    ip: str | None = None,
    now: datetime | None = None,
) -> User:
    """Set a new password with a reset code. Commits.

    The code is spent by a conditional UPDATE (unused and not expired), so it works
    once even when two requests race. Every session of the account ends. Raises
    ResidentError (field "code") for an unknown account, a wrong, used or expired code.
    """
    from portal.accounts.services import find_login

    _check_new_password(password)
    now = now or utcnow()
    wrong = ResidentError(
        _l(
            "This code is not right, was already used or has expired. Ask the village office "
            "for a new one."
        ),
        "code",
    )
    new_hash = hash_password(password)  # slow on purpose: before the write lock
    # One write transaction (BEGIN IMMEDIATE on SQLite): two requests with the same code
    # cannot both read it as unused; on PostgreSQL the conditional UPDATE decides.
    with write_transaction(db.session):
        user = find_login(identifier or "")
        if user is None or user.is_staff or not user.active or user.deleted_at is not None:
            hash_recovery_code(code or "")  # the same work as for a known account
            raise wrong
        rows = db.session.scalars(
            select(ResetCode).where(
                ResetCode.user_id == user.id,
                ResetCode.used_at.is_(None),
                ResetCode.expires_at > now,
            )
        ).all()
        match = next((row for row in rows if _code_matches(row.code_hash, code or "")), None)
        if match is None:
            raise wrong
        spent = db.session.execute(
            update(ResetCode)
            .where(
                ResetCode.id == match.id, ResetCode.used_at.is_(None), ResetCode.expires_at > now
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if spent.rowcount != 1:
            raise wrong
        user.password_hash = new_hash
        user.session_token = new_session_token()
        # The wrong passwords before the reset no longer pause the login.
        user.failed_logins = 0
        user.login_blocked_until = None
        record("password_reset_with_code", "user", user.id, actor=user, ip=ip)
    return user


# --------------------------------------------------------------------------- staff search


def find_accounts(q: str, limit: int = 25) -> list[User]:
    """Resident accounts by name, phone (any spelling) or e-mail, for the operator."""
    q = (q or "").strip()[:100]
    if not q:
        return []
    conds = [User.name.ilike(f"%{q}%"), User.email == q.lower()]
    e164 = normalise_phone(q)
    if e164:
        conds.append(User.phone == e164)
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == "resident", User.deleted_at.is_(None), or_(*conds))
            .order_by(User.name)
            .limit(limit)
        )
    )


# --------------------------------------------------------------------------- own account


def change_password(user: User, current: str, new: str) -> None:
    """Change the password after checking the current one. Other sessions end. Commits."""
    if not verify_password(user.password_hash, current or ""):
        raise ResidentError(_l("This is not your current password."), "current")
    _check_new_password(new)
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()
    record("password_changed", "user", user.id, actor=user)
    db.session.commit()


def change_language(user: User, locale: str) -> None:
    """The language the portal speaks to this account. Commits."""
    if locale not in LANGUAGES:
        raise ResidentError(_l("Choose a language."), "locale")
    user.locale = locale
    db.session.commit()


def _account_rows(user: User) -> list[dict]:
    return [
        {
            "name": user.name,
            "phone": user.phone,
            "email": user.email,
            "username": user.username,
            "role": user.role,
            "language": user.locale,
            "created_at": user.created_at,
            "last_login_at": user.last_login_at,
        }
    ]


def _verification_rows(user: User) -> list[dict]:
    return [
        {
            "status": user.verification_status,
            "nik": masked_nik(user.given_nik),
            "birth_date": user.birth_date,
            "requested_at": user.verification_requested_at,
            "verified_at": user.verified_at,
            "note": user.verification_note,
        }
    ]


def data_about(user: User) -> list[tuple[object, list[dict]]]:
    """Everything kept about this account, as (label, rows): the account, the
    verification, then what each feature in DATA_SOURCES reports."""
    sections = [
        (_l("Account"), _account_rows(user)),
        (_l("Verification"), _verification_rows(user)),
    ]
    for source in DATA_SOURCES:
        found = source(user)
        for label, rows in found if source in _MANY_SECTIONS else (found,):
            sections.append((label, list(rows)))
    return sections


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def data_export(user: User) -> dict:
    """The account's data as a JSON-ready dict (the NIK masked like everywhere else)."""
    return {
        "exported_at": utcnow().isoformat(),
        "sections": [
            {"label": str(label), "rows": _plain(rows)} for label, rows in data_about(user)
        ],
    }


# --------------------------------------------------------------------------- deletion


def open_deletion_request(user: User) -> DeletionRequest | None:
    return db.session.scalars(
        select(DeletionRequest).where(
            DeletionRequest.user_id == user.id, DeletionRequest.status == "open"
        )
    ).first()


# Built once per process (with its cache key): the two dates "My account" shows. The
# status "open" is written into the SQL, not bound: with a bound value SQLite prepares
# the statement again on every run (the value decides whether the partial index of open
# requests applies), 40 us instead of 4 (PostgreSQL's generic plan cannot use the index).
@cache
def _account_dates_statement():
    deletion = (
        select(DeletionRequest.requested_at)
        .where(
            DeletionRequest.user_id == bindparam("user_id"),
            DeletionRequest.status == literal_column("'open'"),
        )
        .order_by(DeletionRequest.id)
        .limit(1)
        .scalar_subquery()
    )
    return select(deletion, notices.last_reset_code_select(bindparam("user_ref")))


def account_dates(user: User) -> tuple[datetime | None, datetime | None]:
    """(when the open deletion request was made, when the office last issued a reset
    code), either None: `open_deletion_request` and `notices.last_reset_code` in one
    statement."""
    requested_at, reset_at = read(
        db.session, _account_dates_statement(), {"user_id": user.id, "user_ref": str(user.id)}
    ).one()
    return requested_at, reset_at


def request_deletion(user: User, reason: str | None = None, *, ip: str | None = None):
    """A resident asks for their account to be deleted; an admin carries it out.

    At most one open request per account (a partial unique index): asking twice, or
    in two tabs at once, leaves one. Returns the open request. Commits.
    """
    user_id = user.id
    try:
        with write_transaction(db.session):
            user = db.session.get(User, user_id)
            existing = open_deletion_request(user)
            if existing is not None:
                return existing
            item = DeletionRequest(user_id=user_id, reason=(reason or "").strip()[:500] or None)
            db.session.add(item)
            db.session.flush()
            record("deletion_requested", "user", user_id, actor=user, ip=ip)
    except IntegrityError:
        # Another request for the same account won the race (PostgreSQL): that one stands.
        return open_deletion_request(db.session.get(User, user_id))
    return item


def open_deletion_requests() -> list[DeletionRequest]:
    return list(
        db.session.scalars(
            select(DeletionRequest)
            .where(DeletionRequest.status == "open")
            .order_by(DeletionRequest.requested_at)
        )
    )


def anonymise(user: User) -> None:
    """Remove everything personal from an account and close it (the caller commits).

    The row stays, so that audit entries and anonymous records (a vote, a support)
    still point at something; it can never log in again.
    """
    user.name = "—"
    user.username = None
    user.email = None
    user.phone = None
    user.nik = None
    user.claimed_nik = None
    user.birth_date = None
    user.person_id = None
    user.verification_status = "none"
    user.verified_at = None
    user.verification_note = None
    user.verification_requested_at = None
    user.locale = None
    user.active = False
    user.password_hash = hash_password(secrets.token_urlsafe(24))
    user.session_token = new_session_token()
    user.totp_secret = None
    user.totp_enabled_at = None
    user.deleted_at = utcnow()
    db.session.execute(ResetCode.__table__.delete().where(ResetCode.__table__.c.user_id == user.id))


def process_deletion(
    item: DeletionRequest,
    *,
    actor: User,
    approve: bool,
    note: str | None = None,
    ip: str | None = None,
) -> None:
    """An admin carries out (anonymise and deactivate) or declines a deletion request.

    One write transaction: the request is claimed by a conditional UPDATE (only an open
    one), the account is anonymised and the audit entry written together, or nothing
    is. Of two decisions at the same time only the first stands. Commits."""
    note = (note or "").strip()[:300] or None
    if not approve and not note:
        raise ResidentError(_l("Please give a reason; the resident will read it."), "note")
    item_id, user_id = item.id, item.user_id
    with write_transaction(db.session):
        claimed = db.session.execute(
            update(DeletionRequest)
            .where(DeletionRequest.id == item_id, DeletionRequest.status == "open")
            .values(
                status="done" if approve else "declined",
                decided_at=utcnow(),
                decided_by_id=actor.id,
                note=note,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            raise ResidentError(_l("This request was already decided."))
        user = db.session.get(User, user_id, populate_existing=True)
        if approve:
            anonymise(user)
            record(
                "account_deleted",
                "user",
                user_id,
                actor=actor,
                ip=ip,
                summary="account anonymised and closed at the resident's request",
            )
        else:
            record("deletion_declined", "user", user_id, actor=actor, ip=ip, summary=note)
    db.session.expire(item)
