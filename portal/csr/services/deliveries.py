"""Deliveries: a running sum that cannot pass the pledge, and staff's pledge lists."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import (
    Boolean,
    Date,
    String,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import aliased, contains_eager

from portal.audit.services import record
from portal.csr import uploads
from portal.csr.models import Company, Delivery, Need, Pledge, PledgeEvent
from portal.csr.services.common import (
    CONFIRMED,
    COUNTED,
    DELIVERABLE,
    STAFF_EDITORS,
    CsrError,
    new_code,
)
from portal.csr.services.companies import PLEDGE_LINE_COLUMNS, PledgeLine
from portal.csr.services.pledges import _event, _lock_pledge, _positive, _require_role
from portal.csr.services.public_board import Progress
from portal.database import read, write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow, village_today
from portal.roles import PARTNERS


def record_delivery(
    pledge_id: int,
    *,
    amount: int,
    delivered_on: date,
    actor,
    note: str | None = None,
    attachment: uploads.CleanImage | None = None,
    beyond_target: bool = False,
) -> Delivery:
    """Staff record a (partial) delivery against a confirmed pledge.

    Deliveries add up: the pledge's running sum moves by a conditional UPDATE that
    cannot pass the pledged amount, so concurrent deliveries never exceed it. A
    delivery that would take the need past its target (possible when it was
    over-pledged) is refused unless staff confirm it with `beyond_target`, so a typing
    mistake cannot show a need as more than 100% delivered.
    """
    _require_role(actor, STAFF_EDITORS)
    amount = _positive(amount)
    if delivered_on is None or delivered_on > village_today() + timedelta(days=1):
        raise CsrError(_l("The delivery date must not be in the future."), "delivered_on")
    stored = uploads.store(attachment, "deliveries") if attachment else None
    try:
        with write_transaction(db.session()):
            need_id = db.session.scalar(select(Pledge.need_id).where(Pledge.id == pledge_id))
            if need_id is None:
                raise CsrError(_l("Only a confirmed pledge can receive deliveries."))
            # One writer per need at a time (BEGIN IMMEDIATE already does it on SQLite).
            need = db.session.execute(
                select(Need.id, Need.target).where(Need.id == need_id).with_for_update()
            ).one()
            pledge = _lock_pledge(pledge_id)
            if pledge.status not in DELIVERABLE:
                raise CsrError(_l("Only a confirmed pledge can receive deliveries."))
            if not beyond_target:
                _refuse_past_target(need_id, need.target, amount)
            total = _add_to_pledge(pledge_id, amount)
            from_status = pledge.status
            to_status = _settle_status(pledge, total)
            delivery = Delivery(
                pledge_id=pledge_id,
                amount=amount,
                delivered_on=delivered_on,
                note=(note or "").strip()[:1000] or None,
                attachment_file=stored,
                recorded_by_id=actor.id,
                recorded_by_name=actor.name,
                beyond_target=bool(beyond_target),
                receipt_code=new_code(),
            )
            db.session.add(delivery)
            _event(pledge, from_status, to_status, actor, note, amount=amount)
            record(
                "deliver",
                "csr_pledge",
                pledge_id,
                actor=actor,
                after={"amount": amount, "delivered": total, "status": to_status},
            )
    except BaseException:
        uploads.remove("deliveries", stored)
        raise
    db.session.refresh(pledge)
    return delivery


def _refuse_past_target(need_id: int, target: int, amount: int) -> None:
    """Refuse a delivery that would take the need past its target."""
    so_far = db.session.scalar(
        select(func.coalesce(func.sum(Pledge.delivered), 0)).where(Pledge.need_id == need_id)
    )
    if so_far + amount > target:
        raise CsrError(
            _l(
                "This delivery would take the need past its target (%(target)s; "
                "%(done)s delivered so far). Check the amount, or tick the box "
                "if the village really received more than it needed.",
                target=f"{target:,}",
                done=f"{so_far:,}",
            ),
            "amount",
        )


def _add_to_pledge(pledge_id: int, amount: int) -> int:
    """Move the pledge's running sum by a conditional UPDATE that cannot pass the pledged
    amount; the new sum."""
    moved = db.session.execute(
        update(Pledge)
        .where(
            Pledge.id == pledge_id,
            Pledge.status.in_(DELIVERABLE),
            Pledge.delivered + amount <= Pledge.amount,
        )
        .values(delivered=Pledge.delivered + amount, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        remaining = db.session.scalar(
            select(Pledge.amount - Pledge.delivered).where(Pledge.id == pledge_id)
        )
        raise CsrError(
            _l(
                "That is more than this pledge still has to deliver (%(n)s).",
                n=f"{remaining:,}",
            ),
            "amount",
        )
    return db.session.scalar(select(Pledge.delivered).where(Pledge.id == pledge_id))


def _settle_status(pledge: Pledge, total: int) -> str:
    """The pledge's status after a delivery brought its sum to `total` (written if new)."""
    to_status = "delivered" if total >= pledge.amount else "partly_delivered"
    if to_status != pledge.status:
        db.session.execute(
            update(Pledge)
            .where(Pledge.id == pledge.id)
            .values(status=to_status)
            .execution_options(synchronize_session=False)
        )
    return to_status


