"""Broadcasts: written once, previewed (people per channel, SMS segments), approved by a
second person above NOTIFY_APPROVAL_ABOVE recipients, queued as one message per
subscriber, and reported on.

Who receives a broadcast: active subscribers only, never a stopped one. The audience
picks among them: those who chose the broadcast's topic ("topic"), those of them living
in some RTs ("rt"), or those whose phone a feature's audience hook names ("list",
"course", a distribution round: portal/notify/hooks.py), whatever their topics, since
the message is about their own household or course.

Sending twice at once queues once: the status moves draft/waiting → queued by a
conditional UPDATE that only one transaction wins, and the UNIQUE (broadcast,
subscriber) pair of `outbox_message` would refuse a second message anyway.
"""

from __future__ import annotations

from functools import cache

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, or_, select, true, update

from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.notify import hooks, printed, sms
from portal.notify.models import TOPICS, Broadcast, OutboxMessage, Subscriber, TopicChoice
from portal.notify.rules import insert_ignore
from portal.notify.services.common import (
    NotifyError,
    absolute,
    areas_text,
    link_token,
    parse_areas,
)

SMS_MAX = 480  # three GSM segments, or seven UCS-2 ones
_PLACEHOLDER = "\x00stop-link\x00"
# The fields a broadcast form fills (besides the audience).
FIELDS = ("title", "topic", "areas", "sms_id", "sms_en", "text_id", "text_en", "link")


def audience_kinds() -> dict[str, object]:
    """The audiences staff choose from: the built-in two and the registered ones."""
    kinds = {"topic": _l("Everyone subscribed to the topic"), "rt": _l("Some RTs")}
    kinds.update({kind: p.label for kind, p in hooks.audiences().items()})
    return kinds


def _fixed_options() -> list[tuple[str, str]]:
    return [("topic", str(_l("Everyone subscribed to the topic"))), ("rt", str(_l("Some RTs")))]


def _kind_options(kind: str, provider, choices=None) -> list[tuple[str, str]]:
    if choices is None:
        choices = provider.choices()
    return [(f"{kind}:{i}", f"{provider.label}: {label}") for i, label in choices]


def audience_options() -> list[tuple[str, str]]:
    """Every audience as one option: "topic", "rt", and "<kind>:<id>" for each choice of
    a registered audience ("Households of a recipient list: BLT 2026, version 1"); the
    audiences' choices read at once (hooks.choices_of)."""
    options = _fixed_options()
    providers = hooks.audiences()
    for kind, choices in hooks.choices_of(providers).items():
        options += _kind_options(kind, providers[kind], choices)
    return options


def describe(broadcast: Broadcast) -> str:
    """Who a broadcast reaches, in words: its option of `audience_options`, looked for
    among the fixed ones and its own kind's only (another kind's values cannot match)."""
    options = _fixed_options()
    provider = hooks.audiences().get(broadcast.audience)
    if provider is not None and broadcast.audience not in ("topic", "rt"):
        options += _kind_options(broadcast.audience, provider)
    for value, label in options:
        if value == broadcast.audience or value == f"{broadcast.audience}:{broadcast.audience_ref}":
            return label + (f" ({broadcast.areas})" if broadcast.audience == "rt" else "")
    return broadcast.audience


def _check(fields: dict) -> dict:
    title = (fields.get("title") or "").strip()
    if not title:
        raise NotifyError(_l("Give the broadcast a title."), "title")
    if fields.get("topic") not in TOPICS:
        raise NotifyError(_l("Choose a topic."), "topic")
    sms_id = (fields.get("sms_id") or "").strip()
    if not sms_id:
        raise NotifyError(_l("Write the short text for SMS."), "sms_id")
    for name in ("sms_id", "sms_en"):
        if len((fields.get(name) or "").strip()) > SMS_MAX:
            raise NotifyError(_l("At most %(n)d characters.", n=SMS_MAX), name)
    if not (fields.get("text_id") or "").strip():
        raise NotifyError(_l("Write the text for WhatsApp."), "text_id")
    link = (fields.get("link") or "").strip() or None
    if link and not (link.startswith("/") and not link.startswith("//") and len(link) <= 300):
        raise NotifyError(_l("A page of this portal, starting with /."), "link")
    audience, ref, areas = fields.get("audience") or "topic", None, ""
    if audience == "rt":
        try:
            pairs = parse_areas(fields.get("areas") or "")
        except ValueError as exc:
            raise NotifyError(_l("Write RT/RW pairs such as 3/2."), "areas") from exc
        if not pairs:
            raise NotifyError(_l("Write at least one RT/RW."), "areas")
        areas = areas_text(pairs)
    elif audience != "topic":
        provider = hooks.audiences().get(audience)
        if provider is None:
            raise NotifyError(_l("Choose who receives it."), "audience")
        ref = fields.get("audience_ref")
        if ref not in {choice for choice, _label in provider.choices()}:
            raise NotifyError(_l("Choose which one."), "audience_ref")
    return {
        "title": title[:200],
        "topic": fields["topic"],
        "audience": audience,
        "audience_ref": ref,
        "areas": areas,
        "sms_id": sms_id,
        "sms_en": (fields.get("sms_en") or "").strip() or None,
        "text_id": fields["text_id"].strip(),
        "text_en": (fields.get("text_en") or "").strip() or None,
        "link": link,
    }


