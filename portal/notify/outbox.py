"""Sending the outbox: pluggable senders, a claim that makes sending once-only, and
retries with backoff.

A message is claimed by a conditional UPDATE (status queued → sending, only if still
queued and due), committed before the sender runs: two workers (or two cron runs) can
never both claim it. Success marks it sent; a failure puts it back in the queue with
`next_attempt_at` pushed out (1, 2, 4 ... minutes, at most 6 hours) until
OUTBOX_MAX_ATTEMPTS, after which it stays "failed" for staff to see. Nothing is lost:
a claim is a lease of SENDING_LEASE (it moves `next_attempt_at` that far out), so a
message whose sender run died before it could record the outcome (the database went
away, the process was killed) is claimed again once the lease has run out. A message
is therefore sent at least once; twice only when the run died between the sender's
success and the commit that records it.

A message to a subscriber (a broadcast's) also keeps the subscription's rules, in the
database: the claim takes it only while the subscriber has not stopped (a stopped one's
messages are "withheld"), never in the village's quiet hours (NOTIFY_QUIET_HOURS), and
only while the subscriber's count for the village day is below NOTIFY_DAILY_CAP (a
conditional UPDATE of `notify_daily_count`); one over the cap waits for the next day.

Senders: FileSender (default) writes each message to instance/outbox/; SmtpSender
sends e-mail when SMTP_HOST is set; HttpGatewaySender posts SMS/WhatsApp messages to
SMS_GATEWAY_URL. `senders_for(app)` picks per channel; tests pass their own.
`flask notify send` (cron or a worker of its own, never the web workers) runs them.
"""

from __future__ import annotations

import json
import os
import smtplib
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, select, type_coerce, update

from portal.database import read
from portal.extensions import db
from portal.files import open_private, private_dir
from portal.models_base import UTCDateTime, utcnow
from portal.notify import rules
from portal.notify.models import OutboxMessage

MAX_BACKOFF = timedelta(hours=6)
# Longer than any sender may take (SMTP and the gateway time out after 20 s).
SENDING_LEASE = timedelta(minutes=15)
# Queued and due, or claimed by a run whose lease ran out.
CLAIMABLE = OutboxMessage.status.in_(("queued", "sending"))


def queue(
    recipient: str,
    channel: str,
    subject: str,
    body: str,
    kind: str = "other",
    about: tuple[str, int] | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction (the caller commits).
    `about` names the record it is about, as (table, id)."""
    message = OutboxMessage(
        about_type=about[0] if about else None,
        about_id=about[1] if about else None,
        dedupe_key=dedupe_key,
        recipient=recipient,
        channel=channel,
        subject=subject[:200],
        body=body,
        kind=kind[:20],
        status="queued",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def register_account_notices() -> None:
    """Messages about accounts (an office reset code) go out through this outbox."""
    from portal.accounts.notices import register_sender

    register_sender("outbox", queue)


def values(
    contact: tuple[str, str], subject: str, body: str, kind: str, about=None, dedupe_key=None
) -> dict:
    """A message's column values, for callers that insert it in bulk or by Core."""
    return {
        "recipient": contact[0],
        "channel": contact[1],
        "subject": subject[:200],
        "body": body,
        "kind": kind[:20],
        "about_type": about[0] if about else None,
        "about_id": about[1] if about else None,
        "dedupe_key": dedupe_key,
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": utcnow(),
    }


class FileSender:
    """Writes the message to a file (the default: nothing leaves the server)."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, message: OutboxMessage) -> None:
        private_dir(self.folder)
        path = os.path.join(self.folder, f"{message.id:08d}-{message.channel}.txt")
        # 0600 in a 0700 folder: a message may carry a reset notice or a phone number.
        with open_private(path, "w", encoding="utf-8") as fh:
            fh.write(f"To: {message.recipient}\nChannel: {message.channel}\n")
            fh.write(f"Subject: {message.subject}\n\n{message.body}\n")


class SmtpSender:
    def __init__(self, config):
        self.config = config

    def __call__(self, message: OutboxMessage) -> None:
        mail = EmailMessage()
        mail["From"] = self.config["SMTP_FROM"]
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        with smtplib.SMTP(self.config["SMTP_HOST"], self.config["SMTP_PORT"], timeout=20) as smtp:
            if self.config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if self.config.get("SMTP_USER"):
                smtp.login(self.config["SMTP_USER"], self.config["SMTP_PASSWORD"] or "")
            smtp.send_message(mail)


class HttpGatewaySender:
    """POSTs {"to", "channel", "body"} as JSON; any answer but 2xx is a failure."""

    def __init__(self, config):
        self.url = config["SMS_GATEWAY_URL"]
        self.token = config.get("SMS_GATEWAY_TOKEN")

    def __call__(self, message: OutboxMessage) -> None:
        data = json.dumps(
            {"to": message.recipient, "channel": message.channel, "body": message.body}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            self.url, data=data, method="POST", headers={"Content-Type": "application/json"}
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise RuntimeError(f"gateway answered {response.status}")


def senders_for(config) -> dict[str, Callable[[OutboxMessage], None]]:
    """The sender for each channel, from the settings."""
    file_sender = FileSender(config["OUTBOX_DIR"])
    email = SmtpSender(config) if config.get("SMTP_HOST") else file_sender
    phone = HttpGatewaySender(config) if config.get("SMS_GATEWAY_URL") else file_sender
    return {"email": email, "sms": phone, "whatsapp": phone}


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def claim(message_id: int, now=None) -> bool:
    """Take a due message for sending (or one whose last claim ran out); False if someone
    else has it, it is not due, its subscriber stopped, or the subscriber's daily cap is
    reached (then it waits for the next village day). One transaction."""
    return claim_many([message_id], now) == [message_id]


def claim_many(message_ids: list[int], now=None) -> list[int]:
    """`claim` for a batch in one transaction: the ids this run now holds."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(message_ids),
            CLAIMABLE,
            OutboxMessage.next_attempt_at <= now,
            rules.subscriber_may_receive(now),
        )
        .values(
            status="sending",
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=now + SENDING_LEASE,
        )
        .returning(OutboxMessage.id, OutboxMessage.subscriber_id)
        .execution_options(synchronize_session=False)
    ).all()
    held = []
    for message_id, subscriber_id in sorted(claimed):
        if subscriber_id is not None and not rules.count_one(subscriber_id, now):
            rules.postpone_to_next_day(message_id, now)
        else:
            held.append(message_id)
    db.session.commit()
    return held


