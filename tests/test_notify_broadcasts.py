"""Broadcasts: who receives them (topic, RTs, a list's households, a course's
participants), the preview, the second person's approval, quiet hours, the daily cap,
the delivery report, and once per person even when sent twice at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.database import write_transaction
from portal.extensions import db
from portal.notify import outbox, rules
from portal.notify.models import Broadcast, DailyCount, OutboxMessage
from portal.notify.services import NotifyError, broadcasts, link_token
from tests.notify_helpers import NOON, Recorder, broadcast, count, messages, senders, subscriber

THREADS = 6


def test_a_topic_broadcast_reaches_its_active_subscribers_once_each(make_user):
    operator = make_user("operator")
    first = subscriber(operator, "+6281200000001", topics=("announcements",))
    second = subscriber(
        operator, "+6281200000002", topics=("announcements", "meetings"), locale="en"
    )
    subscriber(operator, "+6281200000003", topics=("meetings",))
    item = broadcast(operator, text_en="Rice on Saturday at 8.")
    assert broadcasts.send(item.id, operator) == 2
    by_phone = {m.recipient: m for m in messages(item.id)}
    assert set(by_phone) == {"+6281200000001", "+6281200000002"}
    assert "Rice on Saturday" in by_phone["+6281200000002"].body
    assert "Bawa KTP" in by_phone["+6281200000001"].body
    assert "/k/" in by_phone["+6281200000001"].body  # the short link
    # Each WhatsApp message carries its own subscriber's stop link, and no other.
    assert f"/kabar/langganan/{link_token(first)}" in by_phone["+6281200000001"].body
    assert f"/kabar/langganan/{link_token(second)}" in by_phone["+6281200000002"].body
    assert link_token(second) not in by_phone["+6281200000001"].body
    with pytest.raises(NotifyError):
        broadcasts.send(item.id, operator)  # sent already
    assert count(item.id) == 2


def test_some_rts_reach_only_their_subscribers(make_user):
    operator = make_user("operator")
    subscriber(operator, "+6281200000001", rt="3", rw="2")
    subscriber(operator, "+6281200000002", rt="4", rw="2")
    subscriber(operator, "+6281200000003", rt="3", rw="1")
    subscriber(operator, "+6281200000004", rt="3", rw="2", topics=("training",))
    with pytest.raises(NotifyError) as refused:
        broadcast(operator, audience="rt", areas="tiga")
    assert refused.value.field == "areas"
    item = broadcast(operator, audience="rt", areas="3/2, 5/2")
    assert broadcasts.send(item.id, operator) == 1
    assert [m.recipient for m in messages(item.id)] == ["+6281200000001"]


def test_the_preview_counts_people_per_channel_and_sms_segments(make_user):
    operator = make_user("operator")
    subscriber(operator, "+6281200000001", channel="sms")
    subscriber(operator, "+6281200000002", channel="sms")
    subscriber(operator, "+6281200000003", channel="whatsapp")
    item = broadcast(operator, sms_id="Beras " * 30)  # 180 characters and the footer
    preview = broadcasts.preview(item)
    assert preview["people"] == {"sms": 2, "whatsapp": 1, "email": 0}
    assert preview["segments"]["id"] == 2
    assert preview["total_segments"] == 4
    plain = broadcast(operator, sms_id="Beras v" * 5)
    unicode = broadcast(operator, sms_id="Beras ✓" * 5)  # one character makes it UCS-2
    assert broadcasts.preview(plain)["segments"]["id"] == 1
    assert broadcasts.preview(unicode)["segments"]["id"] == 2


def test_a_large_broadcast_waits_for_a_second_person(app, make_user):
    app.config["NOTIFY_APPROVAL_ABOVE"] = 2
    author, other = make_user("operator"), make_user("admin")
    for n in range(3):
        subscriber(author, f"+628120000000{n + 1}")
    item = broadcast(author)
    assert broadcasts.send(item.id, author) == 0
    assert db.session.get(Broadcast, item.id).status == "waiting"
    assert count(item.id) == 0
    with pytest.raises(NotifyError):
        broadcasts.approve(item.id, author)  # never the author
    assert broadcasts.approve(item.id, other) == 3
    done = db.session.get(Broadcast, item.id)
    assert (done.status, done.approved_by_id, done.size) == ("queued", other.id, 3)


def test_the_database_refuses_the_author_as_approver(make_user):
    author = make_user("operator")
    item = broadcast(author)
    item.approved_by_id = author.id
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_one_message_per_person_per_broadcast_is_a_database_constraint(make_user):
    operator = make_user("operator")
    subscriber_id = subscriber(operator, "+6281200000001")
    item = broadcast(operator)
    broadcasts.send(item.id, operator)
    duplicate = OutboxMessage(
        recipient="+6281200000001",
        channel="sms",
        body="again",
        broadcast_id=item.id,
        subscriber_id=subscriber_id,
    )
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def _race(app, act) -> list[str]:
    barrier = threading.Barrier(THREADS, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run():
        with app.app_context():
            try:
                barrier.wait()
                act()
                result = "ok"
            except NotifyError:
                result = "refused"
            except Exception as error:  # anything else fails the test
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    db.session.expire_all()
    return outcomes


@pytest.mark.concurrency
def test_sent_twice_at_once_it_is_queued_once(app, make_user):
    operator = make_user("operator")
    for n in range(20):
        subscriber(operator, f"+62812000001{n:02d}")
    ids = (broadcast(operator).id, operator.id)
    db.session.commit()

    def act():
        broadcasts.send(ids[0], db.session.get(User, ids[1]))

    outcomes = _race(app, act)
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == THREADS - 1, outcomes
    assert count(ids[0]) == 20
    per_person = db.session.execute(
        select(OutboxMessage.subscriber_id, func.count())
        .where(OutboxMessage.broadcast_id == ids[0])
        .group_by(OutboxMessage.subscriber_id)
    ).all()
    assert len(per_person) == 20 and {n for _s, n in per_person} == {1}


@pytest.mark.concurrency
def test_the_unique_pair_holds_when_the_status_gate_is_bypassed(app, make_user):
    """Even two writers that both insert the messages (no status check) queue one per
    person: the UNIQUE (broadcast, subscriber) pair, on both engines."""
    operator = make_user("operator")
    for n in range(20):
        subscriber(operator, f"+62812000002{n:02d}")
    broadcast_id = broadcast(operator).id
    db.session.commit()

    def act():
        with write_transaction(db.session) as s:
            broadcasts.queue_messages(s.get(Broadcast, broadcast_id))

    outcomes = _race(app, act)
    assert outcomes == ["ok"] * THREADS, outcomes
    assert count(broadcast_id) == 20


@pytest.mark.concurrency
def test_the_daily_cap_holds_under_concurrent_senders(app, make_user):
    app.config["NOTIFY_DAILY_CAP"] = 2
    operator = make_user("operator")
    subscriber_id = subscriber(operator, "+6281200000001")
    results = []

    def act():
        ok = rules.count_one(subscriber_id, NOON)
        db.session.commit()
        results.append(ok)

    outcomes = _race(app, act)
    assert outcomes == ["ok"] * THREADS, outcomes
    assert results.count(True) == 2
    assert db.session.scalar(select(DailyCount.sent)) == 2


def test_the_sender_keeps_the_daily_cap_and_sends_the_rest_tomorrow(app, make_user):
    app.config["NOTIFY_DAILY_CAP"] = 2
    operator = make_user("operator")
    subscriber(operator, "+6281200000001")
    for title in ("Satu", "Dua", "Tiga"):
        item = broadcast(operator, title=title)
        broadcasts.send(item.id, operator)
    recorder = Recorder()
    assert outbox.send_due(senders(recorder), now=NOON) == {"sent": 2, "failed": 0}
    assert len(recorder.sent) == 2
    waiting = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == "queued")
    ).one()
    assert waiting.attempts == 0
    assert waiting.next_attempt_at == rules.next_morning(NOON)
    assert outbox.send_due(senders(recorder), now=NOON + timedelta(hours=1))["sent"] == 0
    tomorrow = rules.next_morning(NOON)
    assert outbox.send_due(senders(recorder), now=tomorrow) == {"sent": 1, "failed": 0}


def test_quiet_hours_hold_subscribers_messages_until_morning(app, make_user):
    operator = make_user("operator")
    subscriber(operator, "+6281200000001")
    broadcasts.send(broadcast(operator).id, operator)
    # A course confirmation (no subscriber) still goes out at night.
    outbox.queue("+6281299999999", "sms", "Kursus", "Tempat Anda terkonfirmasi.", "enrolled")
    db.session.commit()
    night = NOON.replace(hour=22)
    recorder = Recorder()
    assert outbox.send_due(senders(recorder), now=night) == {"sent": 1, "failed": 0}
    assert [phone for phone, _body in recorder.sent] == ["+6281299999999"]
    early = (night + timedelta(hours=8)).replace(hour=6, minute=59)
    assert outbox.send_due(senders(recorder), now=early)["sent"] == 0
    assert outbox.send_due(senders(recorder), now=early.replace(hour=7, minute=0))["sent"] == 1


def test_the_delivery_report_counts_by_channel_and_state(app, make_user):
    operator = make_user("operator")
    subscriber(operator, "+6281200000001", channel="sms")
    subscriber(operator, "+6281200000002", channel="whatsapp")
    item = broadcast(operator)
    broadcasts.send(item.id, operator)

    def failing(message):
        raise RuntimeError("gateway down")

    draft = broadcast(operator)
    assert broadcasts.with_report(draft.id) == (draft, {})
    outbox.send_due({"sms": Recorder(), "whatsapp": failing}, now=NOON)
    assert broadcasts.report(item.id) == {"sms": {"sent": 1}, "whatsapp": {"queued": 1}}
    # The staff page reads the broadcast with its report in one statement.
    assert broadcasts.with_report(item.id) == (item, broadcasts.report(item.id))
    assert broadcasts.with_report(draft.id + 1000) is None


def test_a_course_broadcast_reaches_its_participants_who_subscribed(app, make_user):
    from portal.training import services as training
    from tests import training_helpers as th

    operator = make_user("operator")
    ts = th.session(th.course(), seats=5)
    training.sign_up(ts.id, training.applicant_by_phone("Siti", "081200000001"))
    training.sign_up(ts.id, training.applicant_by_phone("Rina", "081200000002"))
    subscriber(operator, "+6281200000001", topics=("meetings",))
    subscriber(operator, "+6281200000003", topics=("training",))  # not in the course
    with app.test_request_context():
        options = dict(broadcasts.audience_options())
    assert f"course:{ts.course_id}" in options
    item = broadcast(operator, audience="course", audience_ref=ts.course_id)
    # Described by its own kind's choices only: the label of its option.
    with app.test_request_context():
        assert broadcasts.describe(item) == options[f"course:{ts.course_id}"]
        gone = Broadcast(audience="course", audience_ref=ts.course_id + 99)  # not kept
        assert broadcasts.describe(gone) == "course"
    assert broadcasts.send(item.id, operator) == 1
    assert [m.recipient for m in messages(item.id)] == ["+6281200000001"]
