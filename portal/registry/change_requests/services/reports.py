"""Reading change requests: a household's own, the staff list (oldest waiting first,
late ones flagged), and the public monthly counts."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.database import read
from portal.extensions import db
from portal.models_base import as_utc, utcnow
from portal.registry.change_requests.models import STATUSES, ChangeDocument, ChangeRequest
from portal.registry.models import Membership, Person

# A public figure smaller than this is not shown (it could point at a family).
SMALLEST_SHOWN = 5
PUBLIC_MONTHS = 12


def household_requests(household_id: int) -> list[ChangeRequest]:
    """A household's requests, newest first."""
    return list(
        db.session.scalars(
            select(ChangeRequest)
            .where(ChangeRequest.household_id == household_id)
            .order_by(ChangeRequest.created_at.desc(), ChangeRequest.id.desc())
        )
    )


def household_request_rows(household_id: int) -> list:
    """`household_requests` as rows of what the resident's list shows of each (id, kind,
    created_at, status), not whole records: one statement built once."""
    return list(db.session.execute(_household_rows_statement(), {"household_id": household_id}))


@cache
def _household_rows_statement():
    return (
        select(ChangeRequest.id, ChangeRequest.kind, ChangeRequest.created_at, ChangeRequest.status)
        .where(ChangeRequest.household_id == bindparam("household_id"))
        .order_by(ChangeRequest.created_at.desc(), ChangeRequest.id.desc())
    )


class DocumentRow(NamedTuple):
    """A document of a request as the staff page lists it."""

    id: int
    mimetype: str
    size: int


class NamedPerson(NamedTuple):
    """The person a death or a move out names."""

    id: int
    name: str


class StaffRequest:
    """A request as its staff page shows it: its columns (the table's), `documents`
    (DocumentRow, by id), `person` (NamedPerson or None) and ChangeRequest's own
    `waited_days` and `is_late`; plain values, not a record."""

    waited_days = ChangeRequest.waited_days
    is_late = ChangeRequest.is_late

    def __init__(self, values, documents: list[DocumentRow], person: NamedPerson | None):
        self.__dict__.update(values)
        self.documents = documents
        self.person = person


def staff_request(request_id: int) -> tuple[StaffRequest | None, str | None]:
    """A request for its staff page (`StaffRequest`: plain rows of the request, its
    documents and the name of the person it names, in one statement built once), and
    the language its resident reads ("id" when their account has none; None for a
    request filed at the office or whose account is gone). The page reads the
    household and its members as plain rows too (`registry.services.plain_household`)."""
    rows = read(db.session, _staff_request_statement(), {"request_id": request_id}).all()
    if not rows:
        return None, None
    first = rows[0]
    split = len(_REQUEST_COLUMNS)
    resident_found, locale, _doc, _mimetype, _size, person_name = first[split:]
    documents = [DocumentRow(*row[split + 2 : split + 5]) for row in rows if row[split + 2]]
    values = dict(zip(_REQUEST_COLUMNS, first[:split], strict=True))
    person_id = values["person_id"]
    person = NamedPerson(person_id, person_name) if person_id is not None else None
    item = StaffRequest(values, documents, person)
    return item, ((locale or "id") if resident_found is not None else None)


_REQUEST_COLUMNS = tuple(column.key for column in ChangeRequest.__table__.c)


@cache
def _staff_request_statement():
    # A request has at most MAX_DOCUMENTS: a row each (or one without).
    request, document = ChangeRequest.__table__, ChangeDocument.__table__
    person = Person.__table__
    return (
        select(
            *(request.c[key] for key in _REQUEST_COLUMNS),
            User.id.label("resident_found"),
            User.locale.label("resident_locale"),
            document.c.id.label("document_id"),
            document.c.mimetype,
            document.c.size,
            person.c.name.label("person_name"),
        )
        .select_from(request)
        .outerjoin(User, User.id == request.c.resident_id)
        .outerjoin(document, document.c.request_id == request.c.id)
        .outerjoin(person, person.c.id == request.c.person_id)
        .where(request.c.id == bindparam("request_id"))
        .order_by(document.c.id)
    )


