"""Who may open what, safe redirects, and the response headers every page carries."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request
from flask.globals import _cv_app
from flask_login import current_user

from portal.extensions import csrf

PUBLIC_ATTR = "portal_public"
ROLES_ATTR = "portal_roles"
# False only on the views a half-logged-in staff member must reach (second step, logout).
SECOND_FACTOR_ATTR = "portal_second_factor"
# app.extensions key: who still owes the second step, and where they go (set by accounts).
SECOND_FACTOR_GATE = "portal_second_factor_gate"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def request_user():
    """The user Flask-Login loaded for this request (every page has by the time it
    renders), read from `g` itself: each look through `current_user` costs some 15
    Python calls. Through the proxy (which loads one) when none is loaded yet."""
    try:
        user = _cv_app.get().g.__dict__.get("_login_user")
    except LookupError:
        user = None
    return current_user if user is None else user


def public(view: Callable) -> Callable:
    """Mark a view as open to everyone. The URL-map test refuses unmarked views."""
    setattr(view, PUBLIC_ATTR, True)
    return view


def csrf_after_limits(view: Callable) -> Callable:
    """Check a rate-limited form's CSRF token after its rate limits instead of before.

    Put it under `@limiter.limit(...)`, right above the function. The app-wide check
    (Flask-WTF's before-request hook) runs before any view, so a script flooding a public
    form had every request's body parsed and token verified only to be refused by the
    limit afterwards; here the limiter refuses first and the token is checked next, by
    Flask-WTF itself (`csrf.protect()`), before the view runs. The view is exempt from
    the app-wide hook only because it checks here: every POST still needs its token
    (tests/test_csrf.py walks every POST route without one)."""

    @wraps(view)
    def checked(*args, **kwargs):
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        return view(*args, **kwargs)

    return csrf.exempt(checked)


def set_second_factor_gate(app: Flask, gate: Callable[[Any], Any]) -> None:
    """Register `gate(user)`: None when the user may go on, else the response that sends
    a half-logged-in staff member to the second step. The accounts package registers it
    (core does not import accounts); without one every role-checked view refuses."""
    app.extensions[SECOND_FACTOR_GATE] = gate


def _second_factor_detour(user):
    gate = current_app.extensions.get(SECOND_FACTOR_GATE)
    if gate is None:
        # Fail closed: an app built without the accounts package lets no one in.
        raise RuntimeError("no second-factor gate registered (portal.accounts sets it)")
    return gate(user)


def roles_required(*roles: str, second_factor: bool = True) -> Callable[[Callable], Callable]:
    """Allow a view only to logged-in users holding one of `roles`.

    Anonymous users go to the login page (Flask-Login's unauthorized handler);
    staff (operator, admin, auditor) who have not passed the second factor in this
    session go to that step; users with another role get 403. The roles are kept on
    the view so that a test can walk app.url_map and prove every non-public route
    names them. `second_factor=False` is only for the second step itself and logout.
    """
    if not roles:
        raise ValueError("roles_required needs at least one role")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user._get_current_object()  # once: each proxy look-up costs
            if not user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if second_factor and (detour := _second_factor_detour(user)) is not None:
                return detour
            if user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ROLES_ATTR, tuple(roles))
        setattr(wrapped, SECOND_FACTOR_ATTR, second_factor)
        return wrapped

    return decorator


def is_safe_next(target: str | None) -> bool:
    """Accept only same-site paths ("/x"), never another host or a scheme."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def configure_security(app: Flask) -> None:
    """Headers on every response; staff pages are never cached."""
    if app.config.get("BEHIND_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Only the headers the README's nginx sets (and so overwrites): X-Forwarded-For
        # and X-Forwarded-Proto. X-Forwarded-Host is not trusted: nginx passes on
        # whatever a client sends in it, and it would name the host of every link the
        # portal builds for outside (feeds, QR codes, receipts, certificates). nginx
        # passes the Host header itself (`proxy_set_header Host $host`); SERVER_NAME
        # fixes the host of those links whatever the request says.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=0)

    fixed = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if app.config.get("SESSION_COOKIE_SECURE"):
        fixed.append(("Strict-Transport-Security", "max-age=31536000"))

    @app.after_request
    def _headers(response):
        # Each header unless the view set its own: one look at the headers a response
        # has (five `setdefault`s cost some 130 Python calls on every page).
        # The fixed pairs are plain ASCII: appended to the header list as they are,
        # without Headers.extend's check of every value (some 40 calls a page).
        h = response.headers
        present = {key.lower() for key, _ in h._list}
        h._list.extend([item for item in fixed if item[0].lower() not in present])
        user = request_user()
        if user and user.is_authenticated:
            # Pages shown to a logged-in person may carry personal data.
            h["Cache-Control"] = "no-store"
        elif request.endpoint == "static":
            pass
        else:
            h.setdefault("Cache-Control", "no-cache")
        return response
