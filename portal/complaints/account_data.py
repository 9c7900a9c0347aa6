"""What the complaints desk keeps that an account can be matched with.

Complaints are filed without an account; a complaint whose reporter gave their name and
the account's phone number or e-mail address as contact is theirs. Anonymous complaints
are never matched (that would undo the anonymity), and the tracking code is kept only as
its hash, so it cannot be shown.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select

from portal.accounts.models import User
from portal.accounts.residents import register_data_source
from portal.complaints.models import CATEGORIES, STATUSES, Complaint
from portal.database import read
from portal.extensions import db
from portal.i18n import lazy_gettext as _l

FIELD_LABELS = {
    "filed_on": _l("Filed on"),
    "category": _l("Category"),
    "complaint_status": _l("Status"),
    "description": _l("What you wrote"),
    "contact": _l("Contact you gave"),
}


# Built once per process for one contact or two, with its cache key: each contact its
# own bound value (not a list expanded when run), so that the account page's plain read
# (portal.database.read) goes to the driver directly.
@cache
def _statement(contacts: int):
    return (
        select(
            Complaint.created_at,
            Complaint.category,
            Complaint.status,
            Complaint.description,
            Complaint.reporter_contact,
        )
        .where(
            Complaint.anonymous.is_(False),
            Complaint.reporter_contact.in_([bindparam(f"contact{n}") for n in range(contacts)]),
        )
        .order_by(Complaint.id)
    )


def complaints(user: User) -> tuple[object, list[dict]]:
    contacts = [c for c in (user.phone, user.email) if c]
    if not contacts:
        return _l("Complaints"), []
    params = {f"contact{n}": contact for n, contact in enumerate(contacts)}
    found = read(db.session, _statement(len(contacts)), params)
    return _l("Complaints"), [
        {
            "filed_on": c.created_at,
            "category": CATEGORIES.get(c.category, c.category),
            "complaint_status": STATUSES.get(c.status, c.status),
            "description": c.description,
            "contact": c.reporter_contact,
        }
        for c in found
    ]


def register() -> None:
    register_data_source(complaints, FIELD_LABELS)
