"""What the staff page of a period (/staf/daftar-penerima/<id>) reads, in few statements.

The page showed a dozen statements' worth of ORM objects for a few columns of each: the
period, its programme, its latest approval and all its versions one statement each; a
page of entries, their count and their members' names three more; the changes, the
meetings and their attendees, the objections four. Here the period comes with its
programme's name, its latest approval and its newest version in one statement; a page of
the working list with its count and its members in one; the meetings with their
attendees in one; the changes and the objections as plain rows. The page reads the
last three together (`period_records`, one UNION ALL; tests/test_lists.py keeps the three
statements each alone, to compare). Every statement is built once per process, its values
bound on each page.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from functools import cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    Boolean,
    bindparam,
    case,
    cast,
    func,
    inspect,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from portal.database import read
from portal.extensions import db
from portal.lists.models import (
    ListApproval,
    ListAttendee,
    ListChange,
    ListDecision,
    ListEntry,
    ListObjection,
    ListPeriod,
    ListVersion,
)
from portal.programmes.models import Programme
from portal.registry.models import Household, Person
from portal.row_pages import counted_page


@dataclass(frozen=True, slots=True)
class PeriodHead:
    """The period, its programme's name, its latest approval (or None) and its newest
    version's number and approval (None without a version)."""

    period: ListPeriod
    programme_name: str
    approval: ListApproval | None
    version_number: int | None
    version_approval_id: int | None


def period_head(period_id: int) -> PeriodHead | None:
    """The period and its latest approval are plain objects of their columns, named as
    the models' attributes (the page and the services it calls read only columns; the
    template reads `rule_need_levels`, not the model's `need_levels`)."""
    statement, period_keys, approval_keys = _head_statement()
    row = read(db.session, statement, {"period_id": period_id}).first()
    if row is None:
        return None
    n = len(period_keys)
    period = SimpleNamespace(**dict(zip(period_keys, row[:n], strict=True)))
    approval = None
    if row[n + 1] is not None:  # the approval's id
        approval = SimpleNamespace(**dict(zip(approval_keys, row[n + 1 : -2], strict=True)))
    return PeriodHead(period, row[n], approval, row[-2], row[-1])


def _columns(model) -> tuple[str, ...]:
    return tuple(column.key for column in inspect(model).column_attrs)


@cache
def _head_statement():
    latest_approval = (
        select(ListApproval.id)
        .where(ListApproval.period_id == ListPeriod.id)
        .order_by(ListApproval.at.desc(), ListApproval.id.desc())
        .limit(1)
        .correlate(ListPeriod)
        .scalar_subquery()
    )
    newest_version = (
        select(func.max(ListVersion.number))
        .where(ListVersion.period_id == ListPeriod.id)
        .correlate(ListPeriod)
        .scalar_subquery()
    )
    version = aliased(ListVersion)
    period_keys, approval_keys = _columns(ListPeriod), _columns(ListApproval)
    statement = (
        select(
            *(getattr(ListPeriod, key) for key in period_keys),
            Programme.name_id,
            *(getattr(ListApproval, key) for key in approval_keys),
            version.number,
            version.approval_id,
        )
        .join(Programme, Programme.id == ListPeriod.programme_id)
        .outerjoin(ListApproval, ListApproval.id == latest_approval)
        .outerjoin(
            version, (version.period_id == ListPeriod.id) & (version.number == newest_version)
        )
        .where(ListPeriod.id == bindparam("period_id"))
    )
    assert approval_keys[0] == "id"
    return statement, period_keys, approval_keys


