"""Brute force at the login: a growing pause after wrong passwords, and the lock of the
staff second step after ten wrong codes in a row.

Both counters live in the database (`user_account`), so they hold across workers and
restarts, unlike the rate limits per address.

- Password: the first LOGIN_FREE_TRIES wrong passwords in a row cost nothing; each one
  after that pauses the account's login for 1, 2, 4 ... minutes, at most
  LOGIN_MAX_PAUSE_MINUTES. Tries during a pause are refused without being checked or
  counted. The answer is the same for an unknown account, a wrong password and a
  paused account, so nobody learns which accounts exist; a right password resets it.
- Second step: SECOND_FACTOR_MAX_FAILURES wrong codes in a row lock it. A locked second
  step takes no app code, only an unused recovery code (which unlocks it), or an
  administrator unlocks it at /staf/pengguna (which lifts a login pause too). Locking
  and unlocking are audited.

Time comes from `second_factor.clock()`, the one clock tests move by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import update

from portal.accounts import second_factor as twofa
from portal.accounts.models import User
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.audit.services import record
from portal.extensions import db
from portal.models_base import as_utc


def now_utc() -> datetime:
    return datetime.fromtimestamp(twofa.clock(), UTC)


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


# --------------------------------------------------------------------------- password


def pause_after(failures: int) -> timedelta | None:
    """How long logging in waits after `failures` wrong passwords in a row."""
    free = _setting("LOGIN_FREE_TRIES", 5)
    if failures < free:
        return None
    minutes = min(2 ** min(failures - free, 16), _setting("LOGIN_MAX_PAUSE_MINUTES", 60))
    return timedelta(minutes=minutes)


def is_paused(user: User, now: datetime | None = None) -> bool:
    until = as_utc(user.login_blocked_until)
    return until is not None and until > (now or now_utc())


class AccountSwitchedOff(Exception):
    """The password was right, but an administrator switched the account off."""


def check_login(identifier: str, password: str, now: datetime | None = None) -> User | None:
    """The user whose password matches, or None (wrong, unknown or paused: one answer).

    The password hash is checked in every case, so the time taken says nothing either.
    Raises AccountSwitchedOff when the password is right but the account is inactive.
    Commits.
    """
    from portal.accounts.services import find_login

    now = now or now_utc()
    user = find_login(identifier)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or user.deleted_at is not None or is_paused(user, now):
        # The same write as for a wrong password, on no row (a try during a pause is
        # not counted): the time taken does not tell whether the account exists.
        _add_failure(0)
        db.session.commit()
        return None
    if not ok:
        _count_failure(user, now)
        return None
    if not user.active:
        db.session.rollback()
        raise AccountSwitchedOff()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.login_blocked_until = None
    user.last_login_at = now
    db.session.commit()
    return user


def _add_failure(user_id: int) -> None:
    # One UPDATE adds the failure, so two wrong tries at once both count.
    db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_logins=User.failed_logins + 1)
        .execution_options(synchronize_session=False)
    )


def _count_failure(user: User, now: datetime) -> None:
    _add_failure(user.id)
    db.session.refresh(user, ["failed_logins"])
    pause = pause_after(user.failed_logins)
    if pause is not None:
        user.login_blocked_until = now + pause
        record(
            "login_paused",
            "user",
            user.id,
            summary=f"{user.failed_logins} wrong passwords in a row: login waits {pause}",
        )
    db.session.commit()


# --------------------------------------------------------------------------- second step


def is_locked(user: User) -> bool:
    return user.totp_locked_at is not None


def max_code_failures() -> int:
    return _setting("SECOND_FACTOR_MAX_FAILURES", 10)


def check_code(user: User, code: str, now: float | None = None) -> str | None:
    """A code typed at the second step: "totp", "recovery", or None when refused.

    While the second step is locked only a recovery code is taken; it unlocks it.
    Each refusal counts; the tenth in a row locks. Commits.
    """
    how = None
    if not is_locked(user) and twofa.verify_totp(user, code, now):
        how = "totp"
    elif twofa.use_recovery_code(user, code):
        how = "recovery"
    if how is None:
        _count_code_failure(user)
        return None
    if is_locked(user):
        record("second_factor_unlocked", "user", user.id, actor=user, summary="recovery code")
    user.totp_failures = 0
    user.totp_locked_at = None
    db.session.commit()
    return how


def _count_code_failure(user: User) -> None:
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(totp_failures=User.totp_failures + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["totp_failures", "totp_locked_at"])
    if user.totp_failures >= max_code_failures() and user.totp_locked_at is None:
        user.totp_locked_at = now_utc()
        record(
            "second_factor_locked",
            "user",
            user.id,
            summary=f"{user.totp_failures} wrong codes in a row",
        )
    db.session.commit()


def unlock(user: User, *, actor: User, ip: str | None = None) -> None:
    """An administrator opens a locked second step (the factor stays) and lifts a login
    pause (an attacker's wrong passwords should not keep a staff member out). Commits."""
    if is_locked(user) or user.totp_failures:
        record(
            "second_factor_unlocked",
            "user",
            user.id,
            actor=actor,
            summary=f"second step of {user.username or user.id} unlocked by an administrator",
            before={"locked": is_locked(user), "failures": user.totp_failures},
            after={"locked": False, "failures": 0},
            ip=ip,
        )
    if is_paused(user) or user.failed_logins:
        record(
            "login_pause_lifted",
            "user",
            user.id,
            actor=actor,
            before={"failed_logins": user.failed_logins},
            after={"failed_logins": 0},
            ip=ip,
        )
    user.totp_failures = 0
    user.totp_locked_at = None
    user.failed_logins = 0
    user.login_blocked_until = None
    db.session.commit()
