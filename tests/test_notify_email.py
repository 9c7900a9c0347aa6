"""E-mail for broadcasts: an address confirmed by a code like a phone, broadcasts by
e-mail with the long text and the stop link, STOP by link at once and for good."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.notify import outbox
from portal.notify.models import OutboxMessage, Subscriber
from portal.notify.services import broadcasts, link_token
from tests.notify_helpers import NOON, Recorder, broadcast, senders
from tests.test_notify_subscriptions import _code

EMAIL = "siti@example.org"


def _subscribe(client, **extra):
    data = {
        "phone": "",
        "email": "Siti@Example.org",
        "channel": "email",
        "language": "id",
        "topics": ["announcements"],
        **extra,
    }
    return client.post("/kabar/langganan", data=data)


def test_an_email_address_is_confirmed_by_a_code_sent_to_it(client):
    assert _subscribe(client).status_code == 302
    pending = db.session.scalars(select(Subscriber)).one()
    assert (pending.phone, pending.channel, pending.status) == (EMAIL, "email", "pending")
    code_message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "notify_code")
    ).one()
    assert (code_message.recipient, code_message.channel) == (EMAIL, "email")
    assert client.post("/kabar/langganan/kode", data={"code": _code()}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Subscriber, pending.id).status == "active"


def test_a_bad_or_missing_address_is_shown_beside_the_field(client):
    for email in ("", "siti-at-example"):
        response = _subscribe(client, email=email)
        assert response.status_code == 400
        assert 'id="email-error"' in response.get_data(as_text=True) or (
            "nama@contoh.id" in response.get_data(as_text=True)
        )
    # A phone channel still needs the phone.
    assert _subscribe(client, channel="sms").status_code == 400
    assert db.session.scalars(select(Subscriber)).all() == []


def test_a_broadcast_goes_by_email_with_the_long_text_and_stop_works(app, client, make_user):
    from portal.notify.services import subscriptions

    operator = make_user("operator")
    choices = subscriptions.check_choices(
        topics=["announcements"], rt=None, rw=None, channel="email", locale="id"
    )
    subscriber_id = subscriptions.subscribe_at_office(
        operator, "", choices, email_text="siti@example.org"
    )
    item = broadcast(operator)
    assert broadcasts.preview(item)["people"]["email"] == 1
    assert broadcasts.send(item.id, operator) == 1
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.broadcast_id == item.id)
    ).one()
    assert (message.recipient, message.channel, message.subject) == (
        EMAIL,
        "email",
        "Pembagian beras",
    )
    assert "Bawa KTP dan KK." in message.body  # the long text, not the SMS one
    token = link_token(subscriber_id)
    assert f"/kabar/langganan/{token}" in message.body
    assert not message.body.startswith("*")  # no WhatsApp bold markup
    assert client.post(f"/kabar/langganan/{token}/berhenti").status_code == 302
    recorder = Recorder()
    assert outbox.send_due(senders(recorder), now=NOON) == {"sent": 0, "failed": 0}
    assert (
        db.session.scalars(select(OutboxMessage.status).where(OutboxMessage.id == message.id)).one()
        == "withheld"
    )


def test_the_database_keeps_addresses_with_their_channel(app):
    db.session.add(Subscriber(phone="+6281234567890", channel="email", status="active"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(Subscriber(phone=EMAIL, channel="sms", status="active"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
