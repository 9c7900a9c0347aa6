"""Demo data of the notify service: subscribers in a few RTs with their consents, a sent
broadcast with its delivery, a draft and one waiting for approval; and the benchmark's
generator of many subscribers (`subscribers`)."""

from __future__ import annotations

import random

from sqlalchemy import func, insert, select

from portal.accounts.models import User
from portal.extensions import db
from portal.models_base import utcnow
from portal.notify.models import Broadcast, Consent, OutboxMessage, Subscriber, TopicChoice
from portal.notify.services import broadcasts

TOPIC_SETS = (
    ("announcements", "distribution"),
    ("announcements", "meetings"),
    ("training",),
    ("programmes", "distribution", "meetings"),
)


def subscribers(count: int, first: int = 0, seed: int = 2026, topic_sets=TOPIC_SETS) -> int:
    """Insert `count` active subscribers (phones +62857xxxxxxxx from `first`), their
    topics and consents, in bulk (the caller commits). Returns how many."""
    rng = random.Random(seed)
    start = (db.session.scalar(select(func.max(Subscriber.id))) or 0) + 1
    now = utcnow()
    people, topics, consents = [], [], []
    for n in range(count):
        sid = start + n
        chosen = topic_sets[n % len(topic_sets)]
        people.append(
            {
                "id": sid,
                "phone": f"+62857{first + n:08d}",
                "channel": "sms" if n % 3 == 0 else "whatsapp",
                "locale": "en" if n % 10 == 0 else "id",
                "rt": f"{rng.randint(1, 12):03d}",
                "rw": f"{rng.randint(1, 4):03d}",
                "status": "active",
                "code_tries": 0,
                "created_at": now,
                "confirmed_at": now,
            }
        )
        topics += [{"subscriber_id": sid, "topic": t} for t in chosen]
        consents.append(
            {
                "subscriber_id": sid,
                "action": "consent",
                "how": "web",
                "topics": " ".join(chosen),
                "at": now,
            }
        )
    for table, rows in ((Subscriber, people), (TopicChoice, topics), (Consent, consents)):
        for i in range(0, len(rows), 2000):
            db.session.execute(insert(table), rows[i : i + 2000])
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            db.text(
                "SELECT setval(pg_get_serial_sequence('notify_subscriber', 'id'), "
                "(SELECT max(id) FROM notify_subscriber))"
            )
        )
    return count


def seed() -> None:
    """A few dozen subscribers, one broadcast sent (partly delivered), one draft and
    one waiting for a second person's approval."""
    operator = db.session.scalars(
        select(User).where(User.role == "operator").order_by(User.id)
    ).first()
    admin = db.session.scalars(select(User).where(User.role == "admin").order_by(User.id)).first()
    if operator is None:
        return
    subscribers(40)
    # One subscriber by e-mail (the long text, the title as subject).
    by_mail = Subscriber(
        phone="warga.rt3@example.org", channel="email", status="active", confirmed_at=utcnow()
    )
    db.session.add(by_mail)
    db.session.flush()
    db.session.add(TopicChoice(subscriber_id=by_mail.id, topic="distribution"))
    db.session.add(
        Consent(
            subscriber_id=by_mail.id,
            action="consent",
            how="office",
            topics="distribution",
            by_user_id=operator.id,
        )
    )
    db.session.flush()
    sent = Broadcast(
        title="Pembagian beras Desember",
        topic="distribution",
        audience="topic",
        sms_id="Pembagian beras Sabtu 13 Des jam 08.00 di balai desa. Bawa KTP dan KK.",
        sms_en="Rice handout Sat 13 Dec 08:00 at the village hall. Bring ID and family card.",
        text_id="Pembagian beras bulan Desember hari Sabtu, 13 Desember, jam 08.00 di balai "
        "desa. Bawa KTP dan Kartu Keluarga. Warga lansia boleh diwakilkan dengan surat kuasa.",
        text_en="The December rice handout is on Saturday 13 December at 08:00 in the village "
        "hall. Bring your ID and family card.",
        link="/pengumuman",
        status="queued",
        created_by_id=operator.id,
        approved_by_id=admin.id if admin else None,
        queued_at=utcnow(),
    )
    db.session.add(sent)
    db.session.flush()
    sent.size = broadcasts.queue_messages(sent)
    # Part of it went out already.
    for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.broadcast_id == sent.id).limit(10)
    ):
        message.status, message.sent_at, message.attempts = "sent", utcnow(), 1
    db.session.add_all(
        [
            Broadcast(
                title="Musyawarah desa RT 3",
                topic="meetings",
                audience="rt",
                areas="003/001 003/002",
                sms_id="Musyawarah RT 3 Senin 19.30 di rumah Pak RT.",
                text_id="Musyawarah warga RT 3 hari Senin jam 19.30 di rumah Pak RT.",
                status="draft",
                created_by_id=operator.id,
            ),
            Broadcast(
                title="Pelatihan menjahit dibuka",
                topic="training",
                audience="topic",
                sms_id="Pelatihan menjahit gratis, daftar di portal desa.",
                text_id="Pelatihan menjahit gratis untuk ibu-ibu dibuka. Daftar di portal desa.",
                link="/pelatihan/",
                status="waiting",
                size=10,
                created_by_id=operator.id,
            ),
        ]
    )
    db.session.flush()
