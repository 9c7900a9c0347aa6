"""What an invitation (undangan) says, per household of a round: the masked name, RT/RW,
the point, the day and time slot, what the household receives and the code. Printing
them is an export of codes, so it is audited; `invitation_for_person` is what a resident
sees of their own household's invitation."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, time

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import bindparam, literal, select
from sqlalchemy.orm import selectinload

from portal.audit.services import record
from portal.database import read, write_transaction
from portal.distribution.models import (
    DistributionPoint,
    DistributionRound,
    Entitlement,
    RoundItem,
    TimeSlot,
)
from portal.distribution.services.common import DistributionError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.i18n import localized
from portal.privacy import mask_name
from portal.registry.models import Person

PRINTABLE = ("approved", "open")
# The rounds whose invitations a resident sees on "My account".
INVITED_STATUSES = ("approved", "open", "closed", "reconciled")


@dataclass(frozen=True)
class Line:
    item: object  # RoundItem (localised by the printer)
    due_milli: int


@dataclass(frozen=True)
class Invitation:
    entitlement_id: int
    code: str
    status: str
    masked_name: str
    rt: int
    rw: int | None
    point: DistributionPoint | None
    day: date | None
    starts_at: time | None
    ends_at: time | None
    cash: int
    lines: tuple[Line, ...]

    @property
    def grouped_code(self) -> str:
        plain = self.code.replace("-", "")
        return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


def _invitation(e: Entitlement, points: dict, slots: dict, items: dict) -> Invitation:
    slot: TimeSlot | None = slots.get(e.slot_id)
    name = e.collector.name if e.collector is not None else ""
    return Invitation(
        entitlement_id=e.id,
        code=e.code,
        status=e.status,
        masked_name=mask_name(name),
        rt=e.rt,
        rw=e.rw,
        point=points.get(e.point_id),
        day=slot.day if slot else None,
        starts_at=slot.starts_at if slot else None,
        ends_at=slot.ends_at if slot else None,
        cash=e.cash_due,
        lines=tuple(Line(items[ln.item_id], ln.due_milli) for ln in e.lines),
    )


def _invitations(round_: DistributionRound, query) -> list[Invitation]:
    points = {p.id: p for p in round_.points}
    slots = {s.id: s for p in round_.points for s in p.slots}
    items = {i.id: i for i in round_.items}
    return [_invitation(e, points, slots, items) for e in db.session.scalars(query)]


def _query(round_id: int):
    return (
        select(Entitlement)
        .where(Entitlement.round_id == round_id)
        .options(selectinload(Entitlement.collector), selectinload(Entitlement.lines))
        .order_by(Entitlement.rw, Entitlement.rt, Entitlement.id)
    )


def invitations_for(
    round_id: int, *, actor, rt: int | None = None, rw: int | None = None
) -> list[Invitation]:
    """The invitations of a round's due households (one RT when given), in RW/RT order;
    the print is recorded in the audit log."""
    with write_transaction(db.session):
        round_ = db.session.get(DistributionRound, round_id)
        if round_ is None or round_.status not in PRINTABLE:
            raise DistributionError(_l("Invitations are printed for an approved or open round."))
        query = _query(round_id).where(Entitlement.status == "due")
        if rt is not None:
            query = query.where(Entitlement.rt == rt)
        if rw is not None:
            query = query.where(Entitlement.rw == rw)
        found = _invitations(round_, query)
        record(
            "print_invitations",
            "distribution_round",
            round_id,
            actor=actor,
            after={"rt": rt, "rw": rw, "count": len(found)},
        )
    return found


def invitation_for_person(person_id: int | None) -> list[tuple[DistributionRound, Invitation]]:
    """The invitations of the person's household in rounds that are approved or later,
    newest round first. The same few statements however many rounds there were: the
    entitlements with their rounds, then their collectors, lines, points, slots and
    items each in one."""
    if person_id is None:
        return []
    # Most people have none: asked first as a plain row (portal.database.read), which
    # costs a third of the ORM statement that loads them (My account asks every time).
    if read(db.session, _any_invitation(), {"person_id": person_id}).first() is None:
        return []
    found = db.session.execute(_invitations_of_person(), {"person_id": person_id}).all()
    if not found:
        return []
    points = _by_id(DistributionPoint, {e.point_id for e, _r in found})
    slots = _by_id(TimeSlot, {e.slot_id for e, _r in found})
    items = _by_id(RoundItem, {ln.item_id for e, _r in found for ln in e.lines})
    return [(round_, _invitation(e, points, slots, items)) for e, round_ in found]


def _person_entitlements(*columns):
    """`columns` of the entitlements of a person's household (a sub-query: no household,
    no rows) in rounds approved or later; the person bound."""
    household = (
        select(Person.household_id).where(Person.id == bindparam("person_id")).scalar_subquery()
    )
    return (
        select(*columns)
        .join(DistributionRound, DistributionRound.id == Entitlement.round_id)
        .where(
            Entitlement.household_id == household,
            # Each status its own bound value, not one list expanded when run: the
            # account page's plain read (portal.database.read) then goes to the driver.
            DistributionRound.status.in_([literal(s) for s in INVITED_STATUSES]),
        )
    )


@functools.cache
def _invitations_of_person():
    """The entitlements with their rounds, newest round first; built once."""
    return (
        _person_entitlements(Entitlement, DistributionRound)
        .options(selectinload(Entitlement.collector), selectinload(Entitlement.lines))
        .order_by(DistributionRound.starts_on.desc(), DistributionRound.id.desc())
    )


@functools.cache
def _any_invitation():
    """One id of those entitlements, if there is one."""
    return _person_entitlements(Entitlement.id).limit(1)


def _by_id(model, ids: set) -> dict:
    ids.discard(None)
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


def self_check_notes(household_id: int) -> list[str]:
    """For the public self-check (lists/hooks.py): the rounds, approved or open, in which
    the household found has an invitation still due; the round, point and day only."""
    notes = []
    query = (
        select(Entitlement, DistributionRound)
        .join(DistributionRound, DistributionRound.id == Entitlement.round_id)
        .where(
            Entitlement.household_id == household_id,
            Entitlement.status == "due",
            DistributionRound.status.in_(PRINTABLE),
        )
        .order_by(DistributionRound.starts_on)
    )
    for entitlement, round_ in db.session.execute(query):
        slot = db.session.get(TimeSlot, entitlement.slot_id) if entitlement.slot_id else None
        point = (
            db.session.get(DistributionPoint, entitlement.point_id)
            if entitlement.point_id
            else None
        )
        when = (
            f"{format_date(slot.day, 'long')}, {slot.starts_at:%H.%M}-{slot.ends_at:%H.%M}"
            if slot
            else _("ask the village office for your day and time")
        )
        notes.append(
            _(
                "Your household has an invitation in the round “%(round)s”: %(point)s, %(when)s.",
                round=localized(round_, "title"),
                point=point.name if point else "-",
                when=when,
            )
        )
    return notes
