"""The public board in the page cache (portal.public.cache): keep it fresh.

The board, a need's page, a partner's page and the feed are cached for anonymous
visitors like the other public pages. The public cache watches only its own tables,
so this module watches the CSR ones: a commit that changed a need, a company, a
pledge, a step or a delivery (through the ORM or a bulk UPDATE, as deliveries do)
tells every worker at once, through the cache's own generation file.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.csr.models import Company, Delivery, Need, Pledge, PledgeEvent
from portal.public import cache

WATCHED = (Need, Company, Pledge, PledgeEvent, Delivery)
WATCHED_TABLES = frozenset(m.__tablename__ for m in WATCHED)
_CHANGED = "portal_csr_content_changed"


def _after_flush(session, _context) -> None:
    if any(isinstance(obj, WATCHED) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


def _do_orm_execute(state) -> None:
    # Bulk INSERT/UPDATE/DELETE statements (deliveries, status steps) bypass the flush.
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    table = getattr(state.statement, "table", None)
    if (mapper is not None and issubclass(mapper.class_, WATCHED)) or (
        getattr(table, "name", None) in WATCHED_TABLES
    ):
        state.session.info[_CHANGED] = True


def _after_commit(session) -> None:
    if not (session.info.pop(_CHANGED, False) and has_app_context()):
        return
    if current_app.extensions.get(cache.EXTENSION) is None:
        return
    try:
        cache.bump_generation(current_app.instance_path)
    except OSError:
        # Committed already; cached pages then age out within PUBLIC_CACHE_SECONDS.
        current_app.logger.warning("csr: cannot tell the page cache about a change")


def _after_rollback(session) -> None:
    session.info.pop(_CHANGED, None)


_listening = False


def listen() -> None:
    """Install the session listeners once per process (session events are global)."""
    global _listening
    if _listening:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _do_orm_execute)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    _listening = True
