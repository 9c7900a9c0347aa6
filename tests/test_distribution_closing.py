"""After the round: the arrival sample (size, once, complaints filed and routed), carrying
not-collected aid over to a follow-up round once, cancelling with a reason, and the
registry's dead or moved-away collectors flagged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from portal.complaints import services as complaints
from portal.complaints.models import Complaint
from portal.distribution import services
from portal.distribution.models import ArrivalCheck, DistributionRound, Entitlement
from portal.extensions import db
from portal.registry.models import Person
from tests.distribution_handovers import hand_over, open_round
from tests.distribution_helpers import approved_round


def _closed(make_user, left=5):
    """A closed round where all but `left` households collected; the sample's minimum 5."""
    round_, version, operator, head = approved_round(make_user)
    db.session.execute(
        update(DistributionRound).where(DistributionRound.id == round_.id).values(sample_minimum=5)
    )
    db.session.commit()
    open_round(round_.id)
    entitlements = db.session.scalars(
        select(Entitlement).where(Entitlement.round_id == round_.id).order_by(Entitlement.id)
    ).all()
    assert len(entitlements) > left + 10
    for e in entitlements[:-left]:
        hand_over(e)
    services.close_round(round_.id, actor=operator)
    db.session.expire_all()
    return db.session.get(DistributionRound, round_.id), operator, head, entitlements


def test_sample_size_is_the_share_with_a_minimum_and_at_most_all():
    assert services.sample_size(2000, 10, 30) == 200
    assert services.sample_size(200, 10, 30) == 30
    assert services.sample_size(20, 10, 30) == 20
    assert services.sample_size(1001, 10, 0) == 101


def test_the_sample_is_drawn_once_from_those_who_collected(make_user):
    round_, operator, _head, entitlements = _closed(make_user)
    collected = {e.id for e in entitlements[:-5]}
    size = services.sample_size(len(collected), 10, 5)
    assert 5 <= size < len(collected)
    assert services.draw_sample(round_.id, actor=operator) == size
    drawn = db.session.scalars(select(ArrivalCheck.entitlement_id)).all()
    assert len(set(drawn)) == size and set(drawn) <= collected
    with pytest.raises(services.DistributionError):
        services.draw_sample(round_.id, actor=operator)
    assert db.session.scalar(select(func.count()).select_from(ArrivalCheck)) == size


def test_not_received_or_a_part_taken_files_a_routed_complaint(make_user):
    round_, operator, head, _ = _closed(make_user)
    services.draw_sample(round_.id, actor=operator)
    first, second, third = services.checks(round_.id)[:3]
    assert (
        services.record_check(
            first.id, method="call", result="received_full", part_taken=False, actor=operator
        )
        is None
    )
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0

    code = services.record_check(
        second.id, method="visit", result="not_received", part_taken=False, actor=operator
    )
    complaint = complaints.find_by_code(code)
    assert complaint is not None and complaint.category == "misuse"
    assert not complaint.about_staff
    assert db.session.get(ArrivalCheck, second.id).complaint_id == complaint.id

    officer = make_user("officer")
    code = services.record_check(
        third.id,
        method="call",
        result="received_full",
        part_taken=True,
        actor=operator,
        note="Diminta Rp50.000 oleh petugas",
        named_staff_id=officer.id,
    )
    routed = complaints.find_by_code(code)
    assert routed.named_staff_id == officer.id and routed.about_staff
    assert complaints.may_see(head, routed)  # the village head / BPD
    assert not complaints.may_see(officer, routed)
    assert not complaints.may_see(operator, routed)
    with pytest.raises(services.DistributionError):
        services.record_check(
            third.id, method="call", result="not_received", part_taken=False, actor=operator
        )
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 2
    summary = services.sample_summary(round_.id)
    assert (summary.checked, summary.part_taken, summary.complaints) == (3, 1, 2)
    assert summary.drawn == len(services.checks(round_.id))
    assert summary.results == {"received_full": 2, "not_received": 1}


def test_a_bad_named_staff_files_nothing(make_user):
    round_, operator, _head, _ = _closed(make_user)
    services.draw_sample(round_.id, actor=operator)
    check = services.checks(round_.id)[0]
    resident = make_user("resident")
    with pytest.raises(complaints.ComplaintError):
        services.record_check(
            check.id,
            method="call",
            result="not_received",
            part_taken=False,
            actor=operator,
            named_staff_id=resident.id,
        )
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
    assert db.session.get(ArrivalCheck, check.id).result is None


def test_not_collected_aid_is_carried_over_once_or_cancelled(make_user):
    round_, operator, head, entitlements = _closed(make_user, left=4)
    left = list(entitlements[-4:])
    dead = db.session.get(Person, left[0].collector_id)
    dead.status = "dead"
    db.session.commit()
    rows = services.not_collected(round_.id)
    assert {r.id for r in rows} == {e.id for e in left}
    flagged = next(r for r in rows if r.id == left[0].id)
    assert "collector_dead" in flagged.flags
    before = services.progress(round_).total.due
    services.cancel_entitlement(left[0].id, reason="Penerima meninggal", actor=operator)
    with pytest.raises(services.DistributionError):
        services.cancel_entitlement(entitlements[0].id, reason="x", actor=operator)
    # The progress counts the cancelled entitlement apart (one scan with the others).
    progress = services.progress(round_)
    assert progress.cancelled == 1 and progress.total.due == before - 1

    start = round_.ends_on + timedelta(days=7)
    follow = services.create_follow_up(
        round_.id, title_id="Susulan", starts_on=start, ends_on=start, actor=operator
    )
    with pytest.raises(services.DistributionError):
        services.create_follow_up(
            round_.id, title_id="Lagi", starts_on=start, ends_on=start, actor=operator
        )
    services.approve(follow.id, actor=head)
    db.session.expire_all()
    carried = db.session.scalars(select(Entitlement).where(Entitlement.round_id == follow.id)).all()
    assert {e.follows_id for e in carried} == {e.id for e in left[1:]}
    old_by_id = {e.id: e for e in left}
    for e in carried:
        old = old_by_id[e.follows_id]
        assert e.household_id == old.household_id and e.status == "due"
        assert e.cash_due == old.cash_due
        assert sorted(line.due_milli for line in e.lines) == sorted(
            line.due_milli for line in old.lines
        )
    assert db.session.get(DistributionRound, follow.id).status == "approved"
    with pytest.raises(services.DistributionError):
        services.cancel_entitlement(left[1].id, reason="Sudah diteruskan", actor=operator)
    # The database refuses a second carry-over of the same aid (a listed household
    # that is not yet in the follow-up round, naming aid already carried).
    with pytest.raises(IntegrityError):
        db.session.execute(
            insert(Entitlement).values(
                round_id=follow.id,
                approval_id=carried[0].approval_id,
                version_id=carried[0].version_id,
                household_id=entitlements[0].household_id,
                code=services.new_entitlement_code(),
                rt=entitlements[0].rt,
                rw=entitlements[0].rw,
                cash_due=0,
                status="due",
                follows_id=carried[0].follows_id,
            )
        )
    db.session.rollback()