class HistoryEvent(NamedTuple):
    """A pledge's step, as the history shows it."""

    at: object
    from_status: str | None
    to_status: str
    amount: int | None
    actor_name: str | None
    note: str | None


class HistoryDelivery(NamedTuple):
    """A delivery of a pledge, as the history shows it."""

    id: int
    delivered_on: date
    amount: int
    beyond_target: bool
    note: str | None
    recorded_by_name: str | None
    attachment_file: str | None


class PledgeHistory(NamedTuple):
    events: list[HistoryEvent]
    deliveries: list[HistoryDelivery]


def pledge_history(pledge_id: int) -> PledgeHistory:
    """A pledge's steps and deliveries, each in the order recorded, in one statement
    (`Pledge.events` and `Pledge.deliveries` were two lazy loads)."""
    events: list[HistoryEvent] = []
    deliveries: list[HistoryDelivery] = []
    for (
        kind,
        id_,
        at,
        day,
        before,
        after,
        amount,
        name,
        note,
        beyond,
        attachment,
    ) in read(db.session, _history_statement(), {"pledge_id": pledge_id}):
        if kind == 0:
            events.append(HistoryEvent(at, before, after, amount, name, note))
        else:
            deliveries.append(
                HistoryDelivery(id_, day, amount, bool(beyond), note, name, attachment)
            )
    return PledgeHistory(events, deliveries)


@cache  # built once per process (with its cache key); the pledge as a parameter
def _history_statement():
    pledge_id = bindparam("pledge_id")
    no_text = cast(null(), String)
    parts = union_all(
        select(
            literal_column("0").label("kind"),
            PledgeEvent.id.label("id"),
            PledgeEvent.at.label("at"),
            cast(null(), Date).label("day"),
            PledgeEvent.from_status.label("from_status"),
            PledgeEvent.to_status.label("to_status"),
            PledgeEvent.amount.label("amount"),
            PledgeEvent.actor_name.label("name"),
            PledgeEvent.note.label("note"),
            cast(null(), Boolean).label("beyond_target"),
            no_text.label("attachment_file"),
        ).where(PledgeEvent.pledge_id == pledge_id),
        select(
            literal_column("1"),
            Delivery.id,
            null(),
            Delivery.delivered_on,
            no_text,
            no_text,
            Delivery.amount,
            Delivery.recorded_by_name,
            Delivery.note,
            Delivery.beyond_target,
            Delivery.attachment_file,
        ).where(Delivery.pledge_id == pledge_id),
    ).subquery()
    return select(parts).order_by(parts.c.kind, parts.c.id)


def own_pledge(company: Company | None, pledge_id: int) -> Pledge | None:
    """A pledge of this company, or None (another company's pledge looks absent)."""
    if company is None:
        return None
    return db.session.scalars(
        select(Pledge).where(Pledge.id == pledge_id, Pledge.company_id == company.id)
    ).first()