def named_entries_page(period_id: int, page: int, per_page: int, active: bool = True):
    """A page of the working list (as `entries_page`; its items tuples in EntryRow's
    order) and the recipient name of each of its households (as `recipient_names`): one
    statement (two past the last page, where
    no row carries the count), a row a household, its name found by the database."""
    rows, count = _named_entries_statements()
    values = {"period_id": period_id, "active": active}
    found = read(
        db.session, rows, {**values, "limit": per_page, "offset": (page - 1) * per_page}
    ).all()
    # By position (the statement's columns); RT/RW as Household.rt_rw writes it. Each
    # item a plain tuple in EntryRow's order (equal to one; rows.working_rows reads
    # them by position): a tuple display, where an EntryRow is a call a row.
    items = [
        (hid, source, decision, f"{rt:03d}/–" if rw is None else f"{rt:03d}/{rw:03d}", need, desil)
        for hid, source, decision, rt, rw, need, desil, _total, _name in found
    ]
    names = {row[0]: row[8] for row in found}
    total = found[0][7] if found else 0
    if not found and page > 1:
        total = read(db.session, count, values).scalar()
    return counted_page(items, total, page=page, per_page=per_page), names


@cache
def _named_entries_statements():
    where = (
        ListEntry.period_id == bindparam("period_id"),
        ListEntry.active == bindparam("active", type_=Boolean),
    )
    order = (Household.rw, Household.rt, Household.id)
    entries = (
        select(
            ListEntry.household_id,
            ListEntry.source,
            ListEntry.decision_id,
            Household.rt,
            Household.rw,
            Household.need_level,
            Household.desil,
            func.count().over().label("total"),
        )
        .join(Household, Household.id == ListEntry.household_id)
        .where(*where)
        .order_by(*order)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery()
    )
    head, head_id, name = _recipient_name(entries.c.household_id)
    rows = (
        select(entries, name.label("name"))
        .select_from(entries)
        .outerjoin(head, head.id == head_id)
        .order_by(entries.c.rw, entries.c.rt, entries.c.household_id)
    )
    count = (
        select(func.count())
        .select_from(ListEntry)
        .join(Household, Household.id == ListEntry.household_id)
        .where(*where)
    )
    return rows, count


def _recipient_name(household_id):
    """`recipient_name` of the household `household_id` (a column of the outer query) in
    SQL, for a page's rows only: (the head, an alias of Person to outer join on the
    condition `head.id == head_id`, and the name). The head is the first by id not merged
    away; living, it is the name; else the oldest living member not merged away (an
    unknown birth date last, then by id), else the head's name or "". Only a household
    whose head is not living (few) looks for the oldest. A row a household instead of
    one a member: a page of 33 households read 118 member rows, 0.3 ms of SQLite, to
    pick 33 names in Python (0.12 ms now)."""
    head = aliased(Person)
    head_id = (
        select(Person.id)
        .where(
            Person.household_id == household_id,
            Person.relation == "head",
            Person.merged_into_id.is_(None),
        )
        .order_by(Person.id)
        .limit(1)
        .scalar_subquery()
    )
    oldest = (
        select(Person.name)
        .where(
            Person.household_id == household_id,
            Person.status == "alive",
            Person.merged_into_id.is_(None),
        )
        .order_by(Person.birth_date.is_(None), Person.birth_date, Person.id)
        .limit(1)
        .scalar_subquery()
    )
    name = case((head.status == "alive", head.name), else_=func.coalesce(oldest, head.name, ""))
    return head, head_id, name


@dataclass(slots=True)
class DecisionRow:
    """A meeting as the page shows it, with its named attendees (rows)."""

    id: int
    held_on: Any
    place: str
    attendees_count: int
    quorum_required: int
    decisions: str
    scan_file: str | None
    attendees: list = field(default_factory=list)

    @property
    def quorum_met(self) -> bool:
        return self.attendees_count >= self.quorum_required

    @property
    def bpd_present(self) -> bool:
        return any(a.is_bpd for a in self.attendees)


@dataclass(frozen=True, slots=True)
class PeriodRecords:
    """The period's newest changes, its meetings with their attendees and its
    objections."""

    changes: list
    decisions: list[DecisionRow]
    objections: list


