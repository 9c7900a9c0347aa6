"""The stock ledger, closing and the reconciliation: on hand never below zero (also
under concurrent moves), handed-over quantities from live handovers only, closing
marks what is left "not collected", cash budgeted against paid."""

from __future__ import annotations

import threading
from datetime import time

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.distribution import services
from portal.distribution.models import (
    DistributionPoint,
    DistributionRound,
    Entitlement,
    StockMovement,
)
from portal.extensions import db
from tests.distribution_handovers import hand_over, open_round, void
from tests.distribution_helpers import approved_round

RICE = "Rice"


def _setup(make_user, households=40):
    round_, _version, operator, head = approved_round(make_user, households)
    # add_point takes drafts only: the approved round's second point goes in directly.
    other = DistributionPoint(
        round_id=round_.id, name="Pos RW 02", opens_at=time(8), closes_at=time(12)
    )
    db.session.add(other)
    db.session.commit()
    round_ = db.session.get(DistributionRound, round_.id)
    rice = next(i for i in round_.items if i.name_en == RICE)
    main = round_.points[0]
    return round_, main, other, rice, operator, head


def _receive(round_, point, item, quantity_milli, operator):
    services.receive_stock(
        round_id=round_.id,
        point_id=point.id,
        item_id=item.id,
        quantity_milli=quantity_milli,
        source="supplier",
        source_note="Toko Tani Makmur",
        actor=operator,
    )


def test_on_hand_counts_every_column_and_only_live_handovers(make_user):
    round_, main, other, rice, operator, _head = _setup(make_user)
    _receive(round_, main, rice, 500_000, operator)
    services.move_stock(
        round_.id,
        from_point_id=main.id,
        to_point_id=other.id,
        item_id=rice.id,
        quantity_milli=100_000,
        actor=operator,
    )
    services.write_off(
        round_.id,
        point_id=main.id,
        item_id=rice.id,
        kind="damaged",
        quantity_milli=5_500,
        reason="Karung basah",
        actor=operator,
    )
    open_round(round_.id)
    entitlements = db.session.scalars(
        select(Entitlement).where(Entitlement.round_id == round_.id).order_by(Entitlement.id)
    ).all()
    first = hand_over(entitlements[0])
    hand_over(entitlements[1], share=0.5)
    due = {line.item_id: line.due_milli for line in entitlements[0].lines}
    half = {line.item_id: int(line.due_milli * 0.5) for line in entitlements[1].lines}
    assert services.on_hand(round_.id, main.id, rice.id) == (
        500_000 - 100_000 - 5_500 - due[rice.id] - half[rice.id]
    )
    assert services.on_hand(round_.id, other.id, rice.id) == 100_000
    void(first)
    assert (
        services.on_hand(round_.id, main.id, rice.id) == 500_000 - 100_000 - 5_500 - half[rice.id]
    )
    moves = db.session.scalars(
        select(StockMovement).where(StockMovement.transfer.is_not(None))
    ).all()
    assert sorted(m.kind for m in moves) == ["moved_in", "moved_out"]
    assert len({m.transfer for m in moves}) == 1
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"receive_stock", "move_stock", "stock_damaged"} <= actions


def test_a_move_or_loss_below_zero_is_refused_and_nothing_written(make_user):
    round_, main, other, rice, operator, _head = _setup(make_user)
    _receive(round_, main, rice, 10_000, operator)
    before = db.session.scalar(select(func.count()).select_from(StockMovement))
    with pytest.raises(services.DistributionError) as refused:
        services.move_stock(
            round_.id,
            from_point_id=main.id,
            to_point_id=other.id,
            item_id=rice.id,
            quantity_milli=10_001,
            actor=operator,
        )
    assert refused.value.field == "quantity"
    with pytest.raises(services.DistributionError):
        services.write_off(
            round_.id,
            point_id=other.id,
            item_id=rice.id,
            kind="lost",
            quantity_milli=1,
            reason="Hilang",
            actor=operator,
        )
    with pytest.raises(services.DistributionError) as no_reason:
        services.write_off(
            round_.id,
            point_id=main.id,
            item_id=rice.id,
            kind="lost",
            quantity_milli=1,
            reason="  ",
            actor=operator,
        )
    assert no_reason.value.field == "reason"
    with pytest.raises(services.DistributionError):
        services.move_stock(
            round_.id,
            from_point_id=main.id,
            to_point_id=main.id,
            item_id=rice.id,
            quantity_milli=1,
            actor=operator,
        )
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == before
    services.write_off(
        round_.id,
        point_id=main.id,
        item_id=rice.id,
        kind="returned",
        quantity_milli=10_000,
        reason="Kembali ke pemasok",
        actor=operator,
    )
    assert services.on_hand(round_.id, main.id, rice.id) == 0


