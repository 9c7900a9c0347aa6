"""Trainers: attendance marks (each sent once), completion and certificates."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.models_base import utcnow
from portal.roles import EDITORS
from portal.training.models import AttendanceMark, Course, Place, TrainingSession
from portal.training.services.common import new_code, normalize_code
from portal.training.services.messages import queue_message


def trainer_sessions(user: User) -> list[TrainingSession]:
    """Sessions a trainer runs (staff see every session), newest first after the coming ones."""
    query = select(TrainingSession).join(Course).where(TrainingSession.cancelled.is_(False))
    if user.role == "trainer":
        query = query.where(Course.trainer_id == user.id)
    return list(db.session.scalars(query.order_by(TrainingSession.starts_at.desc())))


def may_teach(user: User, ts: TrainingSession) -> bool:
    return user.role in EDITORS or (user.role == "trainer" and ts.course.trainer_id == user.id)


@dataclass
class Mark:
    client_id: str
    place_id: int
    present: bool


def record_marks(ts: TrainingSession, marks: list[Mark], *, actor: User) -> int:
    """Apply attendance marks; a mark whose client id was seen before is skipped (the
    unique constraint decides, also when two copies arrive at once). Returns how many
    were new."""
    applied = 0
    for mark in marks:
        if not mark.client_id or len(mark.client_id) > 64:
            continue
        place = db.session.get(Place, mark.place_id)
        if place is None or place.session_id != ts.id or place.status != "enrolled":
            continue
        try:
            with write_transaction(db.session) as s:
                s.add(
                    AttendanceMark(
                        client_id=mark.client_id,
                        place_id=place.id,
                        present=mark.present,
                        marked_by_id=actor.id,
                    )
                )
                s.flush()
                s.execute(
                    update(Place)
                    .where(Place.id == place.id)
                    .values(attended=mark.present)
                    .execution_options(synchronize_session=False)
                )
            applied += 1
        except IntegrityError:
            db.session.rollback()
    db.session.expire_all()
    return applied


def complete(ts: TrainingSession, place_ids: list[int], *, actor: User) -> int:
    """Mark places as having completed the course: each gets a certificate code and a
    message. Places already complete keep their code."""
    done = 0
    with write_transaction(db.session) as s:
        for place in s.scalars(
            select(Place).where(
                Place.session_id == ts.id,
                Place.status == "enrolled",
                Place.id.in_(place_ids),
                Place.completed_at.is_(None),
            )
        ):
            place.completed_at = utcnow()
            place.certificate_code = new_code()
            s.flush()
            queue_message(place, "certificate")
            done += 1
        record(
            "training.complete",
            "training_session",
            ts.id,
            actor=actor,
            summary=f"{done} completed",
        )
    return done


def certificate(code_text: str | None) -> Place | None:
    """The completed place a certificate code belongs to, or None (forged, mistyped)."""
    code = normalize_code(code_text)
    if code is None:
        return None
    return db.session.scalar(
        select(Place).where(Place.certificate_code == code, Place.completed_at.is_not(None))
    )
