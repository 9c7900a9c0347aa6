"""Flask-WTF's CSRF token, signed once a minute per session instead of on every page.

Flask-WTF keeps a random secret in the session and, on every request that shows a form
or the htmx header (every page of someone logged in), signs it afresh with itsdangerous
(an HMAC, base64 and a timestamp: some 165 Python calls, 30 us). A token signed for the
same session secret a moment ago is just as good: it names the same secret, and it
expires (WTF_CSRF_TIME_LIMIT, an hour) at most REUSE_SECONDS earlier than a new one
would. So the signed token is kept per worker for REUSE_SECONDS, keyed by the signing
key, the field name and the session's secret (a bounded dictionary, cleared when full).

Checking a token is Flask-WTF's own, unchanged. `flask_wtf.csrf.generate_csrf` is the
function its forms, its template global and its context processor call (looked up in
that module at each call, the global at `init_app`): `reuse_signed_tokens()` replaces it
there before `csrf.init_app`; tests/test_library_overrides.py fails if a release moves
those calls.
"""

from __future__ import annotations

import time

import flask_wtf.csrf
from flask import session
from flask.globals import _cv_app

REUSE_SECONDS = 60
MAX_KEPT = 4096

_own = flask_wtf.csrf.generate_csrf
_kept: dict[tuple, tuple[str, float]] = {}


def generate_csrf(secret_key=None, token_key=None) -> str:
    """Flask-WTF's `generate_csrf`, answering a token signed within REUSE_SECONDS for the
    same session secret when there is one."""
    # The app context looked up once (a page asks for its token several times; each
    # use of the current_app and g proxies looks the context up again).
    context = _cv_app.get()
    app = context.app
    config = app.config
    field = token_key or config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    token = context.g.__dict__.get(field)
    if token is not None:
        return token
    secret = secret_key or config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    now = time.monotonic()
    kept = _kept.get((secret, field, session.get(field)))
    if kept is not None and now - kept[1] < REUSE_SECONDS:
        setattr(context.g, field, kept[0])
        return kept[0]
    token = _own(secret_key, token_key)  # makes the session's secret if it has none
    raw = session.get(field)
    if isinstance(raw, str):
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        _kept[(secret, field, raw)] = (token, now)
    return token


def reuse_signed_tokens() -> None:
    """Make Flask-WTF call `generate_csrf` above (once per process; before init_app)."""
    flask_wtf.csrf.generate_csrf = generate_csrf
