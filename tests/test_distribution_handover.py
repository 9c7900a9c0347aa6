"""Handover at the point: the rules of one handover, voids, offline batches and the
conflicts they leave, and 50 officers scanning the same code at once."""

from __future__ import annotations

import io
import threading
import uuid
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from portal import uploads
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.distribution import services
from portal.distribution.models import (
    DistributionRound,
    Entitlement,
    Handover,
    HandoverLine,
    HandoverVoid,
    SyncConflict,
)
from portal.extensions import db
from tests.distribution_helpers import approved_round


def open_round(make_user, households: int = 40):
    """(round, point, officer, second officer) with the round open."""
    round_, _version, operator, _head = approved_round(make_user, households)
    db.session.execute(
        update(DistributionRound).where(DistributionRound.id == round_.id).values(status="open")
    )
    db.session.commit()
    point = round_.points[0]
    return round_, point, make_user("officer"), make_user("officer")


def entitlement_of(round_id: int, n: int = 0) -> Entitlement:
    return db.session.scalars(
        select(Entitlement)
        .where(Entitlement.round_id == round_id, Entitlement.collector_id.is_not(None))
        .order_by(Entitlement.id)
    ).all()[n]


def full(entitlement: Entitlement, **kwargs) -> services.Given:
    quantities = {line.item_id: line.due_milli for line in entitlement.lines}
    return services.Given(collected_by="collector", quantities=quantities, **kwargs)


def jpeg() -> uploads.CleanImage:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="JPEG")
    return uploads.clean_image(out.getvalue(), max_side=1600, as_logo=False)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_full_handover_is_recorded_and_a_second_refused(app, make_user):
    round_, point, officer, other = open_round(make_user)
    e = entitlement_of(round_.id)
    found = services.find_by_code(round_.id, point.id, e.code.lower().replace("-", " "))
    assert found.id == e.id
    handover = services.hand_over(round_.id, point.id, e.id, full(e), actor=officer)
    db.session.expire_all()
    e = db.session.get(Entitlement, e.id)
    assert e.status == "collected" and e.cash_paid == e.cash_due
    assert all(line.delivered_milli == line.due_milli for line in e.lines)
    assert handover.attempt == 0 and handover.officer_id == officer.id
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "hand_over"))
    with pytest.raises(services.AlreadyCollected) as refused:
        services.hand_over(round_.id, point.id, e.id, full(e), actor=other)
    with app.test_request_context("/?lang=en"):
        text = str(refused.value.message)
    assert point.name in text and officer.name in text
    assert count(Handover) == 1


def test_partial_needs_a_reason_and_over_due_is_refused(make_user):
    round_, point, officer, _other = open_round(make_user)
    e = entitlement_of(round_.id)
    line = e.lines[0]
    given = full(e)
    given.quantities[line.item_id] = line.due_milli + 1
    with pytest.raises(services.DistributionError) as over:
        services.hand_over(round_.id, point.id, e.id, given, actor=officer)
    assert over.value.field == f"item_{line.item_id}"
    given.quantities[line.item_id] = line.due_milli // 2
    with pytest.raises(services.DistributionError) as reason:
        services.hand_over(round_.id, point.id, e.id, given, actor=officer)
    assert reason.value.field == "partial_reason"
    assert count(Handover) == 0
    given.partial_reason = "Stok beras habis"
    services.hand_over(round_.id, point.id, e.id, given, actor=officer)
    db.session.expire_all()
    e = db.session.get(Entitlement, e.id)
    assert e.status == "partly_collected"
    assert {ln.item_id: ln.delivered_milli for ln in e.lines}[line.item_id] == line.due_milli // 2


def test_bad_codes_are_refused_with_a_message(app, make_user):
    round_, point, officer, _other = open_round(make_user)
    e = entitlement_of(round_.id)
    with pytest.raises(services.DistributionError):
        services.find_by_code(round_.id, point.id, "nonsense")
    unknown = "2222-3333-4444-5555"
    with pytest.raises(services.DistributionError):
        services.find_by_code(round_.id, point.id, unknown)
    with pytest.raises(services.DistributionError) as other_round:
        services.find_by_code(round_.id + 1, point.id, e.code)
    with app.test_request_context("/?lang=en"):
        assert "another distribution round" in str(other_round.value.message)


