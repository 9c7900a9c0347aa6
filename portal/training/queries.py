"""Read-only training data for other features (procurement links a supplier to the
entrepreneurship course they completed). They read it here and change nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.extensions import db
from portal.training.models import Course, Place, TrainingSession

# Courses whose graduates may become the village's suppliers.
BUSINESS_CATEGORIES = ("entrepreneurship", "food", "sewing", "digital", "farming", "crafts")


@dataclass(frozen=True)
class Completion:
    place_id: int
    name: str
    course_id: int
    course_title: str
    completed_at: datetime


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


def business_completions(limit: int = 500) -> list[Completion]:
    """People who completed a business course, latest first."""
    rows = db.session.execute(_completions().order_by(Place.completed_at.desc()).limit(limit))
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
