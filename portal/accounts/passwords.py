"""Passwords: hashing with argon2id, and the one rule every new password meets.

The rule (`password_problem`) is used by every place that sets a password: sign-up,
change, reset with a code, the partner's sign-up and `flask create-admin`; the forms
show the same length (`MIN_PASSWORD_LENGTH`). A new password must have at least that
many characters and must not be one of the 30,000 most common passwords (the list
zxcvbn ships, taken from leaked password sets).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.i18n import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256

TOO_SHORT = _l("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH)
HINT = _l("At least %(num)d characters.", num=MIN_PASSWORD_LENGTH)
TOO_COMMON = _l(
    "This password is one of the most common ones and easy to guess. Choose another one."
)

_hasher = PasswordHasher()

# A hash of a random string, verified when the user does not exist, so that a
# login for an unknown name takes as long as one for a known name.
_DUMMY = _hasher.hash("not-a-real-password-only-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """True for a password on the common-passwords list (case and spaces ignored)."""
    folded = "".join((password or "").split()).casefold()
    return folded in _common() or (password or "").casefold() in _common()


def password_problem(password: str | None):
    """What is wrong with a new password (a message for the person), or None."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("This is too long.")
    if is_common(password):
        return TOO_COMMON
    return None


class NewPassword:
    """WTForms validator: the same rule as the services, beside the field."""

    def __call__(self, form, field) -> None:
        from wtforms.validators import StopValidation

        problem = password_problem(field.data)
        if problem is not None:
            raise StopValidation(str(problem))
