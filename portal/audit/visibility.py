"""Which audit entries a staff member may read.

The audit log sits below the features and cannot know their rules, so a feature whose
records are hidden from some staff registers a rule here (`restrict`): a function
that takes the reader and returns a WHERE clause on AuditEntry of the entries it hides
from them, or None. The clause must never be NULL (true or false on every entry): the
log page counts the entries a reader may read as all entries less the hidden ones (a
seek of the hidden ones' index, where counting "not hidden" reads every entry), which
is the same number only then. The audit log page shows only the entries no rule
hides. Complaints register one: the entries of a complaint that names a staff member
are read only by those who may read the complaint itself (the village head, the BPD,
admins, never the person named).

A rule's clause may depend on the reader's id and role only: the clauses (and the
log's statements built on them) are kept per reader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import not_, or_, true

_RULES: dict[str, Callable] = {}
# The clauses per reader (id, role); emptied when a rule is registered.
_KEPT: dict[tuple, tuple[Any, Any]] = {}
KEPT_READERS = 500


def restrict(name: str, rule: Callable) -> None:
    """Register (or replace) the rule called `name`: rule(user) -> the clause of the
    entries hidden from `user` (never NULL), or None."""
    _RULES[name] = rule
    _KEPT.clear()


def reader_key(user) -> tuple:
    """What a rule may depend on: the reader's id and role."""
    return (getattr(user, "id", None), getattr(user, "role", None))


def _clauses(user) -> tuple[Any, Any]:
    key = reader_key(user)
    found = _KEPT.get(key)
    if found is None:
        if len(_KEPT) >= KEPT_READERS:
            _KEPT.clear()
        clauses = [c for rule in _RULES.values() if (c := rule(user)) is not None]
        hidden = or_(*clauses) if clauses else None
        found = (true(), None) if hidden is None else (not_(hidden), hidden)
        _KEPT[key] = found
    return found


def readable_by(user):
    """A WHERE clause on AuditEntry: the entries `user` may read (kept per reader)."""
    return _clauses(user)[0]


def hidden_from(user):
    """A WHERE clause on AuditEntry: the entries hidden from `user`, never NULL; None
    when no rule hides any (kept per reader, the same object for the same reader)."""
    return _clauses(user)[1]
