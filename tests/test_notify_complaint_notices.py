"""A complaint's reporter who left a phone or an e-mail hears of each public step staff
add (through the notify outbox); an anonymous one and internal notes send nothing."""

from __future__ import annotations

from sqlalchemy import select

from portal.complaints import services
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.notify.services import notices


def _file(**fields):
    complaint, _code = services.file_complaint(
        description="Bantuan tidak sampai ke rumah kami di RT 2.", category="missed", **fields
    )
    return complaint


def _messages():
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_contacts_are_read_as_email_or_phone(app):
    with app.app_context():
        assert notices.contact_of(" Siti@Example.org ") == ("siti@example.org", "email")
        address, channel = notices.contact_of("0812 3456 7890")
        assert address == "+6281234567890" and channel in ("sms", "whatsapp")
        assert notices.contact_of("rumah pak RT") is None
        assert notices.contact_of(None) is None


def test_a_named_reporter_hears_of_public_steps_not_of_notes(app, make_user):
    operator = make_user("operator", name="Bu Ani")
    by_mail = _file(anonymous=False, reporter_name="Siti", reporter_contact="siti@example.org")
    by_phone = _file(anonymous=False, reporter_name="Budi", reporter_contact="0812 3456 7890")
    anonymous = _file(anonymous=True)
    unreachable = _file(anonymous=False, reporter_name="Ali", reporter_contact="di rumah RT 2")
    assert _messages() == []  # filing tells no one (the reporter has the code already)
    with app.test_request_context():
        for complaint in (by_mail, by_phone, anonymous, unreachable):
            services.note(complaint, actor=operator, body="Cek gudang RT 3.")
        assert _messages() == []  # internal notes stay internal
        for complaint in (by_mail, by_phone, anonymous, unreachable):
            services.reply(complaint, actor=operator, body="Kami sedang memeriksanya.")
        services.close(by_mail, actor=operator, resolution="Beras diganti.")
    sent = _messages()
    assert [(m.recipient, m.kind) for m in sent] == [
        ("siti@example.org", "complaint"),
        ("+6281234567890", "complaint"),
        ("siti@example.org", "complaint"),
    ]
    assert sent[0].channel == "email" and sent[0].about_type == "complaint"
    assert sent[0].about_id == by_mail.id and "/pengaduan/lacak" in sent[0].body
    # The message names no staff member and carries nothing of the reply itself.
    assert all("Ani" not in m.body and "memeriksanya" not in m.body for m in sent)
    assert sent[2].body != sent[0].body  # it says which step (closed, not replied)
