"""Account rules: who a cookie belongs to, checking a password, creating staff."""

from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import defer

from portal.accounts.models import User, new_session_token
from portal.accounts.passwords import hash_password
from portal.extensions import db
from portal.roles import ROLES


@cache
def _user_by_id():
    # The TOTP secret is read when it is used (the second step, the security page):
    # unsealing it (AES-SIV) on every staff request cost some 30 µs of a page.
    return select(User).options(defer(User.totp_secret)).where(User.id == bindparam("pk"))


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session token, so a rotated token
    (logout, password change, deactivation) ends every session of that user.

    Every logged-in request runs it first: a statement built once reads the user in
    half the time `Session.get` takes (which builds its query on every call)."""
    try:
        raw_id, token = user_id.split(":", 1)
        pk = int(raw_id)
    except ValueError:
        return None
    with db.session.no_autoflush:
        user = db.session.scalars(_user_by_id(), {"pk": pk}).first()
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def login_candidates(identifier: str) -> list[str]:
    """The E.164 form of a login name written as a phone number, if it is one."""
    from portal.accounts.phones import normalise_phone

    e164 = normalise_phone(identifier)
    return [e164] if e164 else []


def find_login(identifier: str) -> User | None:
    """A user by username, e-mail or phone number (case-insensitive for the first two)."""
    ident = identifier.strip()
    if not ident:
        return None
    lowered = ident.lower()
    # A phone number in any common spelling (0812..., 62812..., +62 812-...) is the
    # stored E.164 form; the typed text itself is still tried as a username.
    phones = {ident, *login_candidates(ident)}
    return db.session.scalars(
        select(User).where(
            (func.lower(User.username) == lowered)
            | (func.lower(User.email) == lowered)
            | (User.phone.in_(phones))
        )
    ).first()


def end_sessions(user: User) -> None:
    """Invalidate every cookie of this user (logout ends the session on the server)."""
    user.session_token = new_session_token()
    db.session.commit()


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def create_user(
    *,
    name: str,
    role: str,
    password: str,
    username: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> User:
    """Create an account; the caller commits."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    user = User(
        name=name,
        role=role,
        username=username,
        email=email,
        phone=phone,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    return user
