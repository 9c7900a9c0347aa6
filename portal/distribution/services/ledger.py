"""The stock ledger of a round: goods moved between points, returned, damaged or lost,
and what is on hand at each point.

On hand per item and point = received + moved in - moved out - handed over (the live,
non-voided handover lines) - returned - damaged - lost. A move, a return or a loss that
would take on hand below zero is refused; the count and the new rows happen under the
round's lock (`locked_round`: a row lock on PostgreSQL, the write transaction on
SQLite), so two at once cannot both pass the check.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import bindparam, case, func, literal, null, select, union_all

from portal.audit.services import record
from portal.database import read, write_transaction
from portal.distribution.models import (
    DistributionPoint,
    Entitlement,
    EntitlementLine,
    Handover,
    HandoverLine,
    HandoverVoid,
    RoundItem,
    StockMovement,
)
from portal.distribution.services.common import DistributionError, clean, locked_round
from portal.distribution.services.stock import RECEIVING
from portal.extensions import db
from portal.i18n import lazy_gettext as _l

# What takes goods out of a point, other than a move and a handover.
OUTGOING = ("returned", "damaged", "lost")
SIGN = {
    "received": 1,
    "moved_in": 1,
    "moved_out": -1,
    "returned": -1,
    "damaged": -1,
    "lost": -1,
}


@dataclass
class Balance:
    """One item at one point: each column of the ledger and what is on hand."""

    point_id: int
    item_id: int
    received: int = 0
    moved_in: int = 0
    moved_out: int = 0
    handed_over: int = 0
    returned: int = 0
    damaged: int = 0
    lost: int = 0
    due: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def on_hand(self) -> int:
        return (
            self.received
            + self.moved_in
            - self.moved_out
            - self.handed_over
            - self.returned
            - self.damaged
            - self.lost
        )


def live_handovers():
    """Handovers not voided (a subquery's WHERE clause)."""
    return ~select(HandoverVoid.id).where(HandoverVoid.handover_id == Handover.id).exists()


# The ledger's statements are built once per process (the round, and the point, as
# parameters): building grouped sums and their cache keys cost about as much as
# running them.
def _handed_over_sums(*extra):
    """(point, item, *extra, thousandths) of the round's live handovers, and the point's
    expression (a handover without a point counts at its entitlement's point)."""
    point = func.coalesce(Handover.point_id, Entitlement.point_id)
    query = (
        select(point, HandoverLine.item_id, *extra, func.sum(HandoverLine.quantity_milli))
        .join(Handover, Handover.id == HandoverLine.handover_id)
        .join(Entitlement, Entitlement.id == Handover.entitlement_id)
        .where(HandoverLine.round_id == bindparam("round_id"), live_handovers())
        .group_by(point, HandoverLine.item_id)
    )
    return query, point


@cache
def _handed_over_statement(by_point: bool):
    query, point = _handed_over_sums()
    if by_point:
        query = query.where(point == bindparam("point_id"))
    return query


def handed_over(round_id: int, point_id: int | None = None) -> dict[tuple[int, int], int]:
    """(point id, item id) -> thousandths handed over by live handovers; a handover
    without a point counts at its entitlement's point."""
    values = {"round_id": round_id}
    if point_id is not None:
        values["point_id"] = point_id
    rows = read(db.session, _handed_over_statement(point_id is not None), values)
    return {(p, i): int(total or 0) for p, i, total in rows}


@cache
def _balance_statements():
    round_id = bindparam("round_id")
    points = (
        select(DistributionPoint.id)
        .where(DistributionPoint.round_id == round_id)
        .order_by(DistributionPoint.id)
    )
    items = (
        select(RoundItem.id)
        .where(RoundItem.round_id == round_id)
        .order_by(RoundItem.position, RoundItem.id)
    )
    moved = (
        select(
            StockMovement.point_id,
            StockMovement.item_id,
            StockMovement.kind,
            func.sum(StockMovement.quantity_milli),
        )
        .where(StockMovement.round_id == round_id)
        .group_by(StockMovement.point_id, StockMovement.item_id, StockMovement.kind)
    )
    handed, _point = _handed_over_sums(literal("handed_over"))
    # The moves' sums and the live handovers' (as the kind "handed_over", which no stock
    # movement has) in one statement.
    ledger = union_all(moved, handed)
    due = (
        select(Entitlement.point_id, EntitlementLine.item_id, func.sum(EntitlementLine.due_milli))
        .join(Entitlement, Entitlement.id == EntitlementLine.entitlement_id)
        .where(EntitlementLine.round_id == round_id, Entitlement.status != "cancelled")
        .group_by(Entitlement.point_id, EntitlementLine.item_id)
    )
    return points, items, ledger, due


def balances(
    round_id: int,
    *,
    with_due: bool = True,
    point_ids: list[int] | None = None,
    item_ids: list[int] | None = None,
) -> list[Balance]:
    """Every (point, item) of the round with its ledger columns, points then items in
    their order; `due` (what the live entitlements are due) only `with_due` (the pages
    do not show it: a sum over every line of the round). A caller that already holds
    the round's point and item ids, in that order, passes them (two statements fewer)."""
    points_stmt, items_stmt, ledger_stmt, due_stmt = _balance_statements()
    values = {"round_id": round_id}
    points = (
        read(db.session, points_stmt, values).scalars().all() if point_ids is None else point_ids
    )
    items = read(db.session, items_stmt, values).scalars().all() if item_ids is None else item_ids
    table = {(p, i): Balance(p, i) for p in points for i in items}
    for p, i, kind, total in read(db.session, ledger_stmt, values):
        if kind != "handed_over":
            setattr(table[(p, i)], kind, int(total or 0))
        elif (p, i) in table:
            table[(p, i)].handed_over = int(total or 0)
    if with_due:
        for p, i, total in read(db.session, due_stmt, values):
            if (p, i) in table:
                table[(p, i)].due = int(total or 0)
    return list(table.values())


@cache
def _names_statement():
    """The round's points (kind 0, the name as `name_id`) then its items (kind 1), in
    the balances' order: one statement."""
    round_id = bindparam("round_id")
    points = select(
        literal(0).label("kind"),
        DistributionPoint.id,
        DistributionPoint.name.label("name_id"),
        null().label("name_en"),
        null().label("unit"),
        literal(0).label("position"),
    ).where(DistributionPoint.round_id == round_id)
    items = select(
        literal(1),
        RoundItem.id,
        RoundItem.name_id,
        RoundItem.name_en,
        RoundItem.unit,
        RoundItem.position,
    ).where(RoundItem.round_id == round_id)
    both = union_all(points, items).subquery()
    return select(both).order_by(both.c.kind, both.c.position, both.c.id)


def ledger_names(round_id: int) -> dict:
    """What the ledger's tables name: {"points": {id: name}, "items": {id: row with
    name_id, name_en and unit}} (plain rows), in the balances' order (points by id,
    items by position): their keys may be given to `balances` as its ids."""
    points, items = {}, {}
    for row in read(db.session, _names_statement(), {"round_id": round_id}):
        if row.kind:
            items[row.id] = row
        else:
            points[row.id] = row.name_id
    return {"points": points, "items": items}


def on_hand(round_id: int, point_id: int, item_id: int) -> int:
    """Thousandths of an item on hand at a point now (read inside the caller's lock)."""
    signed = case(*((StockMovement.kind == kind, sign) for kind, sign in SIGN.items()), else_=0)
    ledger = db.session.scalar(
        select(func.coalesce(func.sum(StockMovement.quantity_milli * signed), 0)).where(
            StockMovement.round_id == round_id,
            StockMovement.point_id == point_id,
            StockMovement.item_id == item_id,
        )
    )
    given = handed_over(round_id, point_id).get((point_id, item_id), 0)
    return int(ledger or 0) - given


def _checked(round_id: int, point_id: int, item_id: int, quantity_milli, field: str):
    round_ = locked_round(round_id)
    if round_.status not in RECEIVING:
        raise DistributionError(_l("This round's stock can no longer change."))
    point = db.session.get(DistributionPoint, point_id)
    if point is None or point.round_id != round_id:
        raise DistributionError(_l("Choose one of this round's points."), field)
    item = db.session.get(RoundItem, item_id)
    if item is None or item.round_id != round_id:
        raise DistributionError(_l("Choose one of this round's items."), "item_id")
    if not isinstance(quantity_milli, int) or quantity_milli <= 0:
        raise DistributionError(_l("Enter a quantity above zero."), "quantity")
    if on_hand(round_id, point_id, item_id) < quantity_milli:
        raise DistributionError(
            _l("There is not that much on hand at this point: the stock cannot go below zero."),
            "quantity",
        )
    return round_, point, item


def move_stock(
    round_id: int,
    *,
    from_point_id: int,
    to_point_id: int,
    item_id: int,
    quantity_milli: int,
    actor,
    note: str | None = None,
) -> str:
    """Move goods from one point to another: two rows sharing a transfer key (returned)."""
    if from_point_id == to_point_id:
        raise DistributionError(_l("Choose two different points."), "to_point_id")
    with write_transaction(db.session):
        _checked(round_id, from_point_id, item_id, quantity_milli, "from_point_id")
        target = db.session.get(DistributionPoint, to_point_id)
        if target is None or target.round_id != round_id:
            raise DistributionError(_l("Choose one of this round's points."), "to_point_id")
        transfer = secrets.token_hex(16)
        note = clean(note, 200) or None
        for point_id, kind in ((from_point_id, "moved_out"), (to_point_id, "moved_in")):
            db.session.add(
                StockMovement(
                    round_id=round_id,
                    point_id=point_id,
                    item_id=item_id,
                    kind=kind,
                    quantity_milli=quantity_milli,
                    transfer=transfer,
                    source_note=note,
                    actor_id=getattr(actor, "id", None),
                )
            )
        record(
            "move_stock",
            "distribution_round",
            round_id,
            actor=actor,
            after={
                "from_point_id": from_point_id,
                "to_point_id": to_point_id,
                "item_id": item_id,
                "quantity_milli": quantity_milli,
                "transfer": transfer,
            },
        )
    return transfer


def add_write_off(
    round_id: int,
    *,
    point_id: int,
    item_id: int,
    kind: str,
    quantity_milli: int,
    reason: str,
    actor,
    source_ref: str | None = None,
) -> StockMovement:
    """Goods leaving a point other than by a handover: returned (to the supplier),
    damaged or lost, always with the reason. Joins the caller's transaction (a
    procurement return is written with its own record or not at all)."""
    if kind not in OUTGOING:
        raise DistributionError(_l("Choose returned, damaged or lost."), "kind")
    reason = clean(reason)
    if not reason:
        raise DistributionError(_l("Give the reason."), "reason")
    _checked(round_id, point_id, item_id, quantity_milli, "point_id")
    movement = StockMovement(
        round_id=round_id,
        point_id=point_id,
        item_id=item_id,
        kind=kind,
        quantity_milli=quantity_milli,
        reason=reason,
        source_ref=clean(source_ref, 60) or None,
        actor_id=getattr(actor, "id", None),
    )
    db.session.add(movement)
    db.session.flush()
    record(
        f"stock_{kind}",
        "distribution_round",
        round_id,
        actor=actor,
        summary=reason,
        after={
            "point_id": point_id,
            "item_id": item_id,
            "quantity_milli": quantity_milli,
            "source_ref": movement.source_ref,
        },
    )
    return movement


def write_off(round_id: int, **kwargs) -> StockMovement:
    """`add_write_off` as a transaction of its own (the ledger page)."""
    with write_transaction(db.session):
        return add_write_off(round_id, **kwargs)


@cache
def _movements_statement():
    return (
        select(
            StockMovement.at,
            StockMovement.point_id,
            StockMovement.item_id,
            StockMovement.kind,
            StockMovement.quantity_milli,
            StockMovement.reason,
            StockMovement.source_note,
        )
        .where(StockMovement.round_id == bindparam("round_id"))
        .order_by(StockMovement.at.desc(), StockMovement.id.desc())
        .limit(bindparam("limit"))
    )


def movements(round_id: int, limit: int = 200) -> list:
    """The ledger's latest lines, newest first: plain rows of what the stock page shows
    (at, point_id, item_id, kind, quantity_milli, reason, source_note)."""
    return read(db.session, _movements_statement(), {"round_id": round_id, "limit": limit}).all()
