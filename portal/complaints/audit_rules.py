"""The complaints' rule for the audit log: the entries of a complaint are read only by
those who may read the complaint (services.visible_to). A complaint naming a staff
member writes entries (filed, triaged, replied...) that would otherwise tell the named
operator, on the audit log page, that they were complained about and by whom it is
handled."""

from __future__ import annotations

from sqlalchemy import String, and_, cast, not_, select

from portal.audit import visibility
from portal.audit.models import AuditEntry
from portal.complaints.models import Complaint
from portal.complaints.services import visible_to


def complaint_entries(user):
    """The entries hidden from `user`: those of the complaints they may not read. Never
    NULL (the audit log counts the readable entries as all less these): a complaint's
    number is never NULL, and an entry without one is not hidden."""
    hidden = select(cast(Complaint.id, String)).where(not_(visible_to(user)))
    return and_(
        AuditEntry.object_type == "complaint",
        AuditEntry.object_id.is_not(None),
        AuditEntry.object_id.in_(hidden),
    )


def register() -> None:
    visibility.restrict("complaints", complaint_entries)
