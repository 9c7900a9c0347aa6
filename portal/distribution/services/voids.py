"""The only correction of a handover: a void by a second officer or an admin, with a
reason. The handover stays (append-only); the entitlement is due again and its
`voids` counter moves on, so the next handover takes the next `attempt`."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record
from portal.database import write_transaction
from portal.distribution.models import Entitlement, EntitlementLine, Handover, HandoverVoid
from portal.distribution.services.common import DistributionError, clean
from portal.distribution.services.handover import HANDING_OUT
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.roles import ADMIN, OFFICERS


def void_handover(handover_id: int, *, reason: str, actor) -> HandoverVoid:
    """Void a live handover; refused for the officer who recorded it (unless an admin),
    without a reason, for a handover already voided or a round no longer open."""
    if getattr(actor, "role", None) not in OFFICERS:
        raise DistributionError(_l("Only an officer or an admin voids a handover."))
    reason = clean(reason)
    if not reason:
        raise DistributionError(_l("Give the reason for the void."), "reason")
    try:
        with write_transaction(db.session):
            handover = db.session.get(Handover, handover_id, populate_existing=True)
            if handover is None:
                raise DistributionError(_l("There is no such handover."))
            if handover.officer_id == actor.id and actor.role != ADMIN:
                raise DistributionError(
                    _l("A second officer or an admin voids a handover, not the one who made it."),
                    "reason",
                )
            entitlement = db.session.get(Entitlement, handover.entitlement_id)
            if entitlement.round.status not in HANDING_OUT:
                raise DistributionError(_l("The round is not open for handing out."))
            void = HandoverVoid(handover_id=handover.id, reason=reason, voided_by_id=actor.id)
            db.session.add(void)
            db.session.flush()
            moved = db.session.execute(
                update(Entitlement)
                .where(Entitlement.id == entitlement.id, Entitlement.voids == handover.attempt)
                .values(voids=Entitlement.voids + 1, status="due", cash_paid=0, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
            if moved != 1:
                raise DistributionError(_l("This handover was already voided."))
            db.session.execute(
                update(EntitlementLine)
                .where(EntitlementLine.entitlement_id == entitlement.id)
                .values(delivered_milli=0)
                .execution_options(synchronize_session=False)
            )
            record(
                "void_handover",
                "distribution_entitlement",
                entitlement.id,
                actor=actor,
                summary=reason,
                before={"handover_id": handover.id, "attempt": handover.attempt},
            )
    except IntegrityError:
        db.session.expire_all()
        raise DistributionError(_l("This handover was already voided.")) from None
    db.session.expire_all()
    return void
