"""Telling the resident each step of their request (received, accepted, refused):
a message in their language, handed to the outbox through accounts' notice senders
(portal/accounts/notices.py; the outbox lives in a higher layer and registers there),
in the caller's transaction. A request filed at the office for a household without
an account tells nobody; the resident's pages show every step either way."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from portal.accounts import notices
from portal.accounts.models import User
from portal.extensions import db
from portal.registry.change_requests.models import KINDS

KIND = "change_request"


def _words(request, step: str, name: str) -> tuple[str, str]:
    kind = str(KINDS[request.kind])
    if step == "filed":
        return (
            _("The village office received your request"),
            _(
                "Hello %(name)s, the village office received your request to change your "
                "household's record (%(kind)s), number %(number)d. You can follow it on the "
                "village portal under My account.",
                name=name,
                kind=kind,
                number=request.id,
            ),
        )
    if step == "accepted":
        return (
            _("Your request was accepted"),
            _(
                "Hello %(name)s, the village office accepted your request number %(number)d "
                "(%(kind)s): the registry now holds the change.",
                name=name,
                kind=kind,
                number=request.id,
            ),
        )
    return (
        _("Your request was refused"),
        _(
            "Hello %(name)s, the village office refused your request number %(number)d "
            "(%(kind)s). The reason: %(reason)s",
            name=name,
            kind=kind,
            number=request.id,
            reason=request.refusal_reason,
        ),
    )


def tell(request, step: str) -> bool:
    """Queue the message for `step` ("filed", "accepted", "refused"). True if queued."""
    if request.resident_id is None:
        return False
    user = db.session.get(User, request.resident_id)
    if user is None or user.deleted_at is not None:
        return False
    with force_locale(user.locale or "id"):
        subject, body = _words(request, step, user.name)
    return notices.deliver(user, subject, body, KIND)
