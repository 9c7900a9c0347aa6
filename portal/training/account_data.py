"""What training keeps about a person with an account: their places on courses.

A place belongs to the account that took it, or was taken at the office with the
account's phone number or e-mail address (the same person, signed up by an operator).
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, or_, select

from portal.accounts.models import User
from portal.accounts.residents import register_data_source
from portal.database import read
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.i18n import localized
from portal.training.models import PLACE_STATUSES, Course, Place, TrainingSession

FIELD_LABELS = {
    "course": _l("Course"),
    "starts_at": _l("Starts"),
    "place_status": _l("Place"),
    "waitlist_no": _l("Waiting list number"),
    "attended": _l("Attended"),
    "completed_at": _l("Completed on"),
    "certificate_code": _l("Certificate code"),
}


@cache  # built once per process for each kind of account, with its cache key
def _statement(by_phone: bool, by_email: bool):
    mine = [Place.user_id == bindparam("user_id")]
    if by_phone:
        mine.append(Place.phone == bindparam("phone"))
    if by_email:
        mine.append(Place.email == bindparam("email"))
    return (
        select(
            Course.title_id,
            Course.title_en,
            TrainingSession.starts_at,
            Place.name,
            Place.phone,
            Place.email,
            Place.status,
            Place.waitlist_no,
            Place.attended,
            Place.completed_at,
            Place.certificate_code,
        )
        .join(TrainingSession, TrainingSession.id == Place.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(or_(*mine))
        .order_by(TrainingSession.starts_at, Place.id)
    )


def places(user: User) -> tuple[object, list[dict]]:
    """The account's course places, with what the course office knows of them."""
    params = {"user_id": user.id}
    if user.phone:
        params["phone"] = user.phone
    if user.email:
        params["email"] = user.email
    found = read(db.session, _statement(bool(user.phone), bool(user.email)), params)
    return _l("Course places"), [
        {
            "course": localized(row, "title").text,
            "starts_at": row.starts_at,
            "name": row.name,
            "phone": row.phone,
            "email": row.email,
            "place_status": PLACE_STATUSES.get(row.status, row.status),
            "waitlist_no": row.waitlist_no,
            "attended": row.attended,
            "completed_at": row.completed_at,
            "certificate_code": row.certificate_code,
        }
        for row in found
    ]


def register() -> None:
    register_data_source(places, FIELD_LABELS)
