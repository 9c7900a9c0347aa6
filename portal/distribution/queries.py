"""Read-only distribution figures for other features (the monitoring dashboard): how
entitlements ended, as counts, never a household."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from portal.distribution.models import DistributionRound, Entitlement, Handover, HandoverVoid
from portal.extensions import db


def entitlement_outcomes(first: date, last: date) -> dict[str, int]:
    """Entitlements of the rounds starting in [first, last] (not cancelled ones, nor
    cancelled rounds) by status, and how many were collected by a proxy (a live,
    unvoided handover)."""
    rounds = select(DistributionRound.id).where(
        DistributionRound.starts_on >= first,
        DistributionRound.starts_on <= last,
        DistributionRound.status != "cancelled",
    )
    counts = dict(
        db.session.execute(
            select(Entitlement.status, func.count(Entitlement.id))
            .where(Entitlement.round_id.in_(rounds), Entitlement.status != "cancelled")
            .group_by(Entitlement.status)
        ).all()
    )
    proxy = db.session.scalar(
        select(func.count(Handover.id))
        .outerjoin(HandoverVoid, HandoverVoid.handover_id == Handover.id)
        .where(
            Handover.round_id.in_(rounds),
            Handover.collected_by == "proxy",
            HandoverVoid.id.is_(None),
        )
    )
    counts["by_proxy"] = int(proxy or 0)
    return counts
