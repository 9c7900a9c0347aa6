"""Training and the notify service: a broadcast to a course's participants (the phones
of its live places), and a course's poster and flyer."""

from __future__ import annotations

from functools import cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.i18n import localized, when
from portal.models_base import as_utc
from portal.notify import hooks
from portal.training.models import LIVE, Course, Place, TrainingSession


def _title(row) -> str:
    return str(localized(row, "title"))


@cache  # built once per process (with its cache key); the id and titles only
def _choices_statement():
    return hooks.ranked(
        select(Course.id, Course.title_id, Course.title_en), Course.id.desc()
    ).limit(100)


# A broadcast's courses: every course, the newest first.
_ROWS = hooks.ChoiceRows(statement=_choices_statement, label=_title)


def choices() -> list[tuple[int, str]]:
    return _ROWS.read()


def phones(course_id: int) -> set[str]:
    """The phones of the people holding or waiting for a place in the course."""
    return set(
        db.session.scalars(
            select(Place.phone)
            .join(TrainingSession, TrainingSession.id == Place.session_id)
            .where(
                TrainingSession.course_id == course_id,
                Place.status.in_(LIVE),
                Place.phone.is_not(None),
            )
        )
    )


@cache  # built once per process (with its cache key); the id and titles only
def _poster_choices_statement():
    return hooks.ranked(
        select(Course.id, Course.title_id, Course.title_en).where(Course.published.is_(True)),
        Course.id.desc(),
    ).limit(100)


# A poster's courses: the published ones, the newest first.
_POSTER_ROWS = hooks.ChoiceRows(statement=_poster_choices_statement, label=_title)


def poster_choices() -> list[tuple[int, str]]:
    return _POSTER_ROWS.read()


def poster(course_id: int) -> hooks.PosterContent | None:
    course = db.session.get(Course, course_id)
    if course is None or not course.published:
        return None
    lines = [str(localized(course, "description"))[:300]]
    sessions = db.session.scalars(
        select(TrainingSession)
        .where(TrainingSession.course_id == course_id)
        .order_by(TrainingSession.starts_at)
        .limit(3)
    )
    lines += [f"{when(as_utc(s.starts_at))}, {s.where}" for s in sessions]
    lines.append(_("Sign up on the portal or at the village office."))
    return hooks.PosterContent(
        title=str(localized(course, "title")),
        lines=[line for line in lines if line],
        path=url_for("training.course", course_id=course.id),
    )


def register() -> None:
    hooks.register_audience(
        "course",
        hooks.AudienceProvider(
            label=_l("Participants of a course"), choices=choices, phones=phones, rows=_ROWS
        ),
    )
    hooks.register_poster(
        "course",
        hooks.PosterProvider(
            label=_l("Courses"), choices=poster_choices, content=poster, rows=_POSTER_ROWS
        ),
    )
