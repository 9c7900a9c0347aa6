"""Read-only training figures for other features (the monitoring dashboard): places,
completions and what participants said about their business, as counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.training.models import Feedback, Place, TrainingSession


def places_between(start: datetime, end: datetime) -> tuple[int, int]:
    """(places taken, places completed) in sessions starting in [start, end); a
    cancelled place or a waitlisted one is not taken."""
    rows = db.session.execute(
        select(func.count(Place.id), func.count(Place.completed_at))
        .join(TrainingSession, TrainingSession.id == Place.session_id)
        .where(
            Place.status == "enrolled",
            TrainingSession.starts_at >= start,
            TrainingSession.starts_at < end,
        )
    ).one()
    return int(rows[0] or 0), int(rows[1] or 0)


def business_answers_between(start: datetime, end: datetime) -> tuple[int, int]:
    """(answers given, answers saying they started or grew a business) in [start, end)."""
    rows = db.session.execute(
        select(Feedback.business).where(Feedback.created_at >= start, Feedback.created_at < end)
    ).scalars()
    answers = list(rows)
    return len(answers), sum(1 for a in answers if a in ("started", "grew"))
