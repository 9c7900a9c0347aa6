"""The second factor for staff: TOTP (RFC 6238) and one-time recovery codes.

Rules kept here, without `request`: a secret is made when enrolment starts and counts
once a first code confirms it; a code is accepted one time step either side of now
(phone clocks drift) but never twice; a recovery code works once. Time comes in as
an argument (`now`, seconds since the epoch), so that tests need no clock tricks.
"""

from __future__ import annotations

import functools
import hashlib
import io
import secrets
import time

import pyotp
import segno
from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.accounts.models import RecoveryCode, User, new_session_token
from portal.accounts.secret_box import is_unreadable
from portal.audit.services import record
from portal.database import read
from portal.extensions import db
from portal.models_base import utcnow
from portal.numbers import is_whole

RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits without the look-alikes (0/o, 1/l/i).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10  # about 49 bits, plenty behind a rate limit
# How many time steps either side of now a code may come from.
VALID_WINDOW = 1


def clock() -> float:
    """Seconds since the epoch; one place for tests to move time."""
    return time.time()


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret)


def start_enrolment(user: User) -> str:
    """Give the user a fresh secret to scan, unless one is already waiting.

    Keeping a waiting secret means a reload shows the same QR code, so a phone that
    already scanned it still works. Commits.
    """
    if user.has_second_factor:
        raise ValueError("the second factor is already set up")
    # A waiting secret that no longer opens (the key changed) is replaced: nothing uses it.
    if not user.totp_secret or is_unreadable(user.totp_secret):
        user.totp_secret = pyotp.random_base32()
        user.totp_last_step = None
    secret = user.totp_secret
    db.session.commit()
    return secret


