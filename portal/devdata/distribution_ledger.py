"""Demo data: an earlier, closed round of the published list with its stock ledger,
handovers (most households collected, a few in part), and an arrival-check sample with
a few calls recorded, one of which filed a misuse complaint. Shows the stock, closing
and sample pages and the public reconciliation."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select, update

from portal.accounts.models import User
from portal.distribution import services
from portal.distribution.models import (
    DistributionRound,
    Entitlement,
    Handover,
    HandoverLine,
)
from portal.extensions import db
from portal.lists import queries as lists
from portal.models_base import village_today


def _user(role: str) -> User | None:
    return db.session.scalar(select(User).where(User.role == role).order_by(User.id).limit(1))


def _hand_over(entitlement: Entitlement, share: int, officer: User) -> None:
    """Hand over `share` percent of what is due, as the point's pages record it."""
    handover = Handover(
        entitlement_id=entitlement.id,
        round_id=entitlement.round_id,
        point_id=entitlement.point_id,
        attempt=entitlement.voids,
        collected_by="collector",
        cash_paid=entitlement.cash_due * share // 100,
        partial_reason=None if share == 100 else "Stok beras kurang di titik",
        officer_id=officer.id,
    )
    db.session.add(handover)
    db.session.flush()
    for line in entitlement.lines:
        quantity = line.due_milli * share // 100
        db.session.add(
            HandoverLine(
                handover_id=handover.id,
                round_id=entitlement.round_id,
                item_id=line.item_id,
                quantity_milli=quantity,
            )
        )
        line.delivered_milli = quantity
    entitlement.cash_paid = handover.cash_paid
    entitlement.status = "collected" if share == 100 else "partly_collected"


def _round(version, operator, head):
    start = village_today() - timedelta(days=20)
    round_ = services.create_round(
        version_id=version.id,
        title_id="Penyaluran BLT tahap awal",
        title_en="BLT distribution, first stage",
        starts_on=start,
        ends_on=start + timedelta(days=1),
        cash_amount=300_000,
        sample_percent=10,
        sample_minimum=5,
        actor=operator,
    )
    points = [
        services.add_point(
            round_.id,
            name=name,
            address="Jl. Desa Duri Selatan",
            opens_at=time(opens),
            closes_at=time(14),
            actor=operator,
        )
        for name, opens in (("Balai Desa Duri Selatan", 8), ("Pos RW 02", 9))
    ]
    places = sorted({(h.rw or 0, h.rt) for h in lists.listed_households(version.id)})
    for n, (rw, rt) in enumerate(places):
        services.add_slot(
            round_.id,
            point_id=points[n % 2].id,
            rt=rt,
            rw=rw or None,
            day=start + timedelta(days=n % 2),
            starts_at=time(8 + n % 5),
            ends_at=time(9 + n % 5),
            actor=operator,
        )
    services.add_item(
        round_.id, name_id="Beras", name_en="Rice", unit="kg", quantity="10", actor=operator
    )
    services.approve(round_.id, actor=head)
    return db.session.get(DistributionRound, round_.id)


def seed() -> DistributionRound | None:
    """Add the closed demo round; None when there is no published list to hand out."""
    versions = lists.published_versions()
    operator, head, officer = _user("operator"), _user("auditor"), _user("admin")
    if not versions or operator is None or head is None or officer is None:
        return None
    if len(lists.listed_households(versions[-1].id)) < 2:
        return None
    round_ = _round(versions[-1], operator, head)
    main, second = round_.points
    rice = round_.items[0]
    due = {b.point_id: b.due for b in services.balances(round_.id)}
    services.receive_stock(
        round_id=round_.id,
        point_id=main.id,
        item_id=rice.id,
        quantity_milli=due[main.id] + due[second.id] + 50_000,
        source="supplier",
        source_note="Koperasi Tani Duri Selatan",
        actor=operator,
    )
    services.move_stock(
        round_.id,
        from_point_id=main.id,
        to_point_id=second.id,
        item_id=rice.id,
        quantity_milli=due[second.id] + 20_000,
        actor=operator,
    )
    services.write_off(
        round_.id,
        point_id=main.id,
        item_id=rice.id,
        kind="damaged",
        quantity_milli=5_000,
        reason="Karung sobek saat bongkar muat",
        actor=operator,
    )
    db.session.execute(
        update(DistributionRound).where(DistributionRound.id == round_.id).values(status="open")
    )
    db.session.commit()
    entitlements = db.session.scalars(
        select(Entitlement).where(Entitlement.round_id == round_.id).order_by(Entitlement.id)
    ).all()
    for n, entitlement in enumerate(entitlements):
        if n % 10 == 9:
            continue  # did not come
        _hand_over(entitlement, 50 if n % 10 == 4 else 100, officer)
    db.session.commit()
    services.close_round(round_.id, actor=operator)
    services.draw_sample(round_.id, actor=operator)
    checks = services.checks(round_.id)
    for n, check in enumerate(checks[:3]):
        services.record_check(
            check.id,
            method="call" if n else "visit",
            result="not_received" if n == 2 else "received_full",
            part_taken=False,
            note="Warga belum menerima beras." if n == 2 else "",
            actor=operator,
        )
    return round_
