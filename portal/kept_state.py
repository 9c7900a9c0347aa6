"""Values one worker keeps while a version read from the database says they still hold.

A page whose reads are expensive but whose data change rarely reads a cheap version
first (a stamp set by database triggers, the number of entries of an append-only log),
in the same transaction as the data, and keeps what it built under that version:
`kept_under()` gives the kept value while the version is the same and builds it again
when it is not. Why the version names the data is the caller's to show (see
portal/registry/services/stamp.py and portal/audit/services.py). The pages are still
rendered for every request; what is kept is shared by the requests that ask: read it,
never change it. Each worker keeps its own, in `current_app.extensions[name]`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


def kept_under(
    name: str, key: Hashable, version: Hashable, build: Callable[[], T], *, limit: int
) -> T:
    """What `build()` gave for `key` under `version`, or `build()` again (and kept) when
    the version differs or nothing is kept; at most `limit` keys, all dropped when a new
    one would pass it."""
    store: dict = current_app.extensions.setdefault(name, {})
    found = store.get(key)
    if found is not None and found[0] == version:
        return found[1]
    value = build()
    if key not in store and len(store) >= limit:
        store.clear()
    store[key] = (version, value)
    return value
