"""Handovers as the schema records them, for tests of what comes after the point
(stock, closing, reconciliation, the arrival check): attempt = the entitlement's voids,
the entitlement's lines and cash updated, its status derived."""

from __future__ import annotations

from sqlalchemy import update

from portal.distribution.models import (
    DistributionRound,
    Entitlement,
    Handover,
    HandoverLine,
    HandoverVoid,
)
from portal.extensions import db


def open_round(round_id: int) -> None:
    """The round opened (the lifecycle service is another part of the work)."""
    db.session.execute(
        update(DistributionRound).where(DistributionRound.id == round_id).values(status="open")
    )
    db.session.commit()


def hand_over(entitlement: Entitlement, *, share: float = 1.0, officer=None) -> Handover:
    """Hand over `share` of every line and of the cash (1.0 = in full)."""
    handover = Handover(
        entitlement_id=entitlement.id,
        round_id=entitlement.round_id,
        point_id=entitlement.point_id,
        attempt=entitlement.voids,
        collected_by="collector",
        cash_paid=int(entitlement.cash_due * share),
        partial_reason=None if share == 1.0 else "Stok kurang",
        officer_id=getattr(officer, "id", None),
    )
    db.session.add(handover)
    db.session.flush()
    full = True
    for line in entitlement.lines:
        quantity = int(line.due_milli * share)
        db.session.add(
            HandoverLine(
                handover_id=handover.id,
                round_id=entitlement.round_id,
                item_id=line.item_id,
                quantity_milli=quantity,
            )
        )
        line.delivered_milli = quantity
        full = full and quantity == line.due_milli
    entitlement.cash_paid = handover.cash_paid
    full = full and entitlement.cash_paid == entitlement.cash_due
    entitlement.status = "collected" if full else "partly_collected"
    db.session.commit()
    return handover


def void(handover: Handover, *, officer=None) -> None:
    """Void a handover: its entitlement is due again, the next attempt one higher."""
    entitlement = db.session.get(Entitlement, handover.entitlement_id)
    db.session.add(
        HandoverVoid(
            handover_id=handover.id, reason="Salah orang", voided_by_id=getattr(officer, "id", None)
        )
    )
    for line in entitlement.lines:
        line.delivered_milli = 0
    entitlement.cash_paid = 0
    entitlement.voids += 1
    entitlement.status = "due"
    db.session.commit()
