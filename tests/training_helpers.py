"""Small factories for training tests: courses, sessions, residents linked to the registry."""

from __future__ import annotations

import itertools
from datetime import timedelta

from portal.extensions import db
from portal.models_base import utcnow
from portal.training.models import Course, TrainingSession

_phones = itertools.count(10_000_000)


def course(published=True, **fields) -> Course:
    fields.setdefault("title_id", "Pelatihan Kewirausahaan untuk Ibu Rumah Tangga")
    fields.setdefault("title_en", "Entrepreneurship training for homemakers")
    fields.setdefault("description_id", "Belajar memulai usaha kecil dari rumah.")
    fields.setdefault("category", "entrepreneurship")
    fields.setdefault("place", "Balai Desa Duri Selatan")
    fields.setdefault("priority_rule", "open")
    item = Course(published=published, **fields)
    db.session.add(item)
    db.session.commit()
    return item


def session(course_: Course, seats=20, days=7, hours=3, **fields) -> TrainingSession:
    start = (utcnow() + timedelta(days=days)).replace(microsecond=0)
    item = TrainingSession(
        course_id=course_.id,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        seats=seats,
        taken=0,
        waitlist_seq=0,
        cancelled=False,
        **fields,
    )
    db.session.add(item)
    db.session.commit()
    return item


def phone() -> str:
    return f"+62812{next(_phones):08d}"


def resident(make_user, person=None, locale="id", **fields):
    """A resident with a phone-number account, verified and linked to `person` if given."""
    fields.setdefault("phone", phone())
    user = make_user("resident", username=None, **fields)
    user.locale = locale
    if person is not None:
        user.person_id = person.id
        user.verification_status = "verified"
        user.verified_at = utcnow()
    db.session.commit()
    return user
