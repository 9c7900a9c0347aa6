"""What the notify service keeps that an account can be matched with: the subscriptions
of the account's phone (or made while logged in), with their consent records."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, or_, select

from portal.accounts.models import User
from portal.accounts.residents import register_data_source
from portal.database import read
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.i18n import when
from portal.notify.models import (
    CONSENT_ACTIONS,
    CONSENT_WAYS,
    SUBSCRIBER_STATUSES,
    TOPICS,
    Consent,
    Subscriber,
    TopicChoice,
)

FIELD_LABELS = {
    "messages_since": _l("Subscribed on"),
    "messages_status": _l("Status"),
    "messages_topics": _l("Topics"),
    "messages_consents": _l("Consents and withdrawals"),
}


# Built once per process (with their cache keys); the account's values are parameters.
@cache
def _subscribers_statement(by_phone: bool):
    mine = [Subscriber.user_id == bindparam("user_id")]
    if by_phone:
        mine.append(Subscriber.phone == bindparam("phone"))
    return (
        select(Subscriber.id, Subscriber.created_at, Subscriber.status)
        .where(or_(*mine))
        .order_by(Subscriber.id)
    )


@cache
def _details_statements():
    ids = bindparam("ids", expanding=True)
    consents = (
        select(Consent.subscriber_id, Consent.at, Consent.action, Consent.how)
        .where(Consent.subscriber_id.in_(ids))
        .order_by(Consent.id)
    )
    topics = (
        select(TopicChoice.subscriber_id, TopicChoice.topic)
        .where(TopicChoice.subscriber_id.in_(ids))
        .order_by(TopicChoice.topic)
    )
    return consents, topics


def messages(user: User) -> tuple[object, list[dict]]:
    params = {"user_id": user.id, "phone": user.phone} if user.phone else {"user_id": user.id}
    found = read(db.session, _subscribers_statement(bool(user.phone)), params).all()
    if not found:
        return _l("Messages from the village"), []
    # Every subscription's consents and topics in two statements, however many.
    consents_statement, topics_statement = _details_statements()
    ids = {"ids": [item.id for item in found]}
    consents: dict[int, list] = {}
    for row in read(db.session, consents_statement, ids):
        consents.setdefault(row.subscriber_id, []).append(row)
    topics: dict[int, list[str]] = {}
    for subscriber_id, topic in read(db.session, topics_statement, ids):
        topics.setdefault(subscriber_id, []).append(topic)
    rows = []
    for item in found:
        rows.append(
            {
                "messages_since": item.created_at,
                "messages_status": SUBSCRIBER_STATUSES.get(item.status, item.status),
                "messages_topics": ", ".join(
                    str(TOPICS[t]) for t in topics.get(item.id, ()) if t in TOPICS
                ),
                "messages_consents": "; ".join(
                    f"{when(c.at)}: {CONSENT_ACTIONS[c.action]} ({CONSENT_WAYS[c.how]})"
                    for c in consents.get(item.id, ())
                ),
            }
        )
    return _l("Messages from the village"), rows


def register() -> None:
    register_data_source(messages, FIELD_LABELS)
