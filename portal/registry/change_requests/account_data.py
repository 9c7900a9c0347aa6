"""What change requests keep that is the resident's own: the requests their account
filed or follows, shown on "My account" and in the data download (the documents stay
with the village office)."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select

from portal.accounts.models import User
from portal.accounts.residents import register_data_source
from portal.database import read
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.registry.change_requests.models import KINDS, STATUSES, ChangeRequest

FIELD_LABELS = {
    "change_asked": _l("What should change"),
    "change_filed_on": _l("Sent"),
    "change_status": _l("Status"),
    "change_details": _l("What is asked"),
    "change_refusal": _l("Reason:"),
}


@cache  # built once per process, with its cache key
def _statement():
    return (
        select(
            ChangeRequest.kind,
            ChangeRequest.created_at,
            ChangeRequest.status,
            ChangeRequest.details,
            ChangeRequest.refusal_reason,
        )
        .where(ChangeRequest.resident_id == bindparam("user_id"))
        .order_by(ChangeRequest.id)
    )


def change_requests(user: User) -> tuple[object, list[dict]]:
    found = read(db.session, _statement(), {"user_id": user.id})
    return _l("Change requests"), [
        {
            "change_asked": KINDS[item.kind],
            "change_filed_on": item.created_at,
            "change_status": STATUSES[item.status],
            "change_details": ", ".join(f"{k}: {v}" for k, v in item.details.items()),
            "change_refusal": item.refusal_reason or None,
        }
        for item in found
    ]


def register() -> None:
    register_data_source(change_requests, FIELD_LABELS)