def create(actor, **fields) -> Broadcast:
    """A draft broadcast (nothing is sent yet)."""
    values = _check(fields)
    with write_transaction(db.session) as s:
        broadcast = Broadcast(**values, created_by_id=actor.id, status="draft")
        s.add(broadcast)
        s.flush()
        record(
            "notify.broadcast_create",
            "notify_broadcast",
            broadcast.id,
            actor=actor,
            summary=values["title"],
        )
    return broadcast


def recipients(broadcast: Broadcast):
    """SELECT id, phone, channel, locale of the subscribers the broadcast reaches."""
    query = select(Subscriber.id, Subscriber.phone, Subscriber.channel, Subscriber.locale).where(
        Subscriber.status == "active"
    )
    if broadcast.audience in ("topic", "rt"):
        chose = select(TopicChoice.subscriber_id).where(TopicChoice.topic == broadcast.topic)
        query = query.where(Subscriber.id.in_(chose))
        if broadcast.audience == "rt":
            pairs = parse_areas(broadcast.areas)
            query = query.where(
                or_(*(and_(Subscriber.rt == rt, Subscriber.rw == rw) for rt, rw in pairs))
            )
        return query
    provider = hooks.audiences().get(broadcast.audience)
    phones = provider.phones(broadcast.audience_ref) if provider else set()
    return query.where(Subscriber.phone.in_(sorted(phones)))


def compose(
    broadcast: Broadcast, channel: str, locale: str, subscriber_id: int, stop_link=None
) -> tuple:
    """(subject, body) of the broadcast for one subscriber, in their language: SMS the
    short text, WhatsApp and e-mail the long one; both with the short link and how to stop.
    `stop_link` replaces the subscriber's own link (a placeholder, when queueing many)."""
    english = locale == "en"
    short = (broadcast.sms_en if english and broadcast.sms_en else broadcast.sms_id).strip()
    long = (broadcast.text_en if english and broadcast.text_en else broadcast.text_id).strip()
    link = absolute(f"/k/{broadcast.id}") if broadcast.link else None
    with force_locale(locale):
        if channel == "sms":
            body = short + (f" {link}" if link else "") + "\n" + _("Reply STOP to stop.")
        else:
            stop_link = stop_link or absolute(f"/kabar/langganan/{link_token(subscriber_id)}")
            # WhatsApp shows the title in bold; an e-mail carries it as its subject.
            parts = ([f"*{broadcast.title}*"] if channel == "whatsapp" else []) + [long]
            parts += [link] if link else []
            parts.append(_("Reply STOP or open %(link)s to stop these messages.", link=stop_link))
            body = "\n\n".join(parts)
    return broadcast.title, body


def preview(broadcast: Broadcast) -> dict:
    """How many people on which channel and language, and the SMS segments it costs."""
    rows = db.session.execute(
        select(Subscriber.channel, Subscriber.locale, func.count())
        .where(Subscriber.id.in_(recipients(broadcast).with_only_columns(Subscriber.id)))
        .group_by(Subscriber.channel, Subscriber.locale)
    ).all()
    people = {"sms": 0, "whatsapp": 0, "email": 0}
    segments = {}
    total_segments = 0
    for channel, locale, count in rows:
        people[channel] = people.get(channel, 0) + count
        if channel == "sms":
            per = sms.segments(compose(broadcast, "sms", locale, 0)[1])
            segments[locale] = per
            total_segments += per * count
    for locale in ("id", "en"):
        segments.setdefault(locale, sms.segments(compose(broadcast, "sms", locale, 0)[1]))
    size = sum(people.values())
    return {
        "people": people,
        "size": size,
        "segments": segments,
        "total_segments": total_segments,
        "needs_approval": size > approval_above(),
        "printed": len(printed.households(broadcast)),
    }


def approval_above() -> int:
    return int(current_app.config.get("NOTIFY_APPROVAL_ABOVE", 200))


def _get(broadcast_id: int) -> Broadcast:
    broadcast = db.session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise NotifyError(_l("No such broadcast."))
    return broadcast


