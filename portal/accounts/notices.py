"""Telling residents about what the office did to their account: an office reset code.

accounts sits below the outbox's feature (training), so it cannot queue a message
itself: the outbox registers a sender here (`register_sender`), and
`reset_code_issued` writes the message in the resident's language and hands it to
every sender, in the caller's transaction (it goes out with the code, or not at all).
With no sender registered nothing is sent; /akun shows the notice either way
(`last_reset_code`, read from the audit log).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.extensions import db

RESET_CODE_ACTION = "reset_code_issued"

# sender(recipient, channel, subject, body, kind) -> None; channel "email", "sms" or
# "whatsapp".
_SENDERS: dict[str, Callable[..., None]] = {}


def register_sender(name: str, sender: Callable[..., None]) -> None:
    """Register (or replace) the sender called `name`."""
    _SENDERS[name] = sender


def clean_contact(user: User) -> tuple[str, str] | None:
    if user.email:
        return user.email, "email"
    if user.phone:
        channel = current_app.config.get("SMS_CHANNEL", "sms")
        return user.phone, channel if channel in ("sms", "whatsapp") else "sms"
    return None


def deliver(user: User, subject: str, body: str, kind: str) -> bool:
    """Hand a message already written in `user`'s language to every sender, in the
    caller's transaction. False when the user has no contact or nothing is registered.
    The registry's change requests and distribution's invitations tell residents this
    way."""
    contact = clean_contact(user)
    if contact is None or not _SENDERS:
        return False
    for sender in _SENDERS.values():
        sender(contact[0], contact[1], subject, body, kind)
    return True


def reset_code_issued(user: User, at: datetime) -> None:
    """Tell `user` that the village office issued a reset code for their account (never
    the code itself: that is handed over at the office)."""
    contact = clean_contact(user)
    if contact is None or not _SENDERS:
        return
    from portal.i18n import when

    with force_locale(user.locale or "id"):
        subject = _("A password reset code was issued for your account")
        body = _(
            "Hello %(name)s, on %(when)s the village office issued a code to reset the "
            "password of your account on the village portal. If you did not ask for it, "
            "tell the village office at once.",
            name=user.name,
            when=when(at),
        )
    deliver(user, subject, body, "reset_code")


def last_reset_code_select(user_ref):
    """The statement of `last_reset_code` as a scalar subquery; `user_ref` the user's
    id as the audit log keeps it (a string, or a bindparam)."""
    return (
        select(func.max(AuditEntry.at))
        .where(
            AuditEntry.action == RESET_CODE_ACTION,
            AuditEntry.object_type == "user",
            AuditEntry.object_id == user_ref,
        )
        .scalar_subquery()
    )


def last_reset_code(user: User) -> datetime | None:
    """When the office last issued a reset code for `user` (None: never)."""
    return db.session.scalar(select(last_reset_code_select(str(user.id))))