def test_a_proxy_needs_name_relation_and_letter(make_user, app):
    round_, point, officer, _other = open_round(make_user)
    e = entitlement_of(round_.id)
    given = full(e)
    given.collected_by = "proxy"
    given.proxy_name = "Ahmad"
    given.proxy_relation = "Tetangga"
    with pytest.raises(services.DistributionError) as missing:
        services.hand_over(round_.id, point.id, e.id, given, actor=officer)
    assert missing.value.field == "proxy_letter"
    given.proxy_letter = jpeg()
    given.photo = jpeg()
    handover = services.hand_over(round_.id, point.id, e.id, given, actor=officer)
    from portal.distribution.services.handover import file_path

    assert file_path(handover, "surat") and file_path(handover, "foto")


def test_a_void_by_a_second_officer_lets_the_next_handover_in(make_user):
    round_, point, officer, other = open_round(make_user)
    e = entitlement_of(round_.id)
    first = services.hand_over(round_.id, point.id, e.id, full(e), actor=officer)
    with pytest.raises(services.DistributionError):
        services.void_handover(first.id, reason="Salah orang", actor=officer)
    with pytest.raises(services.DistributionError):
        services.void_handover(first.id, reason=" ", actor=other)
    services.void_handover(first.id, reason="Salah orang", actor=other)
    with pytest.raises(services.DistributionError):
        services.void_handover(first.id, reason="Lagi", actor=make_user("admin"))
    e = db.session.get(Entitlement, e.id)
    assert e.status == "due" and e.voids == 1
    assert all(line.delivered_milli == 0 for line in e.lines)
    second = services.hand_over(round_.id, point.id, e.id, full(e), actor=officer)
    assert second.attempt == 1 and count(HandoverVoid) == 1 and count(Handover) == 2


def _record(e: Entitlement, client_id: str | None = None) -> dict:
    return {
        "client_id": client_id or uuid.uuid4().hex,
        "entitlement_id": e.id,
        "collected_by": "collector",
        "lines": {str(line.item_id): line.due_milli for line in e.lines},
        "handed_at": datetime.now(UTC).isoformat(),
    }


def test_a_batch_sent_twice_is_stored_once_and_a_conflict_is_kept(make_user):
    round_, point, officer, other = open_round(make_user)
    es = [entitlement_of(round_.id, n) for n in range(5)]
    online = services.hand_over(round_.id, point.id, es[4].id, full(es[4]), actor=other)
    batch = [_record(e) for e in es]
    bad = dict(_record(es[0]), entitlement_id=10**9)
    over = _record(entitlement_of(round_.id, 6))
    over["lines"] = {k: v + 1 for k, v in over["lines"].items()}
    first = services.sync_batch(round_.id, point.id, [*batch, bad, over], actor=officer)
    outcomes = [o.outcome for o in first]
    assert outcomes == ["stored"] * 4 + ["conflict", "error", "error"]
    assert count(Handover) == 5 and count(SyncConflict) == 1
    again = services.sync_batch(round_.id, point.id, batch, actor=officer)
    assert [o.outcome for o in again] == ["duplicate"] * 5
    assert count(Handover) == 5 and count(SyncConflict) == 1
    conflict = services.conflicts()[0]
    assert conflict.entitlement_id == es[4].id and conflict.status == "open"
    # Accepting needs the other handover voided first.
    with pytest.raises(services.DistributionError):
        services.decide_conflict(conflict.id, outcome="accepted", note="Cek", actor=other)
    services.void_handover(online.id, reason="Dicatat dua kali", actor=officer)
    services.decide_conflict(conflict.id, outcome="accepted", note="Yang benar", actor=other)
    live = services.live_handover(es[4].id)
    assert live.client_id == conflict.client_id and live.officer_id == officer.id
    assert db.session.get(SyncConflict, conflict.id).status == "accepted"


