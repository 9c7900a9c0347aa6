"""Which audit entries a staff member may read.

The audit log sits below the features and cannot know their rules, so a feature whose
records are hidden from some staff registers a rule here (`restrict`): a function
that takes the reader and returns a WHERE clause on AuditEntry, or None. The audit log
page shows only the entries every rule lets through. Complaints register one: the
entries of a complaint that names a staff member are read only by those who may read
the complaint itself (the village head, the BPD, admins, never the person named).

A rule's clause may depend on the reader's id and role only: the clause (and the log's
statements built on it) is kept per reader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, true

_RULES: dict[str, Callable] = {}
# The clause per reader (id, role); emptied when a rule is registered.
_KEPT: dict[tuple, Any] = {}
KEPT_READERS = 500


def restrict(name: str, rule: Callable) -> None:
    """Register (or replace) the rule called `name`: rule(user) -> clause or None."""
    _RULES[name] = rule
    _KEPT.clear()


def reader_key(user) -> tuple:
    """What a rule may depend on: the reader's id and role."""
    return (getattr(user, "id", None), getattr(user, "role", None))


def readable_by(user):
    """A WHERE clause on AuditEntry: the entries `user` may read (kept per reader)."""
    key = reader_key(user)
    found = _KEPT.get(key)
    if found is None:
        if len(_KEPT) >= KEPT_READERS:
            _KEPT.clear()
        clauses = [c for rule in _RULES.values() if (c := rule(user)) is not None]
        found = _KEPT[key] = and_(true(), *clauses)
    return found
