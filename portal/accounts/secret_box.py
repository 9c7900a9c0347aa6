"""Staff TOTP secrets encrypted at rest.

A copy of the database (a leaked backup, a dump sent for help) must not carry what
makes a staff member's one-time codes. The secret is sealed with AES-SIV from the
`cryptography` package under TOTP_ENCRYPTION_KEY (the environment, or instance/totp_key
made once, like the session key): a database without that key holds only
ciphertext. AES-SIV is deterministic, so the same secret always seals to the same
text and the compare-and-set in `second_factor._claim_step` (`User.totp_secret ==
...`) still works in SQL; two users never share a secret, so nothing is revealed by it.

The column type `SealedText` seals on the way in and opens on the way out. A stored
value without the prefix is a secret written before encryption (migration 0015 seals
those). A value that does not open under the current key (the key was lost or
replaced) comes back as it is stored, prefix included, and `is_unreadable` says so: the
second factor then refuses every code until an admin resets it (`flask accounts
reset-second-factor USER`), rather than letting someone with the password set up a new
one or failing the whole request.
"""

from __future__ import annotations

import base64
import logging

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

from portal.config import TOTP_KEY_BYTES as KEY_BYTES
from portal.config import new_totp_key as new_key  # noqa: F401  (made in core: config reads it)

PREFIX = "siv1:"
_ASSOCIATED = [b"portal staff totp secret"]
_EXTENSION = "portal.secret_box"

log = logging.getLogger(__name__)


def _cipher() -> AESSIV:
    app = current_app._get_current_object()
    key = app.config["TOTP_ENCRYPTION_KEY"]
    cached = app.extensions.get(_EXTENSION)
    if cached is None or cached[0] != key:
        raw = base64.urlsafe_b64decode(key)
        if len(raw) != KEY_BYTES:
            raise ValueError(f"TOTP_ENCRYPTION_KEY must be {KEY_BYTES} bytes in URL-safe base64")
        cached = app.extensions[_EXTENSION] = (key, AESSIV(raw))
    return cached[1]


def seal(plain: str) -> str:
    sealed = _cipher().encrypt(plain.encode(), _ASSOCIATED)
    return PREFIX + base64.urlsafe_b64encode(sealed).decode()


def unseal(stored: str) -> str:
    """The secret; a value written before encryption as it is; one that does not open
    under this key as it is stored (see `is_unreadable`)."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        raw = base64.urlsafe_b64decode(stored[len(PREFIX) :])
        return _cipher().decrypt(raw, _ASSOCIATED).decode()
    except (InvalidTag, ValueError):
        log.error("a TOTP secret does not open under TOTP_ENCRYPTION_KEY")
        return stored


def is_unreadable(secret: str | None) -> bool:
    return bool(secret) and secret.startswith(PREFIX)


class SealedText(TypeDecorator):
    """A text column stored sealed (see the module's docstring)."""

    impl = String(128)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or value.startswith(PREFIX):
            return value
        return seal(value)

    def process_result_value(self, value, dialect):
        return None if value is None else unseal(value)
