"""The invitation as a message: to each verified resident account of a household that is
due in a round, by SMS/WhatsApp or e-mail through the senders registered with
`portal.accounts.notices` (the outbox). Each entitlement's message goes out once: the
audit entry written with it is what a second press of the button checks."""

from __future__ import annotations

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts import notices
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.audit.services import record
from portal.database import write_transaction
from portal.distribution.models import DistributionPoint, Entitlement, TimeSlot
from portal.distribution.services.common import DistributionError, locked_round
from portal.distribution.services.invitations import PRINTABLE
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.i18n import localized
from portal.registry.models import Person

ACTION = "invitation_message"


def _deliver(user: User, subject: str, body: str) -> bool:
    """The one call to the outbox (kept small: the outbox is moving to portal/notify)."""
    return notices.deliver(user, subject, body, "invitation")


def _text(round_, entitlement: Entitlement, user: User) -> tuple[str, str]:
    slot = db.session.get(TimeSlot, entitlement.slot_id) if entitlement.slot_id else None
    point = db.session.get(DistributionPoint, entitlement.point_id)
    lang = user.locale or "id"
    with force_locale(lang):
        when = (
            f"{format_date(slot.day, 'long')}, {slot.starts_at:%H.%M}-{slot.ends_at:%H.%M}"
            if slot
            else _("ask the village office for your day and time")
        )
        subject = _("Invitation to collect aid")
        body = _(
            "Hello %(name)s, your household is invited to collect aid in “%(round)s” at "
            "%(point)s, %(when)s. Your code: %(code)s. Bring your KTP or family card (KK). "
            "Nobody may ask you for money or take a part of your aid.",
            name=user.name,
            round=localized(round_, "title", lang),
            point=point.name if point else "-",
            when=when,
            code=entitlement.code,
        )
    return subject, body


def send_invitations(round_id: int, *, actor) -> int:
    """Queue the invitation for every verified account of a due household not yet sent
    one in this round; the number queued."""
    with write_transaction(db.session):
        round_ = locked_round(round_id)
        if round_.status not in PRINTABLE:
            raise DistributionError(_l("Invitations are printed for an approved or open round."))
        ids = [
            str(i)
            for i in db.session.scalars(
                select(Entitlement.id).where(Entitlement.round_id == round_id)
            )
        ]
        done = {
            int(object_id)
            for object_id in db.session.scalars(
                select(AuditEntry.object_id).where(
                    AuditEntry.action == ACTION,
                    AuditEntry.object_type == "distribution_entitlement",
                    AuditEntry.object_id.in_(ids),
                )
            )
        }
        rows = db.session.execute(
            select(Entitlement, User)
            .join(Person, Person.household_id == Entitlement.household_id)
            .join(User, User.person_id == Person.id)
            .where(
                Entitlement.round_id == round_id,
                Entitlement.status == "due",
                User.verification_status == "verified",
            )
            .order_by(Entitlement.id, User.id)
        ).all()
        sent = 0
        for entitlement, user in rows:
            if entitlement.id in done:
                continue
            if _deliver(user, *_text(round_, entitlement, user)):
                record(ACTION, "distribution_entitlement", entitlement.id, actor=actor)
                done.add(entitlement.id)
                sent += 1
        record(
            "send_invitations", "distribution_round", round_id, actor=actor, after={"sent": sent}
        )
    return sent
