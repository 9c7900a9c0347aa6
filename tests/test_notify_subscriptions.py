"""Subscriptions: a phone confirmed by a code, STOP by link or by reply at once and for
good, consent records, and no phone number on a public page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from portal.extensions import db
from portal.notify import outbox
from portal.notify.models import Consent, OutboxMessage, Subscriber, TopicChoice
from portal.notify.services import NotifyError, link_token, subscriber_id_of, subscriptions
from tests.notify_helpers import NOON, Recorder, broadcast, senders, subscriber

PHONE = "0812-3456-7890"
E164 = "+6281234567890"


def _subscribe(client, phone=PHONE, **extra):
    data = {
        "phone": phone,
        "channel": "whatsapp",
        "language": "id",
        "topics": ["meetings", "training"],
        "rt": "3",
        "rw": "2",
        **extra,
    }
    return client.post("/kabar/langganan", data=data)


def _code() -> str:
    body = db.session.scalars(
        select(OutboxMessage.body)
        .where(OutboxMessage.kind == "notify_code")
        .order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_a_phone_is_subscribed_only_with_the_code_sent_to_it(client):
    response = _subscribe(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/kode")
    pending = db.session.scalars(select(Subscriber)).one()
    assert pending.status == "pending" and pending.phone == E164
    assert db.session.scalars(select(Consent)).all() == []
    wrong = client.post("/kabar/langganan/kode", data={"code": "000000"})
    assert wrong.status_code == 400
    db.session.expire_all()
    assert db.session.get(Subscriber, pending.id).status == "pending"
    done = client.post("/kabar/langganan/kode", data={"code": _code()})
    assert done.status_code == 302
    token = done.headers["Location"].rsplit("/", 1)[1]
    assert subscriber_id_of(token) == pending.id
    db.session.expire_all()
    active = db.session.get(Subscriber, pending.id)
    assert (active.status, active.rt, active.rw) == ("active", "003", "002")
    topics = db.session.scalars(select(TopicChoice.topic).order_by(TopicChoice.topic)).all()
    assert topics == ["meetings", "training"]
    consent = db.session.scalars(select(Consent)).one()
    assert (consent.action, consent.how, consent.topics) == ("consent", "web", "meetings training")
    page = client.get(f"/kabar/langganan/{token}").get_data(as_text=True)
    assert "7890" not in page and "Pelatihan" in page or "Training" in page


def test_bad_input_is_shown_beside_the_field_and_nothing_is_written(client):
    response = _subscribe(client, phone="12ab")
    assert response.status_code == 400
    assert "12ab" in response.get_data(as_text=True)
    response = _subscribe(client, topics=[])
    assert response.status_code == 400
    assert db.session.scalars(select(Subscriber)).all() == []


def test_a_code_is_refused_after_too_many_wrong_tries(client):
    _subscribe(client)
    code = _code()
    subscriber_id = db.session.scalars(select(Subscriber.id)).one()
    choices = subscriptions.check_choices(["meetings"], None, None, "sms", "id")
    wrong = "999999" if code != "999999" else "111111"
    for _ in range(subscriptions.CODE_TRIES):
        with pytest.raises(NotifyError):
            subscriptions.confirm(subscriber_id, wrong, choices)
    with pytest.raises(NotifyError):
        subscriptions.confirm(subscriber_id, code, choices)
    assert db.session.scalars(select(Subscriber.status)).one() == "pending"
    # Asking again sends a new code, and that one works.
    _subscribe(client)
    assert subscriptions.confirm(subscriber_id, _code(), choices).status == "active"


def test_a_forged_link_token_finds_nobody(client, make_user):
    operator = make_user("operator")
    subscriber_id = subscriber(operator, E164)
    token = link_token(subscriber_id)
    assert client.get(f"/kabar/langganan/{token}").status_code == 200
    forged = f"{subscriber_id}-{'0' * 24}"
    assert client.get(f"/kabar/langganan/{forged}").status_code == 404
    assert (
        client.get(f"/kabar/langganan/{subscriber_id + 1}-{token.split('-')[1]}").status_code == 404
    )


def test_stop_by_link_is_at_once_and_for_good(app, client, make_user):
    operator = make_user("operator")
    subscriber_id = subscriber(operator, E164)
    item = broadcast(operator)
    from portal.notify.services import broadcasts

    assert broadcasts.send(item.id, operator) == 1
    token = link_token(subscriber_id)
    assert client.post(f"/kabar/langganan/{token}/berhenti").status_code == 302
    db.session.expire_all()
    assert db.session.get(Subscriber, subscriber_id).status == "stopped"
    # The queued message is withheld, never sent.
    recorder = Recorder()
    assert outbox.send_due(senders(recorder), now=NOON) == {"sent": 0, "failed": 0}
    assert recorder.sent == []
    assert db.session.scalars(select(OutboxMessage.status)).one() == "withheld"
    # A later broadcast does not reach them; the stop is recorded with how.
    assert broadcasts.preview(broadcast(operator))["size"] == 0
    actions = db.session.execute(select(Consent.action, Consent.how).order_by(Consent.id)).all()
    assert actions == [("consent", "office"), ("withdraw", "link")]
    # Stopped for good: the row never becomes active again.
    assert subscriptions.stop(subscriber_id, "link") is False
    with pytest.raises(NotifyError):
        subscriptions.confirm(subscriber_id, "123456", {})


def test_a_message_claimed_after_stop_is_not_sent(app, make_user):
    """STOP between the queueing and the claim: the claim's condition refuses it."""
    operator = make_user("operator")
    subscriber_id = subscriber(operator, E164)
    from portal.notify.services import broadcasts

    broadcasts.send(broadcast(operator).id, operator)
    db.session.execute(
        text("UPDATE notify_subscriber SET status = 'stopped', stopped_at = created_at")
    )
    db.session.commit()
    message_id = db.session.scalars(select(OutboxMessage.id)).one()
    assert outbox.claim(message_id, NOON) is False
    assert subscriber_id


