"""Writing to the audit log. Entries are added to the caller's session, so they are
committed (or rolled back) together with the change they describe."""

from __future__ import annotations

import re
from typing import Any

from portal.audit.models import AuditEntry
from portal.extensions import db

_SIXTEEN_DIGITS = re.compile(r"\b(\d{4})\d{8}(\d{4})\b")


def mask_numbers(value: Any) -> Any:
    """Mask any 16-digit number (NIK, KK) inside a value: 3201********0001."""
    if isinstance(value, str):
        return _SIXTEEN_DIGITS.sub(lambda m: m.group(1) + "********" + m.group(2), value)
    if isinstance(value, dict):
        return {k: mask_numbers(v) for k, v in value.items()}
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
