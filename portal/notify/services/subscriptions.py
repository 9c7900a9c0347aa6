"""Subscriptions: a phone (or an e-mail address) confirmed by a code, topics and an
RT/RW, STOP for good.

A subscription starts pending: a six-digit code goes to the phone, and only the code
typed back makes it active (so nobody subscribes someone else's phone). The same steps
serve a phone that is already subscribed (its choices change when the code comes
back), so the form never tells whether a number is known. STOP (a reply, the link in
every message, or the office) ends it at once: its queued messages are withheld, and a
stopped row never becomes active again; subscribing anew is a new row and a new
consent. Every consent and withdrawal is a row of `notify_consent` (who, when, how).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import (
    Integer,
    bindparam,
    cast,
    delete,
    desc,
    func,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError

from portal.accounts.phones import normalise_phone
from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.notify import outbox, rules
from portal.notify.models import CHANNELS, TOPICS, Consent, Subscriber, TopicChoice
from portal.notify.services.common import NotifyError, hash_code
from portal.notify.services.notices import contact_of

CODE_MINUTES = 30
CODE_TRIES = 5
LIVE = ("pending", "active")


def check_choices(topics, rt, rw, channel, locale) -> dict:
    """The choices of a subscription, checked; NotifyError beside the wrong field."""
    topics = [t for t in dict.fromkeys(topics or []) if t in TOPICS]
    if not topics:
        raise NotifyError(_l("Choose at least one topic."), "topics")
    area = {}
    for name, value in (("rt", rt), ("rw", rw)):
        value = (value or "").strip()
        if value and not (value.isdigit() and value.isascii() and 1 <= len(value) <= 3):
            raise NotifyError(_l("Type the number only, e.g. 3."), name)
        area[name] = value.zfill(3) if value else None
    if channel not in CHANNELS:
        raise NotifyError(_l("Choose WhatsApp, SMS or e-mail."), "channel")
    return {
        "topics": topics,
        "rt": area["rt"],
        "rw": area["rw"],
        "channel": channel,
        "locale": locale if locale in ("id", "en") else "id",
    }


def _phone(text: str) -> str:
    phone = normalise_phone(text)
    if phone is None:
        raise NotifyError(_l("This is not a phone number we can send to."), "phone")
    return phone


def address(phone_text: str | None, email_text: str | None, channel: str) -> str:
    """Where the subscription's messages go: the e-mail address for the e-mail channel
    (NotifyError beside "email" when it is not one), else the phone in E.164."""
    if channel != "email":
        return _phone(phone_text)
    contact = contact_of(email_text)
    if contact is None or contact[1] != "email" or len(contact[0]) > 254:
        raise NotifyError(_l("Write an e-mail address such as nama@contoh.id."), "email")
    return contact[0]


def _code_message(phone: str, channel: str, locale: str, code: str) -> None:
    with force_locale(locale):
        body = _(
            "Your code to receive messages from the village portal: %(code)s. "
            "If you did not ask for it, ignore this message.",
            code=code,
        )
    outbox.queue(phone, channel, _("Your code"), body, "notify_code")


def start(phone_text: str, choices: dict, user=None, email_text: str | None = None) -> int:
    """Send a confirmation code to the phone (or the e-mail address, for the e-mail
    channel); returns the id of its live subscription (pending, or the active one whose
    choices the code will change)."""
    phone = address(phone_text, email_text, choices["channel"])
    code = f"{secrets.randbelow(10**6):06d}"
    live = select(Subscriber).where(Subscriber.phone == phone, Subscriber.status.in_(LIVE))
    for _attempt in range(2):
        try:
            with write_transaction(db.session) as s:
                subscriber = s.scalar(live)
                if subscriber is None:
                    subscriber = Subscriber(
                        phone=phone, channel=choices["channel"], locale=choices["locale"]
                    )
                    subscriber.status = "pending"
                    s.add(subscriber)
                subscriber.code_hash = hash_code(code)
                subscriber.code_sent_at = utcnow()
                subscriber.code_tries = 0
                if user is not None and subscriber.user_id is None:
                    subscriber.user_id = user.id
                _code_message(phone, choices["channel"], choices["locale"], code)
                s.flush()
                return subscriber.id
        except IntegrityError:
            continue  # someone else made the live row at the same moment: use it
    raise NotifyError(_l("Please try again."), "phone")


def confirm(subscriber_id: int, code: str, choices: dict, user=None) -> Subscriber:
    """The code typed back: the subscription becomes active with these choices, and the
    consent is recorded. A wrong or old code counts against CODE_TRIES."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    subscriber = db.session.get(Subscriber, subscriber_id)
    db.session.commit()
    fresh = (
        subscriber is not None
        and subscriber.status in LIVE
        and subscriber.code_hash is not None
        and subscriber.code_tries < CODE_TRIES
        and subscriber.code_sent_at >= utcnow() - timedelta(minutes=CODE_MINUTES)
    )
    if not fresh:
        raise NotifyError(_l("This code is no longer valid. Ask for a new one."), "code")
    with write_transaction(db.session) as s:
        matched = s.execute(
            update(Subscriber)
            .where(
                Subscriber.id == subscriber_id,
                Subscriber.status.in_(LIVE),
                Subscriber.code_hash == hash_code(code),
                Subscriber.code_tries < CODE_TRIES,
            )
            .values(status="active", code_hash=None, confirmed_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if not matched:
            s.execute(
                update(Subscriber)
                .where(Subscriber.id == subscriber_id)
                .values(code_tries=Subscriber.code_tries + 1)
                .execution_options(synchronize_session=False)
            )
        else:
            _apply(s, subscriber_id, choices, "web", user)
    if not matched:
        raise NotifyError(_l("The code is not right."), "code")
    subscriber = db.session.get(Subscriber, subscriber_id)
    db.session.refresh(subscriber)
    return subscriber


def _apply(s, subscriber_id: int, choices: dict, how: str, actor) -> None:
    s.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber_id)
        .values(
            rt=choices["rt"], rw=choices["rw"], channel=choices["channel"], locale=choices["locale"]
        )
        .execution_options(synchronize_session=False)
    )
    s.execute(delete(TopicChoice).where(TopicChoice.subscriber_id == subscriber_id))
    s.add_all(TopicChoice(subscriber_id=subscriber_id, topic=t) for t in choices["topics"])
    s.add(
        Consent(
            subscriber_id=subscriber_id,
            action="consent",
            how=how,
            topics=" ".join(choices["topics"]),
            by_user_id=actor.id if actor is not None else None,
        )
    )
    record(
        "notify.consent",
        "notify_subscriber",
        subscriber_id,
        actor=actor,
        summary=f"{how}: {' '.join(choices['topics'])}",
    )


