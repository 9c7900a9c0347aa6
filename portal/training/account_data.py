"""What training keeps about a person with an account: their places on courses.

A place belongs to the account that took it, or was taken at the office with the
account's phone number or e-mail address (the same person, signed up by an operator).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portal.accounts.models import User
from portal.accounts.residents import register_data_source
from portal.extensions import db
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


def places(user: User) -> tuple[object, list[dict]]:
    """The account's course places, with what the course office knows of them."""
    mine = [Place.user_id == user.id]
    if user.phone:
        mine.append(Place.phone == user.phone)
    if user.email:
        mine.append(Place.email == user.email)
    found = db.session.execute(
        select(Place, Course, TrainingSession.starts_at)
        .join(TrainingSession, TrainingSession.id == Place.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(or_(*mine))
        .order_by(TrainingSession.starts_at, Place.id)
    )
    return _l("Course places"), [
        {
            "course": localized(course, "title").text,
            "starts_at": starts_at,
            "name": place.name,
            "phone": place.phone,
            "email": place.email,
            "place_status": PLACE_STATUSES.get(place.status, place.status),
            "waitlist_no": place.waitlist_no,
            "attended": place.attended,
            "completed_at": place.completed_at,
            "certificate_code": place.certificate_code,
        }
        for place, course, starts_at in found
    ]


def register() -> None:
    register_data_source(places, FIELD_LABELS)
