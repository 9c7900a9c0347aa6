"""A short-lived cache of rendered public pages, for anonymous visitors only.

Why: a public page costs several times more to render than the bare request (the
templates, translations and date formatting dominate, not the queries), and the
same few pages (home, the announcement list, a new announcement) are what a whole
village opens at once after a notice goes out. Rendering them once per few seconds
instead of once per visitor keeps a small server responsive.

Rules, each one checked before a page is served from or put into the cache:

- only GET requests from visitors who are not logged in; a logged-in person always
  gets a freshly rendered page (it may carry personal data and a CSRF token);
- never when the visitor has flashed messages waiting, nor when the request switches
  the language (?lang=, which sets a cookie);
- only a 200 text/html or Atom response that sets no cookie, did not change the
  session and did not create a CSRF token;
- the key is the host, the full path with its query, the reader's language and
  whether htmx asked for a fragment: everything else a public page depends on is
  the database, the clock and the code.

Freshness, correct with several gunicorn workers: each entry lives at most
PUBLIC_CACHE_SECONDS (default 30; 0 turns the cache off). Besides, every commit that
changes public content (the tables each feature names with `watch`) replaces a
small "generation" file in the instance folder, and every lookup compares that
file's identity with the one the entry was rendered under (one os.stat). So on one
server a change is visible to the next visitor in every worker; only servers that do
not share the instance folder wait for the TTL.

The cache lives in each worker's memory, bounded to PUBLIC_CACHE_ENTRIES pages.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, current_app, g, has_app_context, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.files import open_private
from portal.htmx import is_htmx

EXTENSION = "portal_public_cache"
GENERATION_FILE = "public-cache-generation"
HEADER = "X-Portal-Cache"
# A change to any of these may show on a cached page; features add theirs with watch().
# The models public pages show: each feature names its own with watch().
WATCHED: tuple[type, ...] = ()
WATCHED_TABLES = frozenset(m.__tablename__ for m in WATCHED)
CACHEABLE_TYPES = ("text/html", "application/atom+xml")
MAX_ENTRY_BYTES = 512 * 1024
_CHANGED = "portal_public_content_changed"


@dataclass(frozen=True)
class Entry:
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]
    generation: tuple[int, int] | None
    expires: float


class PageCache:
    """Least-recently-used pages of one worker, safe to share between its threads."""

    def __init__(self, ttl: int, max_entries: int, generation_path: str):
        self.ttl = ttl
        self.max_entries = max_entries
        self.generation_path = generation_path
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def generation(self) -> tuple[int, int] | None:
        """Identity of the generation file: it is replaced, never edited, on a change."""
        try:
            st = os.stat(self.generation_path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def get(self, key: tuple, generation) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires <= time.monotonic() or entry.generation != generation:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def bump_generation(instance_path: str) -> None:
    """Tell every worker on this server that public content changed.

    A new file replaces the old one atomically, so its inode (and time) differ from
    what any cached entry was rendered under.
    """
    path = os.path.join(instance_path, GENERATION_FILE)
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}"
    with open_private(tmp, "w") as fh:
        fh.write(f"{time.time_ns()}\n")
    os.replace(tmp, path)


def watch(*models: type) -> None:
    """Treat a commit that changes any of `models` (through the ORM or a bulk INSERT,
    UPDATE or DELETE) as a change of public content: every worker drops its pages.

    Each feature whose public pages are cached calls this once for the tables those
    pages show (public content, CSR board, recipient lists, participation, training).
    """
    global WATCHED, WATCHED_TABLES
    WATCHED = (*WATCHED, *(m for m in models if m not in WATCHED))
    WATCHED_TABLES = frozenset(m.__tablename__ for m in WATCHED)


def _mark_if_public(session: Session, objects) -> None:
    if any(isinstance(obj, WATCHED) for obj in objects):
        session.info[_CHANGED] = True


def _after_flush(session, _context) -> None:
    _mark_if_public(session, (*session.new, *session.dirty, *session.deleted))


def _do_orm_execute(state) -> None:
    # Bulk INSERT/UPDATE/DELETE statements bypass the flush.
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    table = getattr(state.statement, "table", None)
    if (mapper is not None and issubclass(mapper.class_, WATCHED)) or (
        getattr(table, "name", None) in WATCHED_TABLES
    ):
        state.session.info[_CHANGED] = True


def _after_commit(session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context():
        cache = current_app.extensions.get(EXTENSION)
        if cache is not None:
            try:
                bump_generation(current_app.instance_path)
            except OSError:
                # The change is committed; a read-only instance folder must not turn it
                # into an error. Cached pages then age out within the TTL.
                current_app.logger.warning("public page cache: cannot write %s", GENERATION_FILE)


def _after_rollback(session) -> None:
    session.info.pop(_CHANGED, None)


_listening = False


def _listen() -> None:
    """Session events are global; install them once per process."""
    global _listening
    if _listening:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _do_orm_execute)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    _listening = True


def init_app(app: Flask) -> None:
    """Give the app its page cache (none when PUBLIC_CACHE_SECONDS is 0)."""
    ttl = int(app.config.get("PUBLIC_CACHE_SECONDS", 0) or 0)
    if ttl <= 0:
        return
    _listen()
    app.extensions[EXTENSION] = PageCache(
        ttl=ttl,
        max_entries=int(app.config.get("PUBLIC_CACHE_ENTRIES", 500)),
        generation_path=os.path.join(app.instance_path, GENERATION_FILE),
    )


def _request_key(*, any_method: bool = False) -> tuple | None:
    """The cache key of this request, or None when it must be rendered afresh."""
    if (request.method != "GET" and not any_method) or "lang" in request.args:
        return None
    if current_user.is_authenticated or session.get("_flashes"):
        return None
    return (request.host, request.full_path, str(get_locale()), is_htmx())


def _storable(response, status: int = 200) -> bool:
    if response.status_code != status or response.direct_passthrough or response.is_streamed:
        return False
    if response.mimetype not in CACHEABLE_TYPES or "Set-Cookie" in response.headers:
        return False
    if response.cache_control.private or response.cache_control.no_store:
        return False
    # The page must not depend on this visitor: no session change, no CSRF token.
    token = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return not session.modified and token not in g


def _serve(cache: PageCache, key: tuple, render: Callable, ttl: int, status: int = 200):
    """The response for `key` from the cache, or rendered and kept when the rules allow."""
    # Read before rendering: a change committed meanwhile makes this entry stale.
    generation = cache.generation()
    entry = cache.get(key, generation)
    if entry is not None:
        response = current_app.response_class(
            entry.body, status=entry.status, headers=list(entry.headers)
        )
        response.headers[HEADER] = "hit"
        return response
    response = make_response(render())
    if ttl > 0 and _storable(response, status):
        body = response.get_data()
        if len(body) <= MAX_ENTRY_BYTES:
            headers = tuple((k, v) for k, v in response.headers if k != "Content-Length")
            cache.put(
                key,
                Entry(body, response.status_code, headers, generation, time.monotonic() + ttl),
            )
    response.headers[HEADER] = "miss"
    return response


def cached_page(view: Callable | None = None, *, seconds: Callable[[], int] | None = None):
    """Serve a public view from the page cache when the rules above allow it.

    `@cached_page(seconds=f)` keeps that view's pages at most `f()` seconds (and never
    longer than PUBLIC_CACHE_SECONDS; 0 or less: not kept), for pages that change
    without a commit to a watched table, such as live ballot results."""
    if view is None:
        return lambda inner: cached_page(inner, seconds=seconds)

    @wraps(view)
    def wrapped(*args, **kwargs):
        cache: PageCache | None = current_app.extensions.get(EXTENSION)
        key = _request_key() if cache is not None else None
        if key is None:
            return view(*args, **kwargs)
        ttl = cache.ttl if seconds is None else min(cache.ttl, seconds())
        return _serve(cache, key, lambda: view(*args, **kwargs), ttl)

    return wrapped


def cached_refusal(render: Callable):
    """The page of a refused request (429, any method) under the same rules: kept per
    worker, language and path for anonymous visitors, so that a script hammering a form
    costs the server little and the rest of the site keeps its throughput."""
    cache: PageCache | None = current_app.extensions.get(EXTENSION)
    key = _request_key(any_method=True) if cache is not None else None
    if key is None:
        return make_response(render())
    return _serve(cache, ("refused", *key), render, cache.ttl, status=429)
