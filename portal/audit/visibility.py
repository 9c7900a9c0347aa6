"""Which audit entries a staff member may read.

The audit log sits below the features and cannot know their rules, so a feature whose
records are hidden from some staff registers a rule here (`restrict`): a function
that takes the reader and returns a WHERE clause on AuditEntry, or None. The audit log
page shows only the entries every rule lets through. Complaints register one: the
entries of a complaint that names a staff member are read only by those who may read
the complaint itself (the village head, the BPD, admins, never the person named).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import and_, true

_RULES: dict[str, Callable] = {}


def restrict(name: str, rule: Callable) -> None:
    """Register (or replace) the rule called `name`: rule(user) -> clause or None."""
    _RULES[name] = rule


def readable_by(user):
    """A WHERE clause on AuditEntry: the entries `user` may read."""
    clauses = [c for rule in _RULES.values() if (c := rule(user)) is not None]
    return and_(true(), *clauses)