@pytest.mark.concurrency
def test_two_moves_at_once_cannot_take_on_hand_below_zero(app, make_user):
    round_, main, other, rice, operator, _head = _setup(make_user)
    _receive(round_, main, rice, 10_000, operator)
    ids = (round_.id, main.id, other.id, rice.id, operator.id)
    threads_count = 6
    barrier = threading.Barrier(threads_count, timeout=60)
    outcomes, lock = [], threading.Lock()

    def run():
        from portal.accounts.models import User

        with app.app_context():
            try:
                actor = db.session.get(User, ids[4])
                db.session.commit()
                barrier.wait()
                services.move_stock(
                    ids[0],
                    from_point_id=ids[1],
                    to_point_id=ids[2],
                    item_id=ids[3],
                    quantity_milli=6_000,
                    actor=actor,
                )
                result = "ok"
            except services.DistributionError:
                result = "refused"
            except Exception as error:  # anything else fails the test
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    db.session.rollback()  # a fresh snapshot: the threads committed
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == threads_count - 1, outcomes
    assert services.on_hand(ids[0], ids[1], ids[3]) == 4_000
    assert services.on_hand(ids[0], ids[2], ids[3]) == 6_000


def test_closing_marks_what_is_left_not_collected_and_reconciles(make_user):
    round_, main, other, rice, operator, head = _setup(make_user)
    _receive(round_, main, rice, 2_000_000, operator)
    with pytest.raises(services.DistributionError):
        services.close_round(round_.id, actor=operator)  # not open yet
    open_round(round_.id)
    entitlements = db.session.scalars(
        select(Entitlement).where(Entitlement.round_id == round_.id).order_by(Entitlement.id)
    ).all()
    hand_over(entitlements[0])
    hand_over(entitlements[1], share=0.5)
    gone = hand_over(entitlements[2])
    void(gone)
    left = len(entitlements) - 2
    assert services.close_round(round_.id, actor=operator) == left
    db.session.expire_all()
    statuses = dict(
        db.session.execute(
            select(Entitlement.status, func.count())
            .where(Entitlement.round_id == round_.id)
            .group_by(Entitlement.status)
        ).all()
    )
    assert statuses == {"collected": 1, "partly_collected": 1, "not_collected": left}
    figures = services.reconciliation(round_.id)
    assert figures.cash_budgeted == 300_000 * len(entitlements)
    assert figures.cash_paid == 300_000 + 150_000
    assert figures.cash_left == figures.cash_budgeted - 450_000
    rice_main = next(b for b in figures.balances if b.point_id == main.id and b.item_id == rice.id)
    given = entitlements[0].lines[0].due_milli + entitlements[1].lines[0].delivered_milli
    assert entitlements[0].lines[0].item_id == rice.id
    assert rice_main.handed_over == given
    assert rice_main.received == 2_000_000
    assert rice_main.on_hand == 2_000_000 - given
    assert rice_main.due == sum(
        line.due_milli for e in entitlements for line in e.lines if line.item_id == rice.id
    )
    assert figures.per_item()[rice.id].handed_over == given
    services.mark_reconciled(round_.id, actor=operator, note="Cocok")
    db.session.expire_all()
    assert db.session.get(DistributionRound, round_.id).status == "reconciled"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reconcile_round"))
    assert entry is not None and entry.actor_id == operator.id
    with pytest.raises(services.DistributionError):
        services.move_stock(
            round_.id,
            from_point_id=main.id,
            to_point_id=other.id,
            item_id=rice.id,
            quantity_milli=1,
            actor=operator,
        )
