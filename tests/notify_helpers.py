"""Helpers for the notify tests: subscribers, broadcasts, a recording sender."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.models_base import village_tz
from portal.notify.models import OutboxMessage
from portal.notify.services import broadcasts, subscriptions

# Noon in the village: outside the quiet hours.
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=village_tz())


def subscriber(actor, phone, topics=("announcements",), rt=None, rw=None, **choice):
    choices = subscriptions.check_choices(
        topics=list(topics),
        rt=rt,
        rw=rw,
        channel=choice.get("channel", "whatsapp"),
        locale=choice.get("locale", "id"),
    )
    return subscriptions.subscribe_at_office(actor, phone, choices)


def broadcast(actor, **fields):
    values = {
        "title": "Pembagian beras",
        "topic": "announcements",
        "audience": "topic",
        "sms_id": "Pembagian beras hari Sabtu jam 8 di balai desa.",
        "text_id": "Pembagian beras hari Sabtu jam 8 di balai desa. Bawa KTP dan KK.",
        "link": "/pengumuman",
        **fields,
    }
    return broadcasts.create(actor, **values)


def messages(broadcast_id=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if broadcast_id is not None:
        query = query.where(OutboxMessage.broadcast_id == broadcast_id)
    return list(db.session.scalars(query))


def count(broadcast_id) -> int:
    return db.session.scalar(select(func.count()).where(OutboxMessage.broadcast_id == broadcast_id))


class Recorder:
    """A sender that records what it was asked to send."""

    def __init__(self):
        self.sent = []

    def __call__(self, message):
        self.sent.append((message.recipient, message.body))


def senders(recorder):
    return {"sms": recorder, "whatsapp": recorder, "email": recorder}