def test_a_record_for_another_point_or_round_writes_nothing(make_user):
    round_, point, officer, _other = open_round(make_user)
    e = entitlement_of(round_.id)
    assert (
        services.sync_batch(round_.id, point.id, [{"client_id": "x"}], actor=officer)[0].outcome
        == "error"
    )
    with pytest.raises(services.DistributionError):
        services.sync_batch(round_.id + 1, point.id, [_record(e)], actor=officer)
    assert count(Handover) == 0 and count(SyncConflict) == 0


THREADS = 50


@pytest.mark.concurrency
def test_fifty_officers_scanning_one_code_store_one_handover(app, make_user):
    round_, point, _officer, _other = open_round(make_user)
    e = entitlement_of(round_.id)
    officers = [make_user("officer").id for _ in range(THREADS)]
    ids = (round_.id, point.id, e.id, {ln.item_id: ln.due_milli for ln in e.lines})
    db.session.remove()
    barrier = threading.Barrier(THREADS, timeout=60)
    outcomes, lock = [], threading.Lock()

    def run(n):
        with app.app_context():
            try:
                actor = db.session.get(User, officers[n])
                found = services.find_by_code(ids[0], ids[1], e.code)
                db.session.commit()
                barrier.wait()
                given = services.Given(collected_by="collector", quantities=dict(ids[3]))
                services.hand_over(ids[0], ids[1], found.id, given, actor=actor)
                result = "ok"
            except services.AlreadyCollected:
                result = "refused"
            except Exception as error:  # anything else fails the test
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == THREADS - 1, outcomes
    assert count(Handover) == 1
    assert db.session.scalar(select(func.count()).select_from(HandoverLine)) == len(ids[3])
    assert db.session.get(Entitlement, e.id).status == "collected"


def test_when_the_batch_write_is_refused_each_record_is_written_alone(make_user, monkeypatch):
    """Another phone's handover committed after the batch was checked: the database
    refuses the batch's write, and the records go one by one (that one a conflict)."""
    from portal.distribution.services import sync

    round_, point, officer, other = open_round(make_user)
    es = [entitlement_of(round_.id, n) for n in range(3)]
    services.hand_over(round_.id, point.id, es[1].id, full(es[1]), actor=other)
    monkeypatch.setattr(sync, "_live", lambda ids: set())  # as if checked before it
    out = services.sync_batch(round_.id, point.id, [_record(e) for e in es], actor=officer)
    assert [o.outcome for o in out] == ["stored", "conflict", "stored"]
    assert count(Handover) == 3 and count(SyncConflict) == 1
    assert services.live_handover(es[1].id).officer_id == other.id


def test_demo_handovers_go_through_the_service(make_user):
    from portal.devdata.distribution_point import seed

    round_, _point, _officer, _other = open_round(make_user)
    assert seed() == 0  # no demo officer yet
    make_user("officer", username="petugas")
    made = seed()
    assert made >= 4 and count(Handover) == made
    partly = db.session.scalars(
        select(Entitlement).where(
            Entitlement.round_id == round_.id, Entitlement.status == "partly_collected"
        )
    ).all()
    assert len(partly) == 1


def test_an_offline_proxy_sends_the_letter_with_the_record(make_user):
    import base64

    round_, point, officer, _other = open_round(make_user)
    e = entitlement_of(round_.id)
    record = dict(_record(e), collected_by="proxy", proxy_name="Ahmad", proxy_relation="Adik")
    out = services.sync_batch(round_.id, point.id, [record], actor=officer)
    assert out[0].outcome == "error" and count(Handover) == 0
    letter = base64.b64encode(jpeg().data).decode()
    record = dict(
        record, client_id=uuid.uuid4().hex, proxy_letter=f"data:image/jpeg;base64,{letter}"
    )
    out = services.sync_batch(round_.id, point.id, [record], actor=officer)
    assert out[0].outcome == "stored"
    stored = services.live_handover(e.id)
    assert stored.proxy_name == "Ahmad" and stored.proxy_letter
    not_a_picture = base64.b64encode(b"MZ not a picture").decode()
    other = entitlement_of(round_.id, 1)
    bad = dict(_record(other), collected_by="proxy", proxy_name="A", proxy_relation="B")
    bad["proxy_letter"] = not_a_picture
    out = services.sync_batch(round_.id, point.id, [bad], actor=officer)
    assert out[0].outcome == "error" and count(Handover) == 1
