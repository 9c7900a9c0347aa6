"""Distribution rounds: approval snapshots one entitlement per listed household, the
database refuses entitlements for households not on the list, what is due is frozen."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from portal.audit.models import AuditEntry
from portal.distribution import services
from portal.distribution.models import (
    DistributionRound,
    Entitlement,
    EntitlementLine,
    RoundApproval,
)
from portal.extensions import db
from portal.lists import queries
from portal.models_base import village_today
from portal.registry.models import Household
from portal.registry.scoring import food_entitlement, members_of
from tests.distribution_helpers import approved_round, draft_round, published_list


def test_approval_snapshots_one_entitlement_per_listed_household(make_user):
    round_, version, operator, head = approved_round(make_user)
    listed = queries.listed_households(version.id)
    assert len(listed) > 10
    entitlements = db.session.scalars(
        select(Entitlement).where(Entitlement.round_id == round_.id)
    ).all()
    assert sorted(e.household_id for e in entitlements) == sorted(h.household_id for h in listed)
    assert db.session.get(DistributionRound, round_.id).status == "approved"
    codes = {e.code for e in entitlements}
    assert len(codes) == len(entitlements)
    for e in entitlements:
        assert services.normalize_entitlement_code(e.code.replace("-", "").lower()) == e.code
        assert e.cash_due == 300_000 and e.status == "due"
        assert e.slot_id is not None and e.point_id is not None
        household = db.session.get(Household, e.household_id)
        if e.collector_id is not None:
            assert e.collector_id in {p.id for p in household.members}
        assert e.alternate_id != e.collector_id or e.alternate_id is None
        assert {line.item.name_en: line.due_milli for line in e.lines} == {
            "Rice": 10_000,
            "Cooking oil": 1_000,
        }
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "approve_round"))
    assert entry.actor_id == head.id


def test_the_food_formula_gives_larger_households_more(make_user):
    round_, *_ = approved_round(make_user, formula=True)
    checked = 0
    for e in db.session.scalars(select(Entitlement).where(Entitlement.round_id == round_.id)):
        household = db.session.get(Household, e.household_id)
        food = {line.key: line.quantity for line in food_entitlement(members_of(household))}
        got = {line.item.formula_key: line.due_milli for line in e.lines}
        assert got == {k: int(round(food[k] * 1000)) for k in ("rice", "oil") if food.get(k)}
        checked += 1
    assert checked > 10
    dues = {
        due
        for (due,) in db.session.execute(
            select(EntitlementLine.due_milli).where(EntitlementLine.round_id == round_.id)
        )
    }
    assert len(dues) > 2  # not one quantity for all


def test_only_the_village_head_approves_and_only_a_complete_draft(make_user):
    period, version, operator, head = published_list(make_user)
    round_ = services.create_round(
        version_id=version.id,
        title_id="Putaran kosong",
        starts_on=village_today(),
        ends_on=village_today(),
        actor=operator,
    )
    with pytest.raises(services.DistributionError):
        services.approve(round_.id, actor=operator)
    with pytest.raises(services.DistributionError):
        services.approve(round_.id, actor=head)
    assert db.session.scalar(select(func.count(Entitlement.id))) == 0
    assert db.session.scalar(select(func.count(RoundApproval.id))) == 0
    full = draft_round(version, operator)
    services.approve(full.id, actor=head)
    with pytest.raises(services.DistributionError):
        services.approve(full.id, actor=head)  # approved once only
    with pytest.raises(services.DistributionError):
        services.add_item(full.id, name_id="Telur", unit="kg", quantity="1", actor=operator)


def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(make_user):
    period, version, operator, head = published_list(make_user)
    cases = [
        (dict(version_id=version.id + 99), "version_id"),
        (dict(title_id="  "), "title_id"),
        (dict(ends_on=village_today() - timedelta(days=5)), "ends_on"),
        (dict(cash_amount=-1), "cash_amount"),
    ]
    for change, field in cases:
        data = dict(
            version_id=version.id,
            title_id="Penyaluran",
            starts_on=village_today(),
            ends_on=village_today(),
            actor=operator,
        )
        data.update(change)
        with pytest.raises(services.DistributionError) as refused:
            services.create_round(**data)
        assert refused.value.field == field
    assert db.session.scalar(select(func.count(DistributionRound.id))) == 0
    round_ = draft_round(version, operator)
    for quantity in ("0", "-2", "abc", "1e9", "NaN"):
        with pytest.raises(services.DistributionError) as refused:
            services.add_item(
                round_.id, name_id="Telur", unit="kg", quantity=quantity, actor=operator
            )
        assert refused.value.field == "quantity"
    assert services.parse_quantity("2,5") == 2500
    with pytest.raises(services.DistributionError) as refused:
        services.add_point(
            round_.id, name="Pos", opens_at=time(10), closes_at=time(9), actor=operator
        )
    assert refused.value.field == "closes_at"


def test_the_database_refuses_an_entitlement_for_a_household_not_on_the_list(make_user):
    round_, version, operator, head = approved_round(make_user)
    listed = {h.household_id for h in queries.listed_households(version.id)}
    outsider = db.session.scalar(select(Household.id).where(Household.id.not_in(listed)))
    approval = db.session.scalar(select(RoundApproval).where(RoundApproval.round_id == round_.id))
    assert outsider is not None
    with pytest.raises(IntegrityError):
        db.session.execute(
            insert(Entitlement).values(
                round_id=round_.id,
                approval_id=approval.id,
                version_id=version.id,
                household_id=outsider,
                code="AAAA-BBBB-CCCC-DDDD",
                rt=1,
                cash_due=0,
                cash_paid=0,
                status="due",
                voids=0,
            )
        )
        db.session.flush()
    db.session.rollback()
    # Nor can a second entitlement for a listed household be added.
    first = db.session.scalar(select(Entitlement).where(Entitlement.round_id == round_.id))
    with pytest.raises(IntegrityError):
        db.session.execute(
            insert(Entitlement).values(
                round_id=round_.id,
                approval_id=approval.id,
                version_id=version.id,
                household_id=first.household_id,
                code="AAAA-BBBB-CCCC-EEEE",
                rt=1,
                cash_due=0,
                cash_paid=0,
                status="due",
                voids=0,
            )
        )
    db.session.rollback()


@pytest.mark.parametrize(
    "change",
    [
        {"cash_due": 1},
        {"household_id": None},
        {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"},
    ],
)
def test_what_is_due_is_frozen_once_approved(make_user, change):
    round_, *_ = approved_round(make_user, households=60)
    entitlement = db.session.scalar(select(Entitlement).where(Entitlement.round_id == round_.id))
    if change.get("household_id", 0) is None:
        change = {"household_id": entitlement.household_id + 1}
    with pytest.raises((IntegrityError, DBAPIError)):
        db.session.execute(
            update(Entitlement).where(Entitlement.id == entitlement.id).values(**change)
        )
    db.session.rollback()
    with pytest.raises((IntegrityError, DBAPIError)):
        db.session.execute(
            update(EntitlementLine)
            .where(EntitlementLine.entitlement_id == entitlement.id)
            .values(due_milli=99_000)
        )
    db.session.rollback()
    with pytest.raises((IntegrityError, DBAPIError)):
        db.session.execute(
            text(f"DELETE FROM distribution_entitlement WHERE id = {entitlement.id}")
        )
    db.session.rollback()
    with pytest.raises((IntegrityError, DBAPIError)):
        db.session.execute(text("UPDATE distribution_approval SET reason = 'x'"))
    db.session.rollback()
    # The status may move (a handover sets it), what is due may not.
    db.session.execute(
        update(Entitlement).where(Entitlement.id == entitlement.id).values(status="collected")
    )
    db.session.commit()


def test_an_amendment_follows_a_later_version_with_its_reason(make_user):
    from portal.lists import services as lists

    round_, version, operator, head = approved_round(make_user)
    period = version.period
    listed = queries.listed_households(version.id)
    removed = listed[0].household_id
    lists.remove_household(period, removed, reason="Pindah desa", actor=operator)
    lists.approve(period, actor=head)
    newer = lists.publish(period, actor=operator)
    with pytest.raises(services.DistributionError) as refused:
        services.amend(round_.id, version_id=newer.id, reason=" ", actor=head)
    assert refused.value.field == "reason"
    with pytest.raises(services.DistributionError):
        services.amend(round_.id, version_id=newer.id, reason="Sanggahan", actor=operator)
    with pytest.raises(services.DistributionError) as refused:
        services.amend(round_.id, version_id=version.id, reason="Sama", actor=head)
    assert refused.value.field == "version_id"
    approval = services.amend(round_.id, version_id=newer.id, reason="Sanggahan RT 2", actor=head)
    assert approval.number == 2 and approval.cancelled == 1
    gone = db.session.scalar(
        select(Entitlement).where(
            Entitlement.round_id == round_.id, Entitlement.household_id == removed
        )
    )
    assert gone.status == "cancelled" and gone.cancel_reason == "Sanggahan RT 2"
    assert gone.cancelled_by_approval_id == approval.id
    assert db.session.get(DistributionRound, round_.id).version_id == newer.id


def test_goods_received_enter_the_ledger_only_for_the_rounds_own_point_and_item(make_user):
    from portal.distribution.models import StockMovement

    round_, version, operator, head = approved_round(make_user, households=60)
    round_ = db.session.get(DistributionRound, round_.id)
    point, item = round_.points[0], round_.items[0]
    services.receive_stock(
        round_id=round_.id,
        point_id=point.id,
        item_id=item.id,
        quantity_milli=500_000,
        source="supplier",
        source_note="Gapoktan Sumber Rejeki",
        actor=operator,
    )
    other = draft_round(version, operator)
    other = db.session.get(DistributionRound, other.id)
    bad = [
        dict(point_id=other.points[0].id),
        dict(item_id=other.items[0].id),
        dict(source="gift"),
        dict(quantity_milli=0),
    ]
    for change in bad:
        data = dict(
            round_id=round_.id,
            point_id=point.id,
            item_id=item.id,
            quantity_milli=1000,
            source="supplier",
            actor=operator,
        )
        data.update(change)
        with pytest.raises(services.DistributionError) as refused:
            services.receive_stock(**data)
        assert refused.value.field in {"point_id", "item_id", "source", "quantity"}
    rows = db.session.scalars(select(StockMovement)).all()
    assert [(r.kind, r.quantity_milli) for r in rows] == [("received", 500_000)]
    with pytest.raises((IntegrityError, DBAPIError)):
        db.session.execute(text("UPDATE distribution_stock SET quantity_milli = 1"))
    db.session.rollback()


def test_a_death_request_about_a_collector_warns_the_operator(app, make_user, client, login_as):
    from portal.registry.change_requests import services as change_requests
    from portal.registry.change_requests.hooks import concerns_for
    from portal.registry.models import Person
    from tests.change_request_helpers import verified_resident

    round_, *_ = approved_round(make_user, households=60)
    entitlement = db.session.scalar(
        select(Entitlement).where(
            Entitlement.round_id == round_.id,
            Entitlement.collector_id.is_not(None),
            Entitlement.alternate_id.is_not(None),
        )
    )
    collector = db.session.get(Person, entitlement.collector_id)
    resident = verified_resident(make_user, db.session.get(Person, entitlement.alternate_id))
    with app.test_request_context("/?lang=en"):
        found = [str(c.message) for c in concerns_for(entitlement.household_id, collector.id)]
        assert any(
            "collects the household's aid in the distribution round BLT distribution, January"
            in text
            for text in found
        ), found
    item = change_requests.file_request(
        db.session.get(Household, entitlement.household_id),
        "death",
        {"person_id": collector.id, "date": village_today()},
        resident=resident,
        filed_by=resident,
    )
    assert item.aid_warning
    # A household with nothing due in a live round gets no distribution concern.
    db.session.execute(
        update(Entitlement).where(Entitlement.id == entitlement.id).values(status="collected")
    )
    db.session.commit()
    with app.test_request_context("/?lang=en"):
        assert not [
            c for c in concerns_for(entitlement.household_id, collector.id) if "round" in c.audit
        ]
