"""Writing to the audit log. Entries are added to the caller's session, so they are
committed (or rolled back) together with the change they describe."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import True_

from portal.audit.models import AuditEntry
from portal.database import read
from portal.extensions import db
from portal.kept_state import kept_under

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
    return _menus(db.session.execute(_menus_statement()))


def _menus(rows) -> dict[str, list]:
    """The menus from the rows of `_menu_branches` (kind, value, number)."""
    actions: list[str] = []
    types: list[str] = []
    actors = []
    for kind, value, number in rows:
        if kind == 0:
            actions.append(value)
        elif kind == 1:
            types.append(value)
        elif kind == 2:
            actors.append((number, value or f"#{number}"))
    actors.sort(key=lambda a: a[1])
    return {"actions": actions, "object_types": types, "actors": actors}


def _distinct(column, name: str):
    """The distinct values of an indexed, NOT NULL `column`, found by seeking its index
    from one value to the next (a recursive CTE: one index lookup a value, where
    DISTINCT or GROUP BY reads every entry of the log). The CTE (its column `value`)."""
    values = select(func.min(column).label("value")).cte(name, recursive=True)
    following = select(func.min(column)).where(column > values.c.value).scalar_subquery()
    return values.union_all(select(following).where(values.c.value.is_not(None)))


@cache
def _menu_branches() -> tuple[Select, Select, Select]:
    """`known_values`' three selects as rows (kind, value, number), to be read in one
    statement: the actions (0), the object types (1), each actor's latest name (2)."""
    actions = _distinct(AuditEntry.action, "audit_actions").c.value
    types = _distinct(AuditEntry.object_type, "audit_object_types").c.value
    actor_ids = _distinct(AuditEntry.actor_id, "audit_actors")
    actors = actor_ids.c.value
    entry = aliased(AuditEntry)
    latest = select(func.max(entry.id)).where(entry.actor_id == actors).scalar_subquery()
    no_number = cast(null(), Integer)
    return (
        select(
            literal_column("0").label("kind"), actions.label("value"), no_number.label("number")
        ).where(actions.is_not(None)),
        select(literal_column("1"), types, no_number).where(types.is_not(None)),
        select(literal_column("2"), AuditEntry.actor_name, AuditEntry.actor_id)
        .select_from(actor_ids)
        .join(AuditEntry, AuditEntry.id == latest)
        .where(actors.is_not(None)),
    )


@cache
def _menus_statement():
    return union_all(*_menu_branches()).order_by("kind", "value", "number")


# The log page's filters (`log_page`'s keyword arguments) and their conditions.
_FILTERS = {
    "action": lambda: AuditEntry.action == bindparam("action"),
    "object_type": lambda: AuditEntry.object_type == bindparam("object_type"),
    "object_id": lambda: AuditEntry.object_id == bindparam("object_id"),
    "actor_id": lambda: AuditEntry.actor_id == bindparam("actor_id"),
    "since": lambda: AuditEntry.at >= bindparam("since"),
    "before": lambda: AuditEntry.at < bindparam("before"),
}
# The log page's statements per set of filters given and reader (`_log_statements`).
_KEPT: dict[tuple, tuple] = {}
KEPT_STATEMENTS = 500


