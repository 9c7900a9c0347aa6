"""When the database is away: a friendly 503 page instead of a traceback, and recovery
without a restart.

A database that stops (PostgreSQL restarting, the network to it cut, an SQLite file
locked by a backup or a long import for longer than the busy timeout) makes SQLAlchemy
raise an `OperationalError` (or `InterfaceError`, or a pool timeout). Any request that
meets one rolls its session back and answers 503 with `Retry-After`, in the reader's
language, rendered as for an anonymous visitor (looking up the signed-in user needs
the database). Nothing was written: the request's transaction never committed.

Recovery needs nothing: `pool_pre_ping` (portal/config.py) tests a pooled connection
before each use and replaces it when the server went away, and a connection that broke
in the middle of a query is invalidated by SQLAlchemy, so the first request after the
database is back gets a fresh connection. `/healthz` answers 503 while it is away.
Other database errors (a broken constraint, bad SQL) are bugs or rules and keep
their usual path (the 500 page).
"""

from __future__ import annotations

from flask import Flask, current_app, g, render_template
from sqlalchemy import exc

from portal.i18n import lazy_gettext as _l

RETRY_AFTER_SECONDS = 30

TITLE = _l("The portal is busy for a moment")
MESSAGE = _l(
    "The portal cannot reach its database right now. Nothing you sent was saved. "
    "Please wait a minute and try again."
)


def is_outage(error: BaseException) -> bool:
    """True when the error says the database could not be reached or used right now."""
    if isinstance(error, exc.OperationalError | exc.InterfaceError | exc.TimeoutError):
        return True
    return isinstance(error, exc.DBAPIError) and bool(error.connection_invalidated)


def unavailable_response():
    """The 503 page. Safe to build while the database is away: it reads nothing from it."""
    from portal.extensions import db

    try:
        db.session.rollback()
    except exc.SQLAlchemyError:  # the connection may be gone; the pool replaces it later
        db.session.invalidate()
    # The page is rendered as for an anonymous visitor: loading (or refreshing) the
    # signed-in user would query the database again.
    g._login_user = current_app.login_manager.anonymous_user()
    body = render_template("errors/error.html", code=503, title=TITLE, message=MESSAGE)
    return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}


def register(app: Flask) -> None:
    @app.errorhandler(exc.DBAPIError)
    @app.errorhandler(exc.TimeoutError)
    def _database_error(error):
        if not is_outage(error):
            raise error
        app.logger.warning("database unavailable: %s", str(error).splitlines()[0][:300])
        return unavailable_response()