def resident_request(user, request_id: int) -> tuple[bool, ChangeRequest | None]:
    """For a resident's page of a request: whether they live in a household of the
    registry now (verified, with an open membership: `resident_household`), and their
    household's request `request_id` (None when there is none of that household: a
    404). One statement (was three: the membership, the household, the request)."""
    if not user.is_verified or user.person_id is None:
        return False, None
    values = {"person_id": user.person_id, "request_id": request_id}
    row = db.session.execute(_resident_request_statement(), values).first()
    if row is None:
        return False, None
    return True, row[1]


@cache
def _resident_request_statement():
    # At most one open membership a person (uq_household_membership_open).
    return (
        select(Membership.household_id, ChangeRequest)
        .outerjoin(
            ChangeRequest,
            (ChangeRequest.household_id == Membership.household_id)
            & (ChangeRequest.id == bindparam("request_id")),
        )
        .where(Membership.person_id == bindparam("person_id"), Membership.end_date.is_(None))
    )


def staff_list(status: str = "open") -> list[ChangeRequest]:
    """Requests with `status` ("open": oldest first; decided: newest first), each with
    its household (joined: the list shows its RT/RW)."""
    if status not in STATUSES:
        status = "open"
    return list(db.session.scalars(_staff_list_statement(status == "open"), {"status": status}))


@cache
def _staff_list_statement(oldest_first: bool):
    order = (
        (ChangeRequest.created_at, ChangeRequest.id)
        if oldest_first
        else (ChangeRequest.decided_at.desc(), ChangeRequest.id.desc())
    )
    return (
        select(ChangeRequest)
        .where(ChangeRequest.status == bindparam("status"))
        .options(joinedload(ChangeRequest.household))
        .order_by(*order)
        .limit(500)
    )


@dataclass(frozen=True)
class Month:
    """One month's public figures; None where the figure is under SMALLEST_SHOWN."""

    month: str  # YYYY-MM
    first_day: date
    received: int | None
    accepted: int | None
    refused: int | None
    median_days: float | None


def _shown(n: int) -> int | None:
    return n if n == 0 or n >= SMALLEST_SHOWN else None


def _month(at: datetime) -> str:
    return as_utc(at).strftime("%Y-%m")


# Built once per process (building and cache-keying it cost more than running it).
@cache
def _monthly_statement():
    since = bindparam("since", type_=ChangeRequest.created_at.type)
    return select(ChangeRequest.created_at, ChangeRequest.decided_at, ChangeRequest.status).where(
        (ChangeRequest.created_at >= since) | (ChangeRequest.decided_at >= since)
    )


def monthly(now: datetime | None = None) -> list[Month]:
    """The last PUBLIC_MONTHS months, newest first: requests received, accepted and
    refused (by the month of the decision), and the median days to a decision (only
    from SMALLEST_SHOWN decisions). Counts only: nothing about a household."""
    now = now or utcnow()
    since = now - timedelta(days=31 * PUBLIC_MONTHS)
    rows = read(db.session, _monthly_statement(), {"since": since}).all()
    received: dict[str, int] = {}
    decided: dict[str, dict[str, list[float]]] = {}
    for created, decided_at, status in rows:
        created_month = _month(created)
        received[created_month] = received.get(created_month, 0) + 1
        if decided_at is not None:
            days = (as_utc(decided_at) - as_utc(created)).total_seconds() / 86400
            decided.setdefault(_month(decided_at), {}).setdefault(status, []).append(days)
    months = []
    year, month = now.year, now.month
    for _ in range(PUBLIC_MONTHS):
        key = f"{year:04d}-{month:02d}"
        done = decided.get(key, {})
        all_days = [d for days in done.values() for d in days]
        median = round(statistics.median(all_days), 1) if len(all_days) >= SMALLEST_SHOWN else None
        months.append(
            Month(
                key,
                date(year, month, 1),
                _shown(received.get(key, 0)),
                _shown(len(done.get("accepted", []))),
                _shown(len(done.get("refused", []))),
                median,
            )
        )
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months
