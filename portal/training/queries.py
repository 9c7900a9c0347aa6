"""Read-only training data for other features, who read it here and change nothing:
procurement links a supplier to the entrepreneurship course they completed; the
monitoring dashboard counts places, completions and what participants said about their
business."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, select

from portal.database import read
from portal.extensions import db
from portal.training.models import Course, Feedback, Place, TrainingSession

# Courses whose graduates may become the village's suppliers.
BUSINESS_CATEGORIES = ("entrepreneurship", "food", "sewing", "digital", "farming", "crafts")


@dataclass(frozen=True)
class Completion:
    place_id: int
    name: str
    course_id: int
    course_title: str
    completed_at: datetime


# Built once per process (joins and their cache keys cost about as much as running them
# on SQLite); callers add their own conditions to the kept statement.
@cache
def _completions():
    return (
        select(Place.id, Place.name, Course.id, Course.title_id, Place.completed_at)
        .join(TrainingSession, TrainingSession.id == Place.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(
            Place.completed_at.is_not(None),
            Place.status == "enrolled",
            Course.category.in_(BUSINESS_CATEGORIES),
        )
    )


@cache
def _latest_completions(limit: int):
    return _completions().order_by(Place.completed_at.desc()).limit(limit)


def business_completions(limit: int = 500) -> list[Completion]:
    """People who completed a business course, latest first."""
    rows = read(db.session, _latest_completions(limit))
    return [Completion(*row) for row in rows]


def completion(place_id: int) -> Completion | None:
    """One completed business-course place, or None (not completed, or another course)."""
    row = db.session.execute(_completions().where(Place.id == place_id)).first()
    return Completion(*row) if row else None


def course_titles(place_ids) -> dict[int, str]:
    """{place id: course title} for completed business-course places."""
    wanted = {i for i in place_ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(_completions().where(Place.id.in_(wanted)))
    return {row[0]: row[3] for row in rows}


# Built once per process (with its cache key); the dates are parameters.
@cache
def _between_statements():
    start, end = bindparam("start"), bindparam("end")
    places = (
        select(func.count(Place.id), func.count(Place.completed_at))
        .join(TrainingSession, TrainingSession.id == Place.session_id)
        .where(
            Place.status == "enrolled",
            TrainingSession.starts_at >= start,
            TrainingSession.starts_at < end,
        )
    )
    answers = select(Feedback.business).where(
        Feedback.created_at >= start, Feedback.created_at < end
    )
    return places, answers


def places_between(start: datetime, end: datetime) -> tuple[int, int]:
    """(places taken, places completed) in sessions starting in [start, end); a
    cancelled place or a waitlisted one is not taken."""
    rows = db.session.execute(_between_statements()[0], {"start": start, "end": end}).one()
    return int(rows[0] or 0), int(rows[1] or 0)


def business_answers_between(start: datetime, end: datetime) -> tuple[int, int]:
    """(answers given, answers saying they started or grew a business) in [start, end)."""
    rows = db.session.execute(_between_statements()[1], {"start": start, "end": end}).scalars()
    answers = list(rows)
    return len(answers), sum(1 for a in answers if a in ("started", "grew"))
