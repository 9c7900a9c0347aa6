"""Writing to the audit log. Entries are added to the caller's session, so they are
committed (or rolled back) together with the change they describe."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from sqlalchemy import Select, func, select

from portal.audit.models import AuditEntry
from portal.extensions import db

_SIXTEEN_DIGITS = re.compile(r"\b(\d{4})\d{8}(\d{4})\b")
# In what a person searched for: a run of 8 or more digits, perhaps in groups
# ("3201 0145", "0812-3456-7890"): part of a NIK or KK number, or a phone number.
_DIGIT_RUN = re.compile(r"\d(?:[\s.\-]*\d){7,}")
# The names under which a search's words are recorded (the filters of an export, say).
QUERY_KEYS = frozenset({"q", "query", "search", "words"})


def mask_query(text: str) -> str:
    """Search words for the log: a 16-digit number as 3201********0001, any other run of
    8 or more digits (a partial NIK, a phone number) as its first four and stars."""
    text = mask_numbers(text)

    def hide(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group())
        return digits[:4] + "*" * (len(digits) - 4)

    return _DIGIT_RUN.sub(hide, text)


def mask_numbers(value: Any) -> Any:
    """Mask any 16-digit number (NIK, KK) inside a value: 3201********0001; under a
    search key (`QUERY_KEYS`) also shorter runs of digits (`mask_query`)."""
    if isinstance(value, str):
        return _SIXTEEN_DIGITS.sub(lambda m: m.group(1) + "********" + m.group(2), value)
    if isinstance(value, dict):
        return {
            k: mask_query(v) if k in QUERY_KEYS and isinstance(v, str) else mask_numbers(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_numbers(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def record(
    action: str,
    object_type: str,
    object_id: Any = None,
    *,
    actor=None,
    summary: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "name", None),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=mask_numbers(summary)[:300] if summary else None,
        before=mask_numbers(before) if before else None,
        after=mask_numbers(after) if after else None,
        ip=ip,
    )
    db.session.add(entry)
    return entry


def snapshot(obj, fields) -> dict:
    """The named fields of a model object, for before/after values."""
    return {f: mask_numbers(getattr(obj, f)) for f in fields}


def entries_query(
    *,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: int | None = None,
    since=None,
    before=None,
):
    """The audit entries matching a filter, newest first (a SELECT to paginate).

    `since` and `before` are timezone-aware datetimes (from inclusive, to exclusive).
    """
    stmt = select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if actor_id:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if before is not None:
        stmt = stmt.where(AuditEntry.at < before)
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def known_values() -> dict[str, list]:
    """The actions, object types and actors that occur in the log (for filter menus).

    Each actor is named as on their latest entry: the log keeps the name it was written
    under, so the menu needs no user table (audit sits below accounts)."""
    actions, types, latest_names = _known_value_statements()
    rows = db.session.execute(latest_names)
    actors = sorted(((uid, name or f"#{uid}") for uid, name in rows), key=lambda a: a[1])
    return {
        "actions": list(db.session.scalars(actions)),
        "object_types": list(db.session.scalars(types)),
        "actors": actors,
    }


@cache
def _known_value_statements() -> tuple[Select, Select, Select]:
    """`known_values`' three statements, built once per process (none has a value)."""
    latest = (
        select(func.max(AuditEntry.id))
        .where(AuditEntry.actor_id.is_not(None))
        .group_by(AuditEntry.actor_id)
    )
    return (
        select(AuditEntry.action).distinct().order_by(AuditEntry.action),
        select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type),
        select(AuditEntry.actor_id, AuditEntry.actor_name).where(AuditEntry.id.in_(latest)),
    )
