"""Friendly error pages, in the reader's language, for people and for htmx."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.filecache import Busy
from portal.i18n import lazy_gettext as _l

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
    503: (
        _l("Busy"),
        _l(
            "The portal is busy making this file for other visitors. "
            "Please try again in a few seconds."
        ),
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
            # Anonymous floods get the page from the public page cache.
            from portal.cache import cached_refusal

            return cached_refusal(lambda: _page(429))
        if error.code in MESSAGES:
            return _page(error.code)
        return error

    @app.errorhandler(Busy)
    def _busy(error: Busy):
        body, code = _page(503)
        return body, code, {"Retry-After": str(error.retry_after), "Cache-Control": "no-store"}

    @app.errorhandler(500)
    def _internal(error):
        from portal.extensions import db

        db.session.rollback()
        return _page(500)
