"""One message to one person who left a contact (not a subscriber): a complaint's
reporter told that the village office added a step they can read. Queued in the
caller's transaction (the caller commits); the sender sends it like any other."""

from __future__ import annotations

import re

from flask import current_app

from portal.accounts.phones import normalise_phone
from portal.notify import outbox

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def contact_of(text: str | None) -> tuple[str, str] | None:
    """(address, channel) of a contact written by a person: an e-mail address, or a
    phone number (SMS or WhatsApp as SMS_CHANNEL says); None when it is neither."""
    text = (text or "").strip()
    if _EMAIL.match(text):
        return text.lower(), "email"
    phone = normalise_phone(text)
    if phone is None:
        return None
    channel = current_app.config.get("SMS_CHANNEL", "sms")
    return phone, channel if channel in ("sms", "whatsapp") else "sms"


def tell(contact_text: str | None, subject: str, body: str, kind: str, about=None) -> bool:
    """Queue one message to the contact; False (nothing queued) when it is not one."""
    contact = contact_of(contact_text)
    if contact is None:
        return False
    outbox.queue(contact[0], contact[1], subject, body, kind=kind, about=about)
    return True