@pytest.fixture
def app_config(app_config):
    return {**app_config, "NOTIFY_WEBHOOK_SECRET": "s3cret-of-the-gateway"}


def test_stop_by_reply_through_the_gateway_webhook(app, client, make_user):
    operator = make_user("operator")
    subscriber_id = subscriber(operator, E164)
    other = subscriber(operator, "+6281298765432")
    reply = {"from": "0812 3456 7890", "text": "stop"}
    assert client.post("/kabar/balasan", json=reply).status_code == 403
    wrong = {"Authorization": "Bearer nope"}
    assert client.post("/kabar/balasan", json=reply, headers=wrong).status_code == 403
    right = {"Authorization": "Bearer s3cret-of-the-gateway"}
    chatter = client.post("/kabar/balasan", json={**reply, "text": "terima kasih"}, headers=right)
    assert chatter.get_json() == {"stopped": 0}
    assert client.post("/kabar/balasan", json=reply, headers=right).get_json() == {"stopped": 1}
    db.session.expire_all()
    assert db.session.get(Subscriber, subscriber_id).status == "stopped"
    assert db.session.get(Subscriber, other).status == "active"
    how = db.session.scalars(select(Consent.how).where(Consent.action == "withdraw")).one()
    assert how == "reply"


def test_the_webhook_does_not_exist_without_a_secret(app, client):
    app.config["NOTIFY_WEBHOOK_SECRET"] = None
    assert client.post("/kabar/balasan", json={"from": E164, "text": "STOP"}).status_code == 404


def test_consent_records_cannot_be_rewritten(app, make_user):
    operator = make_user("operator")
    subscriber(operator, E164)
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE notify_consent SET how = 'web'"))
        db.session.commit()
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM notify_consent"))
        db.session.commit()
    db.session.rollback()


def test_the_subscribers_page_reads_consents_and_counts_at_once(app, make_user):
    """consents_and_topic_counts: `consents` (newest first) and
    `topic_counts` (a stopped subscriber not counted) in one statement."""
    operator = make_user("operator")
    for n, topics in enumerate((("announcements",), ("meetings", "training"), ("training",))):
        subscriber(operator, f"+62812345678{n:02d}", topics=topics)
    db.session.execute(
        text(
            "UPDATE notify_subscriber SET status = 'stopped', stopped_at = CURRENT_TIMESTAMP"
            " WHERE phone = '+6281234567800'"
        )
    )
    db.session.commit()
    consents, counts = subscriptions.consents_and_topic_counts()
    assert consents == subscriptions.consents() and len(consents) == 3
    assert counts == subscriptions.topic_counts() == {"meetings": 1, "training": 2}
    assert subscriptions.consents_and_topic_counts(limit=2)[0] == consents[:2]


def test_no_phone_number_on_the_public_pages(client, make_user):
    operator = make_user("operator")
    subscriber_id = subscriber(operator, E164)
    _subscribe(client, phone="0812 9999 0001")
    pages = [
        "/kabar/langganan",
        "/kabar/langganan/kode",
        f"/kabar/langganan/{link_token(subscriber_id)}",
        "/",
    ]
    for path in pages:
        body = client.get(path).get_data(as_text=True)
        for digits in ("34567890", "99990001", "3456-7890"):
            assert digits not in body, path