def _log_statements(given: tuple[str, ...], readable, hidden=None) -> tuple:
    """The page of entries, their count, the count with the filter menus (one
    statement) and the count with the log's number of entries (`_sized`), for the
    filters named in `given` (values as bind parameters) and the entries a reader may
    read (`readable`, visibility.readable_by's clause, kept per reader): built once per
    process and kind of request. With `hidden` (the same reader's
    visibility.hidden_from, never NULL) the entries are counted as all that match less
    the hidden ones: an index seeks these, where counting the readable ones tests every
    entry of the log."""
    key = (given, id(readable), id(hidden))
    found = _KEPT.get(key)
    if found is not None and found[0] is readable and found[1] is hidden:
        return found[2]
    filters = [_FILTERS[name]() for name in given]
    conditions = [*filters, readable]
    shown = (
        select(
            AuditEntry.at,
            AuditEntry.actor_name,
            AuditEntry.ip,
            AuditEntry.action,
            AuditEntry.object_type,
            AuditEntry.object_id,
            AuditEntry.summary,
            cast(AuditEntry.before, Text),
            cast(AuditEntry.after, Text),
        )
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    if hidden is None:
        number = select(func.count()).select_from(AuditEntry).where(*conditions)
    else:
        matching = select(func.count()).select_from(AuditEntry).where(*filters)
        not_read = select(func.count()).select_from(AuditEntry).where(*filters, hidden)
        number = select(matching.scalar_subquery() - not_read.scalar_subquery())
    counted = select(
        literal_column("3"), cast(null(), String), number.scalar_subquery().label("number")
    )
    with_menus = union_all(*_menu_branches(), counted).order_by("kind", "value", "number")
    if len(_KEPT) >= KEPT_STATEMENTS:
        _KEPT.clear()
    statements = (shown, number, with_menus, _sized(bool(given), filters, readable, hidden))
    _KEPT[key] = (readable, hidden, statements)
    return statements


def _sized(filtered: bool, filters: list, readable, hidden) -> Select:
    """The number of entries in the log (the kept menus' key, `_kept_menus`) and the
    page's count as two numbers, counted and less (the count is counted - less;
    counted NULL stands for all the entries), so that SQLite counts the whole log once
    when it is both the key and the count (no filters)."""

    def number(*conditions):
        return select(func.count()).select_from(AuditEntry).where(*conditions).scalar_subquery()

    everything = cast(null(), Integer)
    if hidden is None:
        less = literal_column("0")
        unlimited = not filtered and isinstance(readable, True_)
        counted = everything if unlimited else number(*filters, readable)
    else:
        less = number(*filters, hidden)
        counted = number(*filters) if filtered else everything
    entries = select(func.count()).select_from(AuditEntry).scalar_subquery()
    return select(entries.label("entries"), counted.label("counted"), less.label("less"))


# The log's filter menus as last read, per worker: (the number of entries, the menus).
MENUS_EXTENSION = "audit_log_menus"


def _kept_menus(session, values: dict, sized: Select) -> tuple[int, dict[str, list]]:
    """The page's count and the filter menus, the menus read again only when the log's
    number of entries changed (SQLite; the caller's transaction has written no entry).

    Why: the menus (three walks of an index, a few dozen rows) were most of the page's
    SQL and rows, and they change only with a new action, kind of record or actor.

    Why it stays true: the log is append-only (triggers refuse UPDATE and DELETE, on
    every writer: audit/ddl.py) and SQLite commits one writer at a time, so the states
    of the log a transaction can see form one chain, each with more entries than the
    one before: the number of entries names the state, and the menus (each actor's
    latest name included) are a function of it. The number is read in the request's
    transaction, as the page's rows and count are (one snapshot). Entries the caller's
    own transaction wrote and may roll back would break this: hence the caller's word
    (`log_page`'s kept_menus). Each worker keeps its own copy of the one latest state
    (`portal.kept_state.kept_under`)."""
    entries, counted, less = read(session, sized, values).one()
    number = (entries if counted is None else counted) - less
    menus = kept_under(
        MENUS_EXTENSION,
        None,
        entries,
        lambda: _menus(read(session, _menus_statement())),
        limit=1,
    )
    return number, menus


def log_page(
    readable,
    *,
    page: int,
    per_page: int,
    menus: bool,
    hidden=None,
    kept_menus: bool = False,
    **filters,
) -> tuple[list, int, dict[str, list] | None]:
    """A page of the entries matching `filters` (`entries_query`'s) that `readable` lets
    through, newest first, as rows (at, actor_name, ip, action, object_type, object_id,
    summary, before, after; before and after as their stored JSON text); the number of
    them; and with `menus` the filter menus (`known_values`), else None. `hidden`, the
    reader's visibility.hidden_from (the entries `readable` keeps out), makes the count
    cheaper (`_log_statements`). `kept_menus`: the caller's transaction has written no
    audit entry (a GET's), so on SQLite the menus may be the worker's copy
    (`_kept_menus`); otherwise they are read with the count in one statement."""
    values = {name: value for name, value in filters.items() if value}
    shown, count, with_menus, sized = _log_statements(tuple(values), readable, hidden)
    # Plain columns: past the ORM's execution path (portal.database.read).
    session = db.session
    window = {"limit": per_page, "offset": (page - 1) * per_page}
    rows = read(session, shown, {**values, **window}).all()
    if not menus:
        return rows, read(session, count, values).scalar(), None
    if kept_menus and session.get_bind().dialect.name == "sqlite":
        return rows, *_kept_menus(session, values, sized)
    found = read(session, with_menus, values).all()
    return rows, found[-1][2], _menus(found)
