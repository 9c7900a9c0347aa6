"""The stock ledger's entries that come from elsewhere: goods received at a point.

`add_received` joins the caller's transaction (a purchase delivery accepted in the
procurement package, a CSR delivery) so that the delivery and its stock line are
written together or not at all; `receive_stock` is the same as a transaction of its
own, for the distribution staff pages.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.services import record
from portal.database import write_transaction
from portal.distribution.models import (
    STOCK_SOURCES,
    DistributionPoint,
    DistributionRound,
    RoundItem,
    StockMovement,
)
from portal.distribution.services.common import DistributionError, clean
from portal.extensions import db
from portal.i18n import lazy_gettext as _l

# A round takes stock from its approval until it is reconciled.
RECEIVING = ("draft", "approved", "open", "closed")


def add_received(
    *,
    round_id: int,
    point_id: int,
    item_id: int,
    quantity_milli: int,
    source: str,
    actor,
    source_note: str | None = None,
    source_ref: str | None = None,
) -> StockMovement:
    """Add a "received" line to the session (the caller commits); refused when the
    round, point or item do not belong together or the round no longer takes stock."""
    round_ = db.session.get(DistributionRound, round_id)
    if round_ is None or round_.status not in RECEIVING:
        raise DistributionError(_l("Choose a round that is still taking stock."), "round_id")
    point = db.session.get(DistributionPoint, point_id)
    if point is None or point.round_id != round_id:
        raise DistributionError(_l("Choose one of this round's points."), "point_id")
    item = db.session.get(RoundItem, item_id)
    if item is None or item.round_id != round_id:
        raise DistributionError(_l("Choose one of this round's items."), "item_id")
    if source not in STOCK_SOURCES:
        raise DistributionError(_l("Choose where the goods came from."), "source")
    if not isinstance(quantity_milli, int) or quantity_milli <= 0:
        raise DistributionError(_l("Enter a quantity above zero."), "quantity")
    movement = StockMovement(
        round_id=round_id,
        point_id=point_id,
        item_id=item_id,
        kind="received",
        quantity_milli=quantity_milli,
        source=source,
        source_note=clean(source_note, 200) or None,
        source_ref=clean(source_ref, 60) or None,
        actor_id=getattr(actor, "id", None),
    )
    db.session.add(movement)
    db.session.flush()
    record(
        "receive_stock",
        "distribution_round",
        round_id,
        actor=actor,
        after={
            "point_id": point_id,
            "item_id": item_id,
            "quantity_milli": quantity_milli,
            "source": source,
            "source_ref": movement.source_ref,
        },
    )
    return movement


def receive_stock(**kwargs) -> StockMovement:
    """`add_received` as a transaction of its own."""
    with write_transaction(db.session):
        return add_received(**kwargs)


def received_by_ref(source_ref: str) -> list[StockMovement]:
    """The stock lines another record brought (e.g. "purchase_delivery:12")."""
    return list(
        db.session.scalars(select(StockMovement).where(StockMovement.source_ref == source_ref))
    )
