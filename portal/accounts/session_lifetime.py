"""The absolute lifetime of a login, and the "keep me logged in" cookie.

Every login ends a fixed time after the password was typed, however busy the session
is: STAFF_SESSION_HOURS (12) for staff, MEMBER_SESSION_DAYS (30) for everyone else.
The moment of the login is kept in the signed session (and, for a member who ticked
"keep me logged in", inside the signed remember cookie, see
`portal.extensions.PortalLoginManager`), so neither a copied cookie nor activity makes
a login last longer. Staff never get the remember cookie: the form does not offer it
and the server ignores the box for a staff account.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import timedelta

from flask import current_app, flash, request, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_in

from portal.accounts import second_factor, staff_session
from portal.extensions import LOGIN_AT_KEY


def lifetime(user) -> timedelta:
    """How long one login of this user lasts at most."""
    if user.is_staff:
        return timedelta(hours=int(current_app.config.get("STAFF_SESSION_HOURS", 12)))
    return timedelta(days=int(current_app.config.get("MEMBER_SESSION_DAYS", 30)))


def may_remember(user) -> bool:
    """Only accounts that are not staff may be kept logged in on a device."""
    return not user.is_staff


def mark_login(sess: MutableMapping | None = None) -> None:
    """Start the lifetime of the login now."""
    sess = session if sess is None else sess
    sess[LOGIN_AT_KEY] = int(second_factor.clock())


@user_logged_in.connect
def _on_login(_sender, **_extra) -> None:
    """Every login_user() starts the clock (a Flask-Login signal)."""
    mark_login()


def enforce_lifetime():
    """before_request: log out a login older than its lifetime."""
    if request.endpoint in (None, "static", "accounts.logout"):
        return None
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return None
    now = int(second_factor.clock())
    started = session.get(LOGIN_AT_KEY)
    if not isinstance(started, int | float):
        # A session from before this rule (it is signed: nobody can strip the time).
        session[LOGIN_AT_KEY] = now
        return None
    if now - started <= lifetime(user).total_seconds():
        return None
    staff_session.forget()
    logout_user()
    session.pop(LOGIN_AT_KEY, None)
    flash(_("Your login has expired. Please log in again."), "info")
    view = current_app.view_functions.get(request.endpoint)
    from portal.security import PUBLIC_ATTR

    if getattr(view, PUBLIC_ATTR, False):
        return None
    from flask import url_for

    return staff_session._htmx_aware_redirect(url_for("accounts.login", next=staff_session._here()))
