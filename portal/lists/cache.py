"""The public board in the page cache (portal.public.cache): keep it fresh.

The board pages are cached for anonymous visitors like the other public pages; a
commit that publishes a version (a new ListVersion) tells every worker at once through
the cache's generation file. Published versions never change afterwards.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.lists.models import ListVersion
from portal.public import cache

_CHANGED = "portal_lists_version_published"


def _after_flush(session, _context) -> None:
    if any(isinstance(obj, ListVersion) for obj in session.new):
        session.info[_CHANGED] = True


def _after_commit(session) -> None:
    if not (session.info.pop(_CHANGED, False) and has_app_context()):
        return
    if current_app.extensions.get(cache.EXTENSION) is None:
        return
    try:
        cache.bump_generation(current_app.instance_path)
    except OSError:
        current_app.logger.warning("lists: cannot tell the page cache about a new version")


def _after_rollback(session) -> None:
    session.info.pop(_CHANGED, None)


_listening = False


def listen() -> None:
    """Install the session listeners once per process (session events are global)."""
    global _listening
    if _listening:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    _listening = True