def _due_ids(now, limit: int) -> list[int]:
    query = select(OutboxMessage.id).where(CLAIMABLE, OutboxMessage.next_attempt_at <= now)
    if rules.quiet(now):
        # Night: only messages nobody subscribed to (a course confirmation) go out.
        query = query.where(OutboxMessage.subscriber_id.is_(None))
    return db.session.scalars(
        query.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
    ).all()


def _failed(message_id: int, exc: Exception, max_attempts: int, now) -> None:
    db.session.rollback()
    message = db.session.get(OutboxMessage, message_id)
    message.last_error = f"{type(exc).__name__}: {exc}"[:500]
    if message.attempts >= max_attempts:
        message.status = "failed"
    else:
        message.status = "queued"
        message.next_attempt_at = utcnow() + backoff(message.attempts)
    if message.subscriber_id is not None:
        rules.uncount_one(message.subscriber_id, now)
    db.session.commit()


# What a sender reads of a message (plain rows: no ORM object to refresh after commits).
_SENT_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.recipient,
    OutboxMessage.channel,
    OutboxMessage.subject,
    OutboxMessage.body,
    OutboxMessage.kind,
)
BATCH = 100


def send_due(senders: dict | None = None, limit: int = 200, now=None) -> dict[str, int]:
    """Send the queued messages that are due, claimed in batches. Returns counts of sent
    and failed. `now` is for tests (quiet hours, the daily cap)."""
    senders = senders or senders_for(current_app.config)
    max_attempts = current_app.config.get("OUTBOX_MAX_ATTEMPTS", 8)
    now = now or utcnow()
    rules.withhold_stopped()
    ids = _due_ids(now, limit)
    db.session.commit()
    counts = {"sent": 0, "failed": 0}
    for start in range(0, len(ids), BATCH):
        held = claim_many(ids[start : start + BATCH], now)
        if not held:
            continue
        batch = db.session.execute(
            select(*_SENT_COLUMNS).where(OutboxMessage.id.in_(held)).order_by(OutboxMessage.id)
        ).all()
        db.session.commit()
        for message in batch:
            try:
                senders[message.channel](message)
            except Exception as exc:  # any sender failure: keep the message and retry later
                _failed(message.id, exc, max_attempts, now)
                counts["failed"] += 1
                continue
            # One commit per message: a run that dies sends again at most this one.
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                .values(status="sent", sent_at=utcnow(), last_error=None)
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            counts["sent"] += 1
    return counts


def recent(limit: int = 100, status: str | None = None) -> list:
    """The latest messages (of one status when given), newest first, as rows of what the
    outbox page shows: id, recipient, channel, subject, body, last_error, status,
    attempts, created_at (UTC; naive on SQLite, for formatting only)."""
    params = {"limit": limit, "status": status} if status else {"limit": limit}
    return read(db.session, _recent_statement(bool(status)), params).all()


@cache  # built once per process (with its cache key); the values are parameters
def _recent_statement(by_status: bool):
    m = OutboxMessage
    query = select(
        m.id,
        m.recipient,
        m.channel,
        m.subject,
        m.body,
        m.last_error,
        m.status,
        m.attempts,
        # As the column's own type reads it, without UTCDateTime's step that makes a
        # naive value (SQLite) aware: 200 rows a page, and the page's time format
        # (Babel) takes a naive time as UTC, which it is.
        type_coerce(m.created_at, UTCDateTime.impl),
    )
    if by_status:
        query = query.where(m.status == bindparam("status"))
    return query.order_by(m.id.desc()).limit(bindparam("limit"))


def retry(message_id: int) -> bool:
    """Staff put a failed message back in the queue."""
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "failed")
        .values(status="queued", next_attempt_at=utcnow(), attempts=0)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return changed == 1
