"""Flask's signed session cookie, checked once a minute per cookie instead of on every page.

Every request that carries the session cookie (every page of someone logged in) had
Flask build a new itsdangerous serializer, check the cookie's HMAC and its age, decode
its base64 and parse its tagged JSON: some 235 Python calls, before the view ran. The
same cookie text always holds the same session (the signature covers all of it), so a
cookie that passed the check is kept per worker for REUSE_SECONDS with what it holds,
and answered again from there: never past the moment its own age check would refuse it
(PERMANENT_SESSION_LIFETIME after it was signed), keyed by the serializer (the secret
keys) and the lifetime, in a bounded dictionary cleared when full.

Only what Flask would accept is kept (a cookie with a wrong signature is checked, and
refused, every time), and only sessions of plain values (strings, numbers): each request
gets its own session object, so a change made in one request never reaches another; a
session holding a list or a dict (flashed messages) is checked every time, as before.
Writing the cookie is Flask's own, with the serializer built once. A session that is not
written back (unchanged, not refreshed) only gets "Cookie" in `Vary`, as Flask's own adds
it, without parsing the header when the first one already names it.
"""

from __future__ import annotations

import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

REUSE_SECONDS = 60
MAX_KEPT = 4096
_PLAIN = (str, int, float, bool, type(None))


class KeptSessionInterface(SecureCookieSessionInterface):
    """Flask's SecureCookieSessionInterface with its serializer built once per set of
    keys and each checked cookie kept for a minute (see the module's text)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}
        self._kept: dict[tuple, tuple[dict, float]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if len(self._serializers) >= 16:
                self._serializers.clear()
            self._serializers[keys] = serializer
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (serializer, max_age, value)
        now = time.time()
        kept = self._kept.get(key)
        if kept is not None and now < kept[1]:
            return self.session_class(kept[0])
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(type(v) in _PLAIN for v in data.values()):
            if len(self._kept) >= MAX_KEPT:
                self._kept.clear()
            # itsdangerous refuses the cookie once int(now) - signed_at > max_age.
            until = min(now + REUSE_SECONDS, signed_at.timestamp() + max_age + 1)
            self._kept[key] = (dict(data), until)
        return self.session_class(data)

    def save_session(self, app: Flask, session, response) -> None:
        if session and not session.modified and not self.should_set_cookie(app, session):
            # All Flask's own would do: add "Cookie" to the first Vary header (parsed
            # into a HeaderSet and written back) when the session was looked at.
            if session.accessed and not _varies_by_cookie(response):
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def _varies_by_cookie(response) -> bool:
    """Whether the response's first Vary header names Cookie (what `response.vary` reads)."""
    for name, value in response.headers._list:
        if name.lower() == "vary":
            return "cookie" in {part.strip().lower() for part in value.split(",")}
    return False
