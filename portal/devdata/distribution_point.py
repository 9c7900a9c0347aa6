"""Demo handovers at a distribution point: in each open round, the demo officer
(`petugas`) records a few households as collected, one of them partly with its reason,
through the same service the officer's page calls. Nothing happens without an open
round (the rounds themselves are portal/devdata/distribution.py's)."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.distribution import services
from portal.distribution.models import Entitlement
from portal.extensions import db

PER_ROUND = 6


def seed() -> int:
    """Record up to PER_ROUND handovers in every open round; how many were recorded."""
    officer = db.session.scalar(select(User).where(User.username == "petugas"))
    if officer is None:
        return 0
    done = 0
    for round_ in services.open_rounds():
        entitlements = db.session.scalars(
            select(Entitlement)
            .where(
                Entitlement.round_id == round_.id,
                Entitlement.status == "due",
                Entitlement.collector_id.is_not(None),
                Entitlement.point_id.is_not(None),
            )
            .order_by(Entitlement.id)
            .limit(PER_ROUND)
        ).all()
        plans = [
            (e.id, e.point_id, {line.item_id: line.due_milli for line in e.lines})
            for e in entitlements
        ]
        db.session.commit()
        for n, (entitlement_id, point_id, quantities) in enumerate(plans):
            given = services.Given(collected_by="alternate" if n == 2 else "collector")
            given.quantities = dict(quantities)
            if n == 1 and quantities:
                item_id = next(iter(quantities))
                given.quantities[item_id] = quantities[item_id] // 2
                given.partial_reason = "Stok di titik habis, sisanya menyusul."
            try:
                services.hand_over(round_.id, point_id, entitlement_id, given, actor=officer)
                done += 1
            except services.DistributionError:
                db.session.rollback()  # e.g. no alternate on record: skip this one
    return done
