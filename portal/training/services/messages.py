"""Messages to participants (confirmation, promotion, reminder), queued in the outbox."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from portal.extensions import db
from portal.i18n import localized
from portal.models_base import as_utc
from portal.notify import outbox
from portal.notify.models import OutboxMessage
from portal.training.models import LANGUAGES, Place, TrainingSession
from portal.training.services.catalogue import waitlist_position
from portal.training.services.common import _locale


def _contact(place: Place) -> tuple[str, str] | None:
    from flask import current_app

    if place.email:
        return place.email, "email"
    if place.phone:
        channel = current_app.config.get("SMS_CHANNEL", "sms")
        return place.phone, channel if channel in ("sms", "whatsapp") else "sms"
    return None


def _facts(ts: TrainingSession) -> dict:
    """What a message says about a session, read and formatted before a write
    transaction (so that the transaction does not spend its lock on reading or on
    Babel's date formatting)."""
    from portal.i18n import when

    course = ts.course
    starts_at = as_utc(ts.starts_at)
    formatted = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            formatted[lang] = when(starts_at)
    return {
        "title": {lang: str(localized(course, "title", lang)) for lang in LANGUAGES},
        "when": formatted,
        "where": ts.where,
    }


def _message_text(
    place, kind: str, about: dict | None = None, position: int | None = None
) -> tuple[str, str]:
    """Subject and body of a message about `place`, in the person's language.

    `place` is a Place, or anything with its `name` and `locale` (the sign-up writes
    its message from the Applicant); `position` is the waitlist position when the
    caller knows it (else it is counted)."""
    about = about or _facts(place.session)
    lang = _locale(place.locale)
    with force_locale(lang):
        facts = {
            "course": about["title"][lang],
            "when": about["when"][lang],
            "where": about["where"],
        }
        if kind == "enrolled":
            subject = _("Your place: %(course)s", **facts)
            body = _(
                "Hello %(name)s, your place in %(course)s is confirmed: %(when)s, %(where)s.",
                name=place.name,
                **facts,
            )
        elif kind == "waitlisted":
            subject = _("Waitlist: %(course)s", **facts)
            body = _(
                "Hello %(name)s, %(course)s (%(when)s) is full. You are number %(pos)d on "
                "the waitlist; we will tell you if a place becomes free.",
                name=place.name,
                pos=position or waitlist_position(place) or 0,
                **facts,
            )
        elif kind == "promoted":
            subject = _("A place is free for you: %(course)s", **facts)
            body = _(
                "Hello %(name)s, a place became free and it is yours: %(course)s, "
                "%(when)s, %(where)s.",
                name=place.name,
                **facts,
            )
        elif kind == "reminder":
            subject = _("Tomorrow: %(course)s", **facts)
            body = _("Reminder: %(course)s starts tomorrow, %(when)s, at %(where)s.", **facts)
        elif kind == "cancelled":
            subject = _("Cancelled: %(course)s", **facts)
            body = _(
                "Hello %(name)s, your place in %(course)s (%(when)s) is cancelled.",
                name=place.name,
                **facts,
            )
        else:  # certificate
            subject = _("Your certificate: %(course)s", **facts)
            body = _(
                "Congratulations %(name)s, you completed %(course)s. Certificate code: %(code)s.",
                name=place.name,
                code=place.certificate_code or "",
                **facts,
            )
    return subject, body


def queue_message(
    place: Place, kind: str, dedupe_key: str | None = None, about: dict | None = None
) -> OutboxMessage | None:
    """Add a message about `place` to the outbox in the caller's transaction (None when
    the person left no phone number or e-mail address)."""
    contact = _contact(place)
    if contact is None:
        return None
    subject, body = _message_text(place, kind, about)
    message = OutboxMessage(**_outbox_values(contact, subject, body, kind, place.id, dedupe_key))
    db.session.add(message)
    return message


def _outbox_values(contact, subject, body, kind, place_id, dedupe_key=None) -> dict:
    return outbox.values(contact, subject, body, kind, ("training_place", place_id), dedupe_key)