def provisioning_uri(user: User, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    account = user.username or user.email or user.phone or str(user.id)
    return _totp(user.totp_secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_png(uri: str) -> bytes:
    """The address as a PNG QR code (served from a route: CSP allows images from 'self')."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="png", scale=6, border=4)
    return out.getvalue()


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-").lower()


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code equals `code`, within the window around `now`, or None."""
    code = _normalise_code(code)
    if len(code) != 6 or not is_whole(code) or is_unreadable(secret):
        return None
    totp = _totp(secret)
    current = totp.timecode(int(now))
    found = None
    # Look at every step (no early exit), so the work does not depend on which matched.
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if secrets.compare_digest(totp.generate_otp(step), code) and found is None:
            found = step
    return found


def _claim_step(user: User, step: int, *, enabling: bool = False) -> bool:
    """Store `step` as the last one used, only if it is newer than the stored one.

    One conditional UPDATE, so two requests with the same code cannot both pass.
    When `enabling`, the same statement switches the second factor on, and only if it
    is still off: two confirmations racing in two tabs cannot both make codes.
    """
    stmt = (
        update(User)
        .where(User.id == user.id)
        .where((User.totp_last_step.is_(None)) | (User.totp_last_step < step))
    )
    values: dict = {"totp_last_step": step}
    if enabling:
        stmt = stmt.where(User.totp_enabled_at.is_(None), User.totp_secret == user.totp_secret)
        values["totp_enabled_at"] = utcnow()
    result = db.session.execute(stmt.values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    for key, value in values.items():
        # Mirror the row on the object, without the ORM writing it a second time.
        set_committed_value(user, key, value)
    return True


def verify_totp(user: User, code: str, now: float | None = None) -> bool:
    """True when `code` is the user's current code and was not used before.

    A code that was already accepted (or one older than the last accepted) is refused,
    so a code seen over someone's shoulder cannot be used again. Commits on success.
    """
    if not user.has_second_factor:
        return False
    step = matching_step(user.totp_secret, code, clock() if now is None else now)
    if step is None or not _claim_step(user, step):
        db.session.rollback()
        return False
    db.session.commit()
    return True


def confirm_enrolment(user: User, code: str, now: float | None = None) -> list[str] | None:
    """Switch the second factor on when `code` matches the waiting secret.

    Returns the new recovery codes (plain text, to be shown once), or None when the
    code is wrong. Commits on success.
    """
    if user.has_second_factor or not user.totp_secret:
        return None
    step = matching_step(user.totp_secret, code, clock() if now is None else now)
    if step is None or not _claim_step(user, step, enabling=True):
        db.session.rollback()
        return None
    codes = _replace_recovery_codes(user)
    record("second_factor_enabled", "user", user.id, actor=user)
    db.session.commit()
    return codes


def hash_recovery_code(code: str, salt: str | None = None) -> str:
    """A salted SHA-256 of the normalised code ("sha256$salt$hex").

    The codes are random and long, so a fast hash is enough; a slow one would make
    checking ten of them on each attempt slow for the person logging in.
    """
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}${_normalise_code(code)}".encode()).hexdigest()
    return f"sha256${salt}${digest}"


def _code_matches(stored: str, code: str) -> bool:
    try:
        _algo, salt, _digest = stored.split("$", 2)
    except ValueError:
        return False
    return secrets.compare_digest(hash_recovery_code(code, salt), stored)


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(
        RecoveryCode.__table__.delete().where(RecoveryCode.__table__.c.user_id == user.id)
    )
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(code)))
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    """Throw away the user's recovery codes and make ten new ones. Commits."""
    if not user.has_second_factor:
        raise ValueError("the second factor is not set up")
    codes = _replace_recovery_codes(user)
    record("recovery_codes_renewed", "user", user.id, actor=user)
    db.session.commit()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """True when `code` is one of the user's unused recovery codes; it is then spent.

    The code is marked used with a conditional UPDATE, so it works only once even
    when two requests race. Commits on success.
    """
    if not user.has_second_factor:
        return False
    code = _normalise_code(code)
    if len(code) != _RECOVERY_LENGTH:
        return False
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    match = None
    for row in unused:
        if _code_matches(row.code_hash, code) and match is None:
            match = row
    if match is None:
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    record("recovery_code_used", "user", user.id, actor=user)
    db.session.commit()
    return True


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the user still has."""
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


@functools.cache
def _state_statement():
    left = (
        select(func.count(RecoveryCode.id))
        .where(RecoveryCode.user_id == bindparam("user_id"), RecoveryCode.used_at.is_(None))
        .scalar_subquery()
    )
    enabled = and_(User.totp_secret.is_not(None), User.totp_enabled_at.is_not(None))
    return select(enabled, left).where(User.id == bindparam("user_id"))


def second_factor_state(user: User) -> tuple[bool, int]:
    """(`user.has_second_factor`, `recovery_codes_left(user)`) in one statement, without
    reading (and unsealing) the TOTP secret: the staff member's security page."""
    enabled, left = read(db.session, _state_statement(), {"user_id": user.id}).one()
    return bool(enabled), left


def recovery_codes_left_for(user_ids) -> dict[int, int]:
    """recovery_codes_left for several users in one statement (the admin's list of
    accounts): 0 for those with none."""
    left = dict.fromkeys(user_ids, 0)
    if left:
        rows = db.session.execute(
            select(RecoveryCode.user_id, func.count())
            .where(RecoveryCode.user_id.in_(list(left)), RecoveryCode.used_at.is_(None))
            .group_by(RecoveryCode.user_id)
        )
        left.update((user_id, count) for user_id, count in rows)
    return left


def reset_second_factor(user: User, *, actor: User | None, ip: str | None = None) -> None:
    """Remove a staff member's second factor (lost phone and codes).

    Their sessions end too; at the next login they set up a new one. Audited. Commits.
    """
    before = {"enabled": user.has_second_factor, "recovery_codes_left": recovery_codes_left(user)}
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.totp_failures = 0  # a lock (portal/accounts/lockout.py) goes with the factor
    user.totp_locked_at = None
    db.session.execute(
        RecoveryCode.__table__.delete().where(RecoveryCode.__table__.c.user_id == user.id)
    )
    user.session_token = new_session_token()
    record(
        "second_factor_reset",
        "user",
        user.id,
        actor=actor,
        summary=f"second factor of {user.username or user.id} removed",
        before=before,
        after={"enabled": False, "recovery_codes_left": 0},
        ip=ip,
    )
    db.session.commit()