ChangeRow = namedtuple("ChangeRow", "at actor_name household_id action reason")
AttendeeRow = namedtuple("AttendeeRow", "attendee_id name role is_bpd user_id")
ObjectionRow = namedtuple("ObjectionRow", "id kind status")


def period_records(period_id: int, limit: int = 50) -> PeriodRecords:
    """The newest changes, the meetings and the objections, in one statement (a
    UNION ALL whose parts fill their own columns, in the order each part had)."""
    changes: list = []
    found: dict[int, DecisionRow] = {}
    objections: list = []
    values = {"period_id": period_id, "limit": limit}
    for row in read(db.session, _records_statement(), values):
        part = row[0]
        if part == 0:
            changes.append(ChangeRow._make(row[1:6]))
        elif part == 1:
            meeting = found.get(row[6])
            if meeting is None:
                meeting = found[row[6]] = DecisionRow(*row[6:13])
            if row[13] is not None:
                meeting.attendees.append(AttendeeRow._make(row[13:18]))
        else:
            objections.append(ObjectionRow._make(row[18:21]))
    return PeriodRecords(changes, list(found.values()), objections)


def _nulls(*columns) -> list:
    # Typed NULLs (PostgreSQL wants each column of a UNION of one type).
    return [cast(null(), c.type) for c in columns]


# The columns of the records' UNION, by position (the first part names them).
_RECORD_NAMES = (
    "part",
    *("c_at", "c_actor_name", "c_household_id", "c_action", "c_reason"),
    *("d_id", "d_held_on", "d_place", "d_attendees_count", "d_quorum_required"),
    *("d_decisions", "d_scan_file", "a_id", "a_name", "a_role", "a_is_bpd", "a_user_id"),
    *("o_id", "o_kind", "o_status", "c_id"),
)


@cache
def _records_statement():
    period_id = bindparam("period_id")
    change_columns = (
        ListChange.at,
        ListChange.actor_name,
        ListChange.household_id,
        ListChange.action,
        ListChange.reason,
    )
    meeting_columns = (
        ListDecision.id,
        ListDecision.held_on,
        ListDecision.place,
        ListDecision.attendees_count,
        ListDecision.quorum_required,
        ListDecision.decisions,
        ListDecision.scan_file,
        ListAttendee.id,
        ListAttendee.name,
        ListAttendee.role,
        ListAttendee.is_bpd,
        ListAttendee.user_id,
    )
    objection_columns = (ListObjection.id, ListObjection.kind, ListObjection.status)
    no_change_id = cast(null(), ListChange.id.type)
    newest = (
        select(*change_columns, ListChange.id)
        .where(ListChange.period_id == period_id)
        .order_by(ListChange.at.desc(), ListChange.id.desc())
        .limit(bindparam("limit"))
        .subquery()
    )
    first = (
        literal_column("0"),
        *newest.c[:5],
        *_nulls(*meeting_columns, *objection_columns),
        newest.c[5],
    )
    changes = select(*[c.label(name) for c, name in zip(first, _RECORD_NAMES, strict=True)])
    meetings = (
        select(
            literal_column("1"),
            *_nulls(*change_columns),
            *meeting_columns,
            *_nulls(*objection_columns),
            no_change_id,
        )
        .outerjoin(ListAttendee, ListAttendee.decision_id == ListDecision.id)
        .where(ListDecision.period_id == period_id)
    )
    objections = select(
        literal_column("2"),
        *_nulls(*change_columns, *meeting_columns),
        *objection_columns,
        no_change_id,
    ).where(ListObjection.period_id == period_id)
    # Each part in its own order: the other parts' columns are NULL (equal) in it.
    c = union_all(changes, meetings, objections).subquery().c
    return select(*c).order_by(
        c.part, c.c_at.desc(), c.c_id.desc(), c.d_held_on.desc(), c.d_id.desc(), c.a_id, c.o_id
    )
