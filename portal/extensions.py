"""Flask extensions, created unbound here and bound to the app in create_app().

Nothing in the project imports a global app: features import these objects instead.
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_login.config import COOKIE_NAME
from flask_login.utils import _create_identifier, decode_cookie
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from portal import limits_memory  # noqa: F401  (registers the sweeping-memory:// scheme)

# Named constraints, so that Alembic can alter and drop them on every engine.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()


# When the login happened (seconds since the epoch), in the session.
LOGIN_AT_KEY = "_login_at"


class PortalLoginManager(LoginManager):
    """Flask-Login, except that a session in which nobody has signed in is left as it is.

    Flask-Login's session protection marks any non-empty session whose `_id` does not
    match this client `_fresh = False`, a session holding only a CSRF token included:
    that rewrites the cookie of an anonymous visitor whenever the current user is looked
    at, which makes the page uncacheable and costs a cookie signature on every request
    of a script that keeps sending the cookie it was first given (the self-check flood
    in bench/lists.py). Protection only matters for a signed-in user, so with no user id
    in the session and no remember cookie the visitor is anonymous at once.

    `_load_user` and `_update_request_context_with_user` are Flask-Login 0.6's own
    (undocumented) steps: the version is pinned in pyproject.toml, and
    tests/test_library_overrides.py (and the cookie test in tests/test_csrf.py) fail if a
    release changes them."""

    def _load_user(self):
        cookie = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
        if "_user_id" not in session and cookie not in request.cookies:
            return self._update_request_context_with_user()
        return super()._load_user()

    # The remember cookie carries the moment of the login next to the user id (both
    # signed), so that a login restored from it keeps its absolute lifetime
    # (portal/accounts/session_lifetime.py) instead of starting a new one. A cookie
    # without that moment (made before this rule) restores nobody.
    def _set_cookie(self, response):
        user_id = session["_user_id"]
        session["_user_id"] = f"{user_id}|{int(session.get(LOGIN_AT_KEY, 0))}"
        try:
            super()._set_cookie(response)
        finally:
            session["_user_id"] = user_id

    def _load_user_from_remember_cookie(self, cookie):
        payload = decode_cookie(cookie)
        user_id, _sep, login_at = (payload or "").rpartition("|")
        if not user_id or not login_at.isascii() or not login_at.isdigit():
            return None
        user = super()._load_user_from_remember_cookie(self._sign(user_id))
        if user is not None:
            session[LOGIN_AT_KEY] = int(login_at)
        return user

    @staticmethod
    def _sign(payload: str) -> str:
        from flask_login.utils import encode_cookie

        return encode_cookie(payload)


# Flask-Login's session identifier (a SHA-512 of the client's address and browser),
# which its session protection works out on every logged-in request (some 30 Python
# calls), kept per worker for the three request values it is made of (bounded).
_IDENTIFIERS: dict[tuple, str] = {}
MAX_IDENTIFIERS = 4096


def kept_identifier() -> str:
    """flask_login.utils._create_identifier's answer for this request, kept by the
    X-Forwarded-For header, the remote address and the User-Agent header it reads."""
    environ = request.environ
    key = (
        environ.get("HTTP_X_FORWARDED_FOR"),
        environ.get("REMOTE_ADDR"),
        environ.get("HTTP_USER_AGENT"),
    )
    found = _IDENTIFIERS.get(key)
    if found is None:
        if len(_IDENTIFIERS) >= MAX_IDENTIFIERS:
            _IDENTIFIERS.clear()
        found = _IDENTIFIERS[key] = _create_identifier()
    return found


login_manager = PortalLoginManager()
login_manager._session_identifier_generator = kept_identifier
csrf = CSRFProtect()
babel = Babel()


def _client_key() -> str:
    return get_remote_address() or request.remote_addr or "unknown"


class PortalLimiter(Limiter):
    """Flask-Limiter, except that a page no limit applies to is not looked at again.

    Before every request Flask-Limiter works out which limits apply to the endpoint
    (defaults, application limits, the view's and its blueprint's) and evaluates them:
    some 160 Python calls on every page, when most pages have no limit at all. The
    limits are fixed once the views are registered, so an endpoint whose check found
    none (outside the in-memory fallback) is remembered and skipped afterwards. A view
    with limits of its own (login, sign-up, the checks by code) is never skipped: the
    check before the request finds its limits, and the view's decorator checks them
    itself (`callable_name`), which this never skips.

    `_Limiter__filter_limits` is Flask-Limiter 4's own (undocumented) step: the version
    is pinned in pyproject.toml and tests/test_library_overrides.py fails if a release
    changes it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._portal_unlimited: set[str] = set()

    def init_app(self, app, *args, **kwargs):
        self._portal_unlimited = set()  # a new app (the tests make many) learns afresh
        super().init_app(app, *args, **kwargs)

    def _Limiter__filter_limits(self, endpoint, blueprint, callable_name, in_middleware=False):
        limits = Limiter._Limiter__filter_limits(  # type: ignore[attr-defined]
            self, endpoint, blueprint, callable_name, in_middleware
        )
        found_none = not (limits or callable_name or self._storage_dead)
        if found_none and endpoint and in_middleware and self.enabled:
            self._portal_unlimited.add(endpoint)
        return limits

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if (
            in_middleware
            and not callable_name
            and request.endpoint in self._portal_unlimited
            and not self._storage_dead
        ):
            return None
        return super()._check_request_limit(callable_name, in_middleware)


limiter = PortalLimiter(key_func=_client_key, default_limits=[])
