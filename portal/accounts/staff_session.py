"""What a staff session carries besides the login: the second factor and the idle clock.

A staff member who typed the right password is only half logged in: the session
holds their login but not yet the mark that says "second factor passed". That mark
names the exact login (user id and session token), so it dies with a logout, a
password change or a reset, and never carries over to another account.

The session also remembers when the staff member last sent a request; after
STAFF_IDLE_MINUTES without one the session ends.
"""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.accounts import second_factor
from portal.security import PUBLIC_ATTR, is_safe_next

VERIFIED_KEY = "_staff_2fa"
LAST_SEEN_KEY = "_staff_seen"
CLOCK_STEP_SECONDS = 60  # how far the idle clock may lag before it is written again


def mark_verified(user, sess: MutableMapping | None = None) -> None:
    """Record in the session that this login passed the second factor."""
    sess = session if sess is None else sess
    sess[VERIFIED_KEY] = user.get_id()
    sess[LAST_SEEN_KEY] = int(second_factor.clock())


def mark_seen(sess: MutableMapping | None = None) -> None:
    """Restart the idle clock (a staff login just happened)."""
    sess = session if sess is None else sess
    sess[LAST_SEEN_KEY] = int(second_factor.clock())


def forget(sess: MutableMapping | None = None) -> None:
    """Drop the second-factor mark and the idle clock (logout, new login)."""
    sess = session if sess is None else sess
    sess.pop(VERIFIED_KEY, None)
    sess.pop(LAST_SEEN_KEY, None)


def is_verified(user, sess: MutableMapping | None = None) -> bool:
    """True when this session passed the second factor for exactly this login."""
    sess = session if sess is None else sess
    mark = sess.get(VERIFIED_KEY)
    return isinstance(mark, str) and secrets.compare_digest(mark, user.get_id())


def needs_second_factor(user) -> bool:
    """A logged-in staff member who has not passed the second step in this session."""
    return bool(user.is_authenticated and user.is_staff and not is_verified(user))


def _htmx_aware_redirect(location: str):
    # htmx would follow a plain redirect and swap a whole page into a fragment.
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location)


def _here() -> str | None:
    """The current address, to come back to after the second step (GET only)."""
    if request.method != "GET":
        return None
    path = request.full_path
    return path[:-1] if path.endswith("?") else path


def second_factor_redirect():
    """Send a half-logged-in staff member to the second step, keeping where they were."""
    return _htmx_aware_redirect(url_for("accounts.second_factor", next=_here()))


def second_factor_gate(user):
    """portal.security's check in every `roles_required` view: None, or the way to the
    second step for a staff member who has not passed it in this session."""
    return second_factor_redirect() if needs_second_factor(user) else None


def idle_limit_seconds() -> int:
    return int(current_app.config.get("STAFF_IDLE_MINUTES", 30)) * 60


def enforce_idle_timeout():
    """before_request: end a staff session that sat idle too long, else restart its clock.

    The clock is in the signed session cookie, so an old copy of the cookie (a shared
    PC, a browser left open) is useless once the time has passed. It is written again
    only when it is a minute or more behind: rewriting and signing the cookie on every
    request cost every staff page about a tenth of a millisecond, and the idle limit is
    counted in minutes (a session may end up to a minute early, never late).
    """
    if request.endpoint in (None, "static", "accounts.logout"):
        # Logging out after the idle time should still end the session on the server.
        return None
    user = current_user._get_current_object()
    if not user.is_authenticated or not user.is_staff:
        return None
    now = int(second_factor.clock())
    seen = session.get(LAST_SEEN_KEY)
    if isinstance(seen, int | float) and now - seen > idle_limit_seconds():
        minutes = int(current_app.config.get("STAFF_IDLE_MINUTES", 30))
        forget()
        logout_user()
        flash(
            _(
                "You were logged out after %(minutes)d minutes without activity. "
                "Please log in again.",
                minutes=minutes,
            ),
            "info",
        )
        view = current_app.view_functions.get(request.endpoint)
        if getattr(view, PUBLIC_ATTR, False):
            return None  # a public page still shows, now logged out
        return _htmx_aware_redirect(url_for("accounts.login", next=_here()))
    if not isinstance(seen, int | float) or now - seen >= CLOCK_STEP_SECONDS:
        session[LAST_SEEN_KEY] = now
    return None


def safe_next(target: str | None) -> str | None:
    """`target` when it is a same-site path other than the second step itself."""
    if not is_safe_next(target):
        return None
    path = urlsplit(target).path
    if path.startswith(url_for("accounts.second_factor")):
        return None
    return target
