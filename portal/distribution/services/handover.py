"""Handing aid over at a point: finding the entitlement, recording who collected what.

One live handover per entitlement is the database's rule (UNIQUE (entitlement_id,
attempt), where attempt is the entitlement's number of voids): two officers scanning
the same code at once store one handover; the other is told when, where and by whom
it was collected. Quantities are checked against what is due (and the CHECK
delivered <= due is the backstop); a partial handover needs its reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal import uploads
from portal.accounts.models import User
from portal.audit.services import record
from portal.database import read, write_transaction
from portal.distribution.models import (
    COLLECTOR_KINDS,
    DistributionPoint,
    DistributionRound,
    Entitlement,
    EntitlementLine,
    Handover,
    HandoverLine,
    HandoverVoid,
)
from portal.distribution.services.common import (
    DistributionError,
    clean,
    normalize_entitlement_code,
)
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import as_utc, utcnow, village_tz
from portal.registry.models import Person
from portal.registry.services import normalise_name

# Handovers happen while the round is open.
HANDING_OUT = ("open",)
SEARCH_LIMIT = 30


class AlreadyCollected(DistributionError):
    """The entitlement has a live handover: the message says when, where and by whom."""

    def __init__(self, message, handover: Handover | None = None):
        super().__init__(message, "code")
        self.handover = handover


@dataclass
class Given:
    """What the officer recorded: who collected, the quantities (item id -> thousandths),
    and for a proxy the name, relation and the cleaned letter."""

    collected_by: str
    quantities: dict[int, int | None] = field(default_factory=dict)
    cash_paid: int | None = None
    partial_reason: str = ""
    proxy_name: str = ""
    proxy_relation: str = ""
    proxy_letter: uploads.CleanImage | None = None
    photo: uploads.CleanImage | None = None
    handed_at: datetime | None = None
    client_id: str | None = None
    # The stored files' names, once written.
    proxy_letter_name: str | None = None
    photo_name: str | None = None


# --- files ------------------------------------------------------------------------------


def upload_dir() -> str:
    base = current_app.config.get("DISTRIBUTION_UPLOAD_DIR") or os.path.join(
        current_app.instance_path, "uploads", "distribution"
    )
    return uploads.folder(base)


def file_path(handover: Handover, kind: str) -> str | None:
    """The stored proxy letter or photo of a handover (staff only serve it)."""
    name = handover.proxy_letter if kind == "surat" else handover.photo
    return uploads.stored_path(upload_dir(), name)


# --- finding ----------------------------------------------------------------------------


def open_rounds() -> list[DistributionRound]:
    """Rounds an officer may hand out in, newest first."""
    query = select(DistributionRound).where(DistributionRound.status.in_(HANDING_OUT))
    return list(db.session.scalars(query.order_by(DistributionRound.starts_on.desc())))


def point_of(round_id: int, point_id: int) -> DistributionPoint | None:
    point = db.session.get(DistributionPoint, point_id)
    return point if point is not None and point.round_id == round_id else None


def _check_place(entitlement: Entitlement | None, round_id: int, point_id: int) -> Entitlement:
    if entitlement is None:
        raise DistributionError(_l("There is no invitation with this code."), "code")
    if entitlement.round_id != round_id:
        raise DistributionError(_l("This code belongs to another distribution round."), "code")
    if entitlement.point_id is not None and entitlement.point_id != point_id:
        point = db.session.get(DistributionPoint, entitlement.point_id)
        raise DistributionError(
            _l(
                "This household collects at another point: %(point)s.",
                point=point.name if point else "-",
            ),
            "code",
        )
    return entitlement


def find_by_code(round_id: int, point_id: int, text: str | None) -> Entitlement:
    """The entitlement a typed or scanned code names, at this round and point."""
    code = normalize_entitlement_code(text)
    if code is None:
        raise DistributionError(
            _l("A code has 16 letters and digits, as printed on the invitation."), "code"
        )
    found = db.session.scalar(select(Entitlement).where(Entitlement.code == code))
    return _check_place(found, round_id, point_id)


@cache
def _shown_entitlement_statement():
    return (
        select(Entitlement)
        .where(Entitlement.id == bindparam("entitlement_id"))
        .options(joinedload(Entitlement.collector), joinedload(Entitlement.alternate))
    )


def entitlement_at(
    round_id: int, point_id: int, entitlement_id: int, *, with_people: bool = False
) -> Entitlement:
    """The entitlement at this round and point; `with_people` loads its collector and
    alternate in the same statement (the officer's page shows them)."""
    if with_people:
        found = db.session.scalar(
            _shown_entitlement_statement(), {"entitlement_id": entitlement_id}
        )
    else:
        found = db.session.get(Entitlement, entitlement_id)
    return _check_place(found, round_id, point_id)


@cache
def _placed_entitlement_statement():
    return (
        select(DistributionRound, DistributionPoint, Entitlement)
        .join(DistributionPoint, DistributionPoint.round_id == DistributionRound.id)
        .outerjoin(Entitlement, Entitlement.id == bindparam("entitlement_id"))
        .where(
            DistributionRound.id == bindparam("round_id"),
            DistributionPoint.id == bindparam("point_id"),
        )
        .options(joinedload(Entitlement.collector), joinedload(Entitlement.alternate))
    )


def placed_entitlement(round_id: int, point_id: int, entitlement_id: int):
    """(round, point, entitlement) in one statement: the round and its point, or None
    unless the point is the round's; the entitlement as entitlement_at(..., with_people=
    True) gives it (DistributionError when it is not at this round and point)."""
    found = db.session.execute(
        _placed_entitlement_statement(),
        {"round_id": round_id, "point_id": point_id, "entitlement_id": entitlement_id},
    ).first()
    if found is None:
        return None
    round_, point, entitlement = found
    return round_, point, _check_place(entitlement, round_id, point_id)


def search(round_id: int, point_id: int, text: str) -> list[Entitlement]:
    """Entitlements of this point by the collector's or alternate's name, or by RT
    ("RT 3", "3", "3/2" for RT/RW)."""
    text = clean(text, 120)
    query = select(Entitlement).where(
        Entitlement.round_id == round_id,
        or_(Entitlement.point_id == point_id, Entitlement.point_id.is_(None)),
    )
    bare = text.upper().removeprefix("RT").strip()
    rt, _sep, rw = bare.partition("/")
    if rt.strip().isdigit() and (not rw.strip() or rw.strip().isdigit()):
        query = query.where(Entitlement.rt == int(rt))
        if rw.strip():
            query = query.where(Entitlement.rw == int(rw))
    else:
        words = normalise_name(text)
        if len(words) < 2:
            return []
        people = select(Person.id).where(Person.name_norm.contains(words, autoescape=True))
        query = query.where(
            or_(Entitlement.collector_id.in_(people), Entitlement.alternate_id.in_(people))
        )
    return list(
        db.session.scalars(query.order_by(Entitlement.rt, Entitlement.id).limit(SEARCH_LIMIT))
    )


def live_handover(entitlement_id: int) -> Handover | None:
    """The handover of an entitlement that has not been voided, if any."""
    return db.session.scalar(
        select(Handover)
        .outerjoin(HandoverVoid, HandoverVoid.handover_id == Handover.id)
        .where(Handover.entitlement_id == entitlement_id, HandoverVoid.id.is_(None))
        .order_by(Handover.attempt.desc())
    )


def nik_tail(person: Person | None) -> str:
    """The last four digits of a NIK, to compare with the KTP shown at the point."""
    return person.nik[-4:] if person is not None and person.nik else "----"


def collected_message(handover: Handover | ShownHandover):
    point = db.session.get(DistributionPoint, handover.point_id) if handover.point_id else None
    officer = db.session.get(User, handover.officer_id) if handover.officer_id else None
    return _l(
        "Already collected on %(when)s at %(point)s, recorded by %(officer)s (%(who)s).",
        when=as_utc(handover.handed_at).astimezone(village_tz()).strftime("%d-%m-%Y %H:%M"),
        point=point.name if point else "-",
        officer=officer.name if officer else "-",
        who=COLLECTOR_KINDS[handover.collected_by],
    )


class ShownVoid(NamedTuple):
    reason: str


class ShownHandover(NamedTuple):
    """A handover as the officer's page and collected_message read it (a plain row)."""

    id: int
    point_id: int | None
    officer_id: int | None
    handed_at: datetime
    collected_by: str
    proxy_letter: str | None
    photo: str | None
    void: ShownVoid | None


@cache
def _handovers_statement():
    return (
        select(
            Handover.id,
            Handover.point_id,
            Handover.officer_id,
            Handover.handed_at,
            Handover.collected_by,
            Handover.proxy_letter,
            Handover.photo,
            HandoverVoid.id,
            HandoverVoid.reason,
        )
        .outerjoin(HandoverVoid, HandoverVoid.handover_id == Handover.id)
        .where(Handover.entitlement_id == bindparam("entitlement_id"))
        .order_by(Handover.attempt)
    )


def handovers_of(entitlement_id: int) -> list[ShownHandover]:
    """An entitlement's handovers by attempt, each with its void (if any), as plain rows
    read in one statement."""
    rows = read(db.session, _handovers_statement(), {"entitlement_id": entitlement_id})
    return [ShownHandover(*row[:7], None if row[7] is None else ShownVoid(row[8])) for row in rows]


def live_of(handovers: list[ShownHandover]) -> ShownHandover | None:
    """The live handover among `handovers_of` (as live_handover, without a query)."""
    return next((h for h in reversed(handovers) if h.void is None), None)


_ASK = object()


def refusal_for(entitlement: Entitlement, live=_ASK) -> DistributionError | None:
    """Why this entitlement cannot be handed over now, or None. `live` is its live
    handover (or None) when the caller has it already."""
    if entitlement.round.status not in HANDING_OUT:
        return DistributionError(_l("The round is not open for handing out."), "code")
    if entitlement.status == "cancelled":
        return DistributionError(_l("This entitlement was cancelled."), "code")
    if entitlement.status == "not_collected":
        return DistributionError(_l("The round was closed for this household."), "code")
    handover = live_handover(entitlement.id) if live is _ASK else live
    if handover is not None:
        return AlreadyCollected(collected_message(handover), handover)
    return None


# --- checking what was typed ------------------------------------------------------------


def _check_collector(entitlement: Entitlement, given: Given) -> None:
    if given.collected_by not in COLLECTOR_KINDS:
        raise DistributionError(_l("Say who collected."), "collected_by")
    if given.collected_by == "collector" and entitlement.collector_id is None:
        raise DistributionError(_l("The household has no collector on record."), "collected_by")
    if given.collected_by == "alternate" and entitlement.alternate_id is None:
        raise DistributionError(_l("The household has no alternate on record."), "collected_by")
    if given.collected_by == "proxy":
        given.proxy_name = clean(given.proxy_name, 120)
        given.proxy_relation = clean(given.proxy_relation, 60)
        if not given.proxy_name:
            raise DistributionError(_l("Write the proxy's name."), "proxy_name")
        if not given.proxy_relation:
            raise DistributionError(_l("Write how the proxy is related."), "proxy_relation")
        if given.proxy_letter is None:
            raise DistributionError(
                _l("Add a photo of the signed power of attorney."), "proxy_letter"
            )


def _check_quantities(entitlement: Entitlement, given: Given) -> tuple[dict[int, int], bool]:
    """item id -> thousandths handed over, and whether it is less than due."""
    out, partial = {}, False
    for line in entitlement.lines:
        value = given.quantities.get(line.item_id)
        if value is None:
            raise DistributionError(_l("Enter how much was handed over."), f"item_{line.item_id}")
        if value < 0 or value > line.due_milli:
            raise DistributionError(
                _l(
                    "At most %(due)s %(unit)s is due.",
                    due=f"{line.due:f}".replace(".", ","),
                    unit=line.item.unit,
                ),
                f"item_{line.item_id}",
            )
        partial = partial or value < line.due_milli
        out[line.item_id] = value
    cash = entitlement.cash_due if given.cash_paid is None else given.cash_paid
    if not 0 <= cash <= entitlement.cash_due:
        raise DistributionError(_l("At most the cash due can be paid."), "cash_paid")
    given.cash_paid = cash
    partial = partial or cash < entitlement.cash_due
    given.partial_reason = clean(given.partial_reason)
    if partial and not given.partial_reason:
        raise DistributionError(
            _l("Less than due was handed over: give the reason."), "partial_reason"
        )
    return out, partial


def check(entitlement: Entitlement, given: Given) -> tuple[dict[int, int], bool]:
    """Refuse what cannot be recorded; what each item's handed-over quantity is."""
    refusal = refusal_for(entitlement)
    if refusal is not None:
        raise refusal
    _check_collector(entitlement, given)
    return _check_quantities(entitlement, given)


# --- recording --------------------------------------------------------------------------


def write(
    entitlement: Entitlement,
    point_id: int,
    given: Given,
    quantities,
    partial,
    actor,
    officer_id: int | None = None,
):
    """Insert the handover, its lines and the entitlement's new state in the open
    transaction; IntegrityError when another handover got there first."""
    handover = Handover(
        entitlement_id=entitlement.id,
        round_id=entitlement.round_id,
        point_id=point_id,
        attempt=entitlement.voids,
        client_id=given.client_id,
        collected_by=given.collected_by,
        proxy_name=given.proxy_name or None if given.collected_by == "proxy" else None,
        proxy_relation=given.proxy_relation or None if given.collected_by == "proxy" else None,
        proxy_letter=given.proxy_letter_name,
        photo=given.photo_name,
        cash_paid=given.cash_paid,
        partial_reason=given.partial_reason or None,
        handed_at=min(given.handed_at or utcnow(), utcnow()),
        officer_id=officer_id or actor.id,
    )
    db.session.add(handover)
    db.session.flush()
    db.session.add_all(
        HandoverLine(
            handover_id=handover.id,
            round_id=entitlement.round_id,
            item_id=item_id,
            quantity_milli=quantity,
        )
        for item_id, quantity in quantities.items()
    )
    for item_id, quantity in quantities.items():
        db.session.execute(
            update(EntitlementLine)
            .where(
                EntitlementLine.entitlement_id == entitlement.id,
                EntitlementLine.item_id == item_id,
            )
            .values(delivered_milli=quantity)
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(Entitlement)
        .where(Entitlement.id == entitlement.id, Entitlement.voids == entitlement.voids)
        .values(
            status="partly_collected" if partial else "collected",
            cash_paid=given.cash_paid,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    record(
        "hand_over",
        "distribution_entitlement",
        entitlement.id,
        actor=actor,
        summary=given.collected_by,
        after={
            "handover_id": handover.id,
            "point_id": point_id,
            "attempt": handover.attempt,
            "client_id": given.client_id,
            "lines": {str(k): v for k, v in quantities.items()},
            "cash_paid": given.cash_paid,
            "partial": partial,
        },
    )
    return handover


def write_many(rows, point_id: int, actor) -> None:
    """Write checked handovers (entitlement, given, quantities, partial) of one point in
    a few statements: the sync of an offline batch. Proxy letters are not part of an
    offline batch's fast path (files); IntegrityError as `write`."""
    rows = list(rows)
    if not rows:
        return
    now = utcnow()
    made = db.session.execute(
        insert(Handover).returning(Handover.id, Handover.entitlement_id),
        _handover_values(rows, point_id, actor, now),
    ).all()
    ids = {entitlement_id: handover_id for handover_id, entitlement_id in made}
    _write_lines_and_states(rows, ids, now)
    for e, given, quantities, partial in rows:
        record(
            "hand_over",
            "distribution_entitlement",
            e.id,
            actor=actor,
            summary=given.collected_by,
            after={
                "handover_id": ids[e.id],
                "point_id": point_id,
                "attempt": e.voids,
                "client_id": given.client_id,
                "lines": {str(k): v for k, v in quantities.items()},
                "cash_paid": given.cash_paid,
                "partial": partial,
            },
        )
    db.session.flush()


def _handover_values(rows, point_id: int, actor, now) -> list[dict]:
    return [
        {
            "entitlement_id": e.id,
            "round_id": e.round_id,
            "point_id": point_id,
            "attempt": e.voids,
            "client_id": given.client_id,
            "collected_by": given.collected_by,
            "proxy_name": (given.proxy_name or None) if given.collected_by == "proxy" else None,
            "proxy_relation": (given.proxy_relation or None)
            if given.collected_by == "proxy"
            else None,
            "proxy_letter": given.proxy_letter_name,
            "photo": None,
            "cash_paid": given.cash_paid,
            "partial_reason": given.partial_reason or None,
            "handed_at": min(given.handed_at or now, now),
            "recorded_at": now,
            "officer_id": actor.id,
        }
        for e, given, _q, _p in rows
    ]


def _write_lines_and_states(rows, ids: dict[int, int], now) -> None:
    """The handovers' lines, what each entitlement line delivered, each entitlement's
    new status: three executemany statements."""
    line_rows, delivered, states = [], [], []
    for e, given, quantities, partial in rows:
        for item_id, quantity in quantities.items():
            line_rows.append(
                {
                    "handover_id": ids[e.id],
                    "round_id": e.round_id,
                    "item_id": item_id,
                    "quantity_milli": quantity,
                }
            )
            delivered.append({"b_entitlement": e.id, "b_item": item_id, "b_quantity": quantity})
        states.append(
            {
                "b_id": e.id,
                "b_voids": e.voids,
                "b_status": "partly_collected" if partial else "collected",
                "b_cash": given.cash_paid,
            }
        )
    connection = db.session.connection()
    if line_rows:
        connection.execute(insert(HandoverLine.__table__), line_rows)
        lines = EntitlementLine.__table__
        connection.execute(
            lines.update()
            .where(
                lines.c.entitlement_id == bindparam("b_entitlement"),
                lines.c.item_id == bindparam("b_item"),
            )
            .values(delivered_milli=bindparam("b_quantity")),
            delivered,
        )
    table = Entitlement.__table__
    connection.execute(
        table.update()
        .where(table.c.id == bindparam("b_id"), table.c.voids == bindparam("b_voids"))
        .values(status=bindparam("b_status"), cash_paid=bindparam("b_cash"), updated_at=now),
        states,
    )


def _store_files(given: Given) -> list[str]:
    stored = []
    if given.proxy_letter is not None and given.collected_by == "proxy":
        given.proxy_letter_name = uploads.store(given.proxy_letter, upload_dir())
        stored.append(given.proxy_letter_name)
    if given.photo is not None:
        given.photo_name = uploads.store(given.photo, upload_dir())
        stored.append(given.photo_name)
    return stored


def hand_over(
    round_id: int, point_id: int, entitlement_id: int, given: Given, *, actor
) -> Handover:
    """Record a handover at a point; DistributionError (AlreadyCollected for a second
    one) with nothing written otherwise."""
    if point_of(round_id, point_id) is None:
        raise DistributionError(_l("Choose one of this round's points."), "point_id")
    entitlement = entitlement_at(round_id, point_id, entitlement_id)
    quantities, partial = check(entitlement, given)
    stored = _store_files(given)
    try:
        with write_transaction(db.session):
            entitlement = db.session.get(Entitlement, entitlement_id, populate_existing=True)
            quantities, partial = check(entitlement, given)
            handover = write(entitlement, point_id, given, quantities, partial, actor)
    except IntegrityError:
        for name in stored:
            uploads.remove(upload_dir(), name)
        db.session.expire_all()
        handover = live_handover(entitlement_id)
        raise AlreadyCollected(
            collected_message(handover) if handover else _l("Already collected."), handover
        ) from None
    except DistributionError:
        for name in stored:
            uploads.remove(upload_dir(), name)
        raise
    return handover
