"""Friendly error pages, in the reader's language, for people and for htmx."""

from __future__ import annotations

import time

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please try again.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("The page you were looking for does not exist or has moved.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (
        _l("File too large"),
        _l("The file you sent is larger than the portal accepts. Please send a smaller file."),
    ),
    429: (
        _l("Too many attempts"),
        _l("You have tried too often in a short time. Please wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("The portal could not finish your request. The village office has been told."),
    ),
}


def _page(code: int, detail=None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def _too_many():
    """The 429 page, rendered once per worker, language and path for anonymous visitors.

    A flood of refused requests (a script hammering the self-check) must cost the
    server little, so the rest of the site keeps its throughput: rendering the page
    with the layout is most of what a refused request costs. A logged-in visitor's page
    carries their menu and a CSRF token, so it is always rendered afresh.
    """
    from flask import current_app, g, request, session
    from flask_babel import get_locale
    from flask_login import current_user

    from portal.htmx import is_htmx
    from portal.public import cache as page_cache

    store = current_app.extensions.get(page_cache.EXTENSION)
    if store is None or current_user.is_authenticated or session.get("_flashes"):
        return _page(429)
    key = ("429", request.host, request.full_path, str(get_locale()), is_htmx())
    generation = store.generation()
    entry = store.get(key, generation)
    if entry is not None:
        return current_app.response_class(entry.body, status=429, headers=list(entry.headers))
    body, status = _page(429)
    token = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if not session.modified and token not in g:
        store.put(
            key,
            page_cache.Entry(
                body.encode(),
                status,
                (("Content-Type", "text/html; charset=utf-8"),),
                generation,
                time.monotonic() + store.ttl,
            ),
        )
    return body, status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        from flask_babel import gettext as _

        return _page(
            400,
            _(
                "This form has expired or was not sent from this portal. Please reload the "
                "page and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code == 429:
            return _too_many()
        if error.code in MESSAGES:
            return _page(error.code)
        return error

    @app.errorhandler(500)
    def _internal(error):
        from portal.extensions import db

        db.session.rollback()
        return _page(500)
