"""What the notify service keeps that an account can be matched with: the subscriptions
of the account's phone (or made while logged in), with their consent records."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portal.accounts.models import User
from portal.accounts.residents import register_data_source
from portal.extensions import db
from portal.i18n import when
from portal.notify.models import (
    CONSENT_ACTIONS,
    CONSENT_WAYS,
    SUBSCRIBER_STATUSES,
    TOPICS,
    Consent,
    Subscriber,
)
from portal.notify.services import subscriptions

FIELD_LABELS = {
    "messages_since": _l("Subscribed on"),
    "messages_status": _l("Status"),
    "messages_topics": _l("Topics"),
    "messages_consents": _l("Consents and withdrawals"),
}


def messages(user: User) -> tuple[object, list[dict]]:
    mine = [Subscriber.user_id == user.id]
    if user.phone:
        mine.append(Subscriber.phone == user.phone)
    found = db.session.scalars(select(Subscriber).where(or_(*mine)).order_by(Subscriber.id))
    rows = []
    for item in found:
        consents = db.session.scalars(
            select(Consent).where(Consent.subscriber_id == item.id).order_by(Consent.id)
        )
        rows.append(
            {
                "messages_since": item.created_at,
                "messages_status": SUBSCRIBER_STATUSES.get(item.status, item.status),
                "messages_topics": ", ".join(
                    str(TOPICS[t]) for t in subscriptions.topics_of(item.id) if t in TOPICS
                ),
                "messages_consents": "; ".join(
                    f"{when(c.at)}: {CONSENT_ACTIONS[c.action]} ({CONSENT_WAYS[c.how]})"
                    for c in consents
                ),
            }
        )
    return _l("Messages from the village"), rows


def register() -> None:
    register_data_source(messages, FIELD_LABELS)