def send(broadcast_id: int, actor) -> int:
    """The author sends: queued at once when small enough, otherwise it waits for a
    second person's approval. Returns the messages queued (0 when waiting)."""
    broadcast = _get(broadcast_id)
    size = preview(broadcast)["size"]
    db.session.commit()
    if size > approval_above():
        with write_transaction(db.session) as s:
            moved = s.execute(
                update(Broadcast)
                .where(Broadcast.id == broadcast_id, Broadcast.status == "draft")
                .values(status="waiting", size=size)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not moved:
                raise NotifyError(_l("This broadcast was already sent or cancelled."))
            record(
                "notify.broadcast_request",
                "notify_broadcast",
                broadcast_id,
                actor=actor,
                summary=f"{size} recipients, waiting for approval",
            )
        return 0
    return _queue(broadcast_id, actor, ("draft",), approver=None)


def approve(broadcast_id: int, actor) -> int:
    """A second person approves a large broadcast (never its author) and it is queued."""
    broadcast = _get(broadcast_id)
    if broadcast.created_by_id == actor.id:
        raise NotifyError(_l("Another person must approve a broadcast you wrote."))
    db.session.commit()
    return _queue(broadcast_id, actor, ("waiting",), approver=actor)


def _queue(broadcast_id: int, actor, states: tuple, approver) -> int:
    with write_transaction(db.session) as s:
        values = {"status": "queued", "queued_at": utcnow()}
        if approver is not None:
            values["approved_by_id"] = approver.id
        won = s.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status.in_(states))
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not won:
            raise NotifyError(_l("This broadcast was already sent or cancelled."))
        broadcast = s.get(Broadcast, broadcast_id)
        s.refresh(broadcast)
        count = queue_messages(broadcast)
        broadcast.size = count
        record(
            "notify.broadcast_send",
            "notify_broadcast",
            broadcast_id,
            actor=actor,
            summary=f"{count} messages queued",
        )
    return count


def queue_messages(broadcast: Broadcast) -> int:
    """Insert one message per recipient (a pair already there is skipped: the UNIQUE
    constraint). In the caller's transaction; returns how many rows it inserted."""
    now = utcnow()
    # Each text is written once per channel and language (gettext and formatting are
    # most of the cost); only the subscriber's own stop link differs in WhatsApp's.
    texts = {}
    own_page = absolute("/kabar/langganan/")
    rows = []
    for subscriber_id, phone, channel, locale in db.session.execute(recipients(broadcast)):
        if (channel, locale) not in texts:
            texts[(channel, locale)] = compose(broadcast, channel, locale, 0, _PLACEHOLDER)
        subject, body = texts[(channel, locale)]
        if channel != "sms":
            body = body.replace(_PLACEHOLDER, own_page + link_token(subscriber_id))
        rows.append(
            {
                "recipient": phone,
                "channel": channel,
                "subject": subject[:200],
                "body": body,
                "kind": "broadcast",
                "broadcast_id": broadcast.id,
                "subscriber_id": subscriber_id,
                "status": "queued",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    if rows:
        db.session.execute(insert_ignore(OutboxMessage), rows)
    return db.session.scalar(select(func.count()).where(OutboxMessage.broadcast_id == broadcast.id))


def cancel(broadcast_id: int, actor) -> None:
    """A draft or a broadcast waiting for approval is cancelled (a queued one cannot)."""
    with write_transaction(db.session) as s:
        moved = s.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status.in_(("draft", "waiting")))
            .values(status="cancelled")
            .execution_options(synchronize_session=False)
        ).rowcount
        if not moved:
            raise NotifyError(_l("This broadcast was already sent or cancelled."))
        record("notify.broadcast_cancel", "notify_broadcast", broadcast_id, actor=actor)


def report(broadcast_id: int) -> dict[str, dict[str, int]]:
    """The delivery report: messages by channel and status."""
    found: dict[str, dict[str, int]] = {}
    rows = db.session.execute(_report_statement(), {"broadcast_id": broadcast_id})
    for channel, status, count in rows:
        found.setdefault(channel, {})[status] = count
    return found


@cache  # built once per process (with its cache key); the broadcast bound
def _report_statement():
    return (
        select(OutboxMessage.channel, OutboxMessage.status, func.count())
        .where(OutboxMessage.broadcast_id == bindparam("broadcast_id"))
        .group_by(OutboxMessage.channel, OutboxMessage.status)
    )


def with_report(broadcast_id: int) -> tuple[Broadcast, dict[str, dict[str, int]]] | None:
    """The broadcast and its `report`, in one statement; None for no such broadcast."""
    rows = db.session.execute(_with_report_statement(), {"broadcast_id": broadcast_id}).all()
    if not rows:
        return None
    found: dict[str, dict[str, int]] = {}
    for _broadcast, channel, status, count in rows:
        if channel is not None:
            found.setdefault(channel, {})[status] = count
    return rows[0][0], found


@cache  # built once per process (with its cache key); the broadcast bound
def _with_report_statement():
    counts = _report_statement().subquery()
    return (
        select(Broadcast, *counts.c)
        .outerjoin(counts, true())
        .where(Broadcast.id == bindparam("broadcast_id"))
    )


def latest(limit: int = 50) -> list[Broadcast]:
    return list(db.session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)))
