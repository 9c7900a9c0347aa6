"""Participants' feedback after a course."""

from __future__ import annotations

from functools import cache

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from portal.csr import queries as csr_queries
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import as_utc, utcnow
from portal.training.models import BUSINESS_ANSWERS, Course, Feedback, Place, TrainingSession
from portal.training.services.common import TrainingError


def may_give_feedback(place: Place) -> bool:
    return place.status == "enrolled" and (
        place.completed_at is not None or as_utc(place.session.ends_at) < utcnow()
    )


def give_feedback(place: Place, rating: int, business: str, comment: str | None) -> Feedback:
    """Once per place (a unique constraint): a second answer is refused."""
    if not may_give_feedback(place):
        raise TrainingError(_l("Feedback opens when the course is over."))
    if rating not in range(1, 6):
        raise TrainingError(_l("Choose a rating from 1 to 5."), "rating")
    if business not in BUSINESS_ANSWERS:
        raise TrainingError(_l("Choose an answer."), "business")
    item = Feedback(place_id=place.id, rating=rating, business=business, comment=comment or None)
    try:
        db.session.add(item)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise TrainingError(_l("You already gave your feedback for this course.")) from exc
    return item


def feedback_of(place: Place) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.place_id == place.id))


@cache
def _summary_statements():
    """The two statements of `feedback_summary`, built once per process (building them
    and their cache keys cost more than running them)."""
    started = func.sum(case((Feedback.business == "started", 1), else_=0))
    grew = func.sum(case((Feedback.business == "grew", 1), else_=0))
    base = (
        select(func.count(Feedback.id), func.avg(Feedback.rating), started, grew)
        .select_from(Feedback)
        .join(Place, Feedback.place_id == Place.id)
        .join(TrainingSession, Place.session_id == TrainingSession.id)
        .join(Course, TrainingSession.course_id == Course.id)
    )
    return (
        base.add_columns(Course.id, Course.title_id).group_by(Course.id, Course.title_id),
        base.add_columns(Course.sponsor_company_id).group_by(Course.sponsor_company_id),
    )


def feedback_summary() -> dict:
    """Average rating, answers, and started/grew a business, per course and per sponsor."""
    per_course_statement, by_sponsor_statement = _summary_statements()
    per_course = db.session.execute(per_course_statement).all()
    by_sponsor = db.session.execute(by_sponsor_statement).all()
    names = csr_queries.company_names(row[-1] for row in by_sponsor)
    per_sponsor = [(*row[:-1], names.get(row[-1])) for row in by_sponsor]
    return {"courses": per_course, "sponsors": per_sponsor}