def partner_pledge(user, pledge_id: int) -> Pledge | None:
    """A pledge of the company the partner account `user` represents, with that company
    as its `company` (and its need), or None (no such company, or another company's
    pledge): `own_pledge(company_for_user(user), pledge_id)` in one statement."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "role", None) not in PARTNERS:
        return None
    values = {"pledge_id": pledge_id, "user_id": user.id}
    return db.session.scalars(_partner_pledge_statement(), values).first()


@cache  # built once per process (with its cache key); the pledge and account parameters
def _partner_pledge_statement():
    return (
        select(Pledge)
        .join(Company, Company.id == Pledge.company_id)
        .where(Pledge.id == bindparam("pledge_id"), Company.user_id == bindparam("user_id"))
        .options(contains_eager(Pledge.company))
    )


class PledgeDetail(PledgeLine):
    """A pledge as the staff pledge page shows it (plain columns): a PledgeLine with its
    need's target, its company (a CompanyTag), the date expected, the conditions and the
    receipt code."""

    __slots__ = ("conditions", "expected_on", "receipt_code")

    @property
    def remaining(self) -> int:
        return self.amount - self.delivered


def pledge_with_progress(pledge_id: int) -> tuple[PledgeDetail, Progress | None] | None:
    """The staff pledge page's pledge (a PledgeDetail) and its need's progress over
    every company (progress_of(need, public=False)), or None without such a pledge: one
    statement, the sums as correlated subqueries."""
    row = read(db.session, _pledge_with_progress_statement(), {"pledge_id": pledge_id}).first()
    if row is None:
        return None
    pledge = PledgeDetail(row)
    target, pledge.expected_on, pledge.conditions, pledge.receipt_code = row[16:20]
    pledge.company = CompanyTag(*row[20:23])
    if pledge.need is None:
        return pledge, None
    pledge.need.target = target
    return pledge, Progress(target, *(int(v) for v in row[23:27]))


@cache  # built once per process (with its cache key); the pledge as a parameter
def _pledge_with_progress_statement():
    other = aliased(Pledge)
    amount = case((other.status == "closed", other.delivered), else_=other.amount)
    counted = (other.need_id == Pledge.need_id, other.status.in_(COUNTED))

    def summed(value):
        return select(func.coalesce(func.sum(value), 0)).where(*counted).scalar_subquery()

    return (
        select(
            *PLEDGE_LINE_COLUMNS,
            Need.target,
            Pledge.expected_on,
            Pledge.conditions,
            Pledge.receipt_code,
            Company.name,
            Company.status,
            Company.user_id,
            summed(amount),
            summed(case((other.status.in_(CONFIRMED), amount), else_=0)),
            summed(other.delivered),
            select(func.count()).select_from(other).where(*counted).scalar_subquery(),
        )
        .join(Company, Company.id == Pledge.company_id)
        .outerjoin(Need, Need.id == Pledge.need_id)
        .where(Pledge.id == bindparam("pledge_id"))
    )


class CompanyTag:
    """What the staff pledge pages show of a pledge's company: its name and status (and
    its account, which may step a pledge of its own)."""

    __slots__ = ("name", "status", "user_id")

    def __init__(self, name: str, status: str, user_id: int | None = None):
        self.name, self.status, self.user_id = name, status, user_id

    @property
    def is_verified(self) -> bool:
        return self.status == "verified"


def staff_pledges(status: str | None = None) -> list[PledgeLine]:
    """Pledges and offers for staff, latest change first, optionally of one status (at
    most 500): PledgeLines with their company's name and status, read as plain columns."""
    params = {"status": status} if status else {}
    lines = []
    for row in read(db.session, _staff_pledges_statement(bool(status)), params):
        line = PledgeLine(row)
        line.company = CompanyTag(row[16], row[17])
        lines.append(line)
    return lines


@cache  # built once per process for each shape (with its cache key)
def _staff_pledges_statement(of_status: bool):
    stmt = (
        select(*PLEDGE_LINE_COLUMNS, Company.name, Company.status)
        .join(Company, Company.id == Pledge.company_id)
        .outerjoin(Need, Need.id == Pledge.need_id)
        .order_by(Pledge.updated_at.desc(), Pledge.id.desc())
        .limit(500)
    )
    if of_status:
        stmt = stmt.where(Pledge.status == bindparam("status"))
    return stmt


@cache
def _status_counts_statement():
    return select(Pledge.status, func.count()).group_by(Pledge.status)


def status_counts() -> dict[str, int]:
    """How many pledges are in each status (staff overview; the statement built once)."""
    return dict(read(db.session, _status_counts_statement()).all())