def subscribe_at_office(actor, phone_text: str, choices: dict, email_text=None) -> int:
    """Staff record a consent given at the village office (on paper): the subscription
    is active at once, and the consent names the staff member."""
    phone = address(phone_text, email_text, choices["channel"])
    try:
        with write_transaction(db.session) as s:
            subscriber = s.scalar(
                select(Subscriber).where(Subscriber.phone == phone, Subscriber.status.in_(LIVE))
            )
            if subscriber is None:
                subscriber = Subscriber(phone=phone, channel=choices["channel"])
                s.add(subscriber)
            subscriber.status = "active"
            subscriber.code_hash = None
            subscriber.confirmed_at = utcnow()
            s.flush()
            _apply(s, subscriber.id, choices, "office", actor)
            return subscriber.id
    except IntegrityError as exc:
        raise NotifyError(_l("Please try again."), "phone") from exc


def stop(subscriber_id: int, how: str, actor=None) -> bool:
    """End a subscription at once and for good; its queued messages are withheld.
    False when it had already stopped."""
    with write_transaction(db.session) as s:
        stopped = s.execute(
            update(Subscriber)
            .where(Subscriber.id == subscriber_id, Subscriber.status.in_(LIVE))
            .values(status="stopped", stopped_at=utcnow(), code_hash=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if stopped:
            s.add(
                Consent(
                    subscriber_id=subscriber_id,
                    action="withdraw",
                    how=how,
                    by_user_id=actor.id if actor is not None else None,
                )
            )
            rules.withhold_stopped([subscriber_id])
            record("notify.withdraw", "notify_subscriber", subscriber_id, actor=actor, summary=how)
    return bool(stopped)


STOP_WORDS = {"STOP", "BERHENTI", "UNSUBSCRIBE", "UNREG", "BATAL"}


def reply_received(phone_text: str, text: str) -> int:
    """A reply from the gateway: a stop word ends every live subscription of the phone.
    Returns how many it ended."""
    phone = normalise_phone(phone_text)
    words = (text or "").strip().upper().split()
    if phone is None or not words or words[0] not in STOP_WORDS:
        return 0
    ids = db.session.scalars(
        select(Subscriber.id).where(Subscriber.phone == phone, Subscriber.status.in_(LIVE))
    ).all()
    db.session.commit()
    return sum(stop(subscriber_id, "reply") for subscriber_id in ids)


def topics_of(subscriber_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(TopicChoice.topic)
            .where(TopicChoice.subscriber_id == subscriber_id)
            .order_by(TopicChoice.topic)
        )
    )


def consents(limit: int = 100) -> list:
    """The latest consent records, for staff: rows of (at, action, how, topics, phone),
    what the subscribers page shows of each (its subscriber's phone)."""
    return list(db.session.execute(_consents_statement(), {"limit": limit}))


@cache
def _consents_statement():
    return (
        select(Consent.at, Consent.action, Consent.how, Consent.topics, Subscriber.phone)
        .join(Subscriber, Subscriber.id == Consent.subscriber_id)
        .order_by(Consent.id.desc())
        .limit(bindparam("limit"))
    )


def consents_and_topic_counts(limit: int = 100) -> tuple[list, dict[str, int]]:
    """`consents(limit)` and `topic_counts()` (what the subscribers page shows), in one
    statement."""
    found: list = []
    counts: dict[str, int] = {}
    for part, at, action, how, topics, phone, number, _id in db.session.execute(
        _consents_and_counts_statement(), {"limit": limit}
    ):
        if part == 0:
            found.append((at, action, how, topics, phone))
        else:
            counts[topics] = number
    return found, counts


@cache
def _consents_and_counts_statement():
    latest = _consents_statement().add_columns(Consent.id.label("consent_id")).subquery()
    topics, _channels = _count_statements()
    topic, number = topics.subquery().c
    return union_all(
        select(
            literal_column("0").label("part"),
            *(latest.c[name] for name in ("at", "action", "how", "topics", "phone")),
            cast(null(), Integer).label("number"),
            latest.c.consent_id,
        ),
        select(literal_column("1"), null(), null(), null(), topic, null(), number, null()),
    ).order_by("part", desc("consent_id"))


def counts() -> dict:
    """Active subscribers by topic and by channel (for staff)."""
    return {"topics": topic_counts(), "channels": channel_counts()}


def topic_counts() -> dict[str, int]:
    """Active subscribers by topic (the subscribers page)."""
    return dict(db.session.execute(_count_statements()[0]).all())


def channel_counts() -> dict[str, int]:
    """Active subscribers by channel (the broadcasts page)."""
    return dict(db.session.execute(_count_statements()[1]).all())


@cache
def _count_statements():
    active = Subscriber.status == "active"
    return (
        select(TopicChoice.topic, func.count())
        .join(Subscriber, Subscriber.id == TopicChoice.subscriber_id)
        .where(active)
        .group_by(TopicChoice.topic),
        select(Subscriber.channel, func.count()).where(active).group_by(Subscriber.channel),
    )
