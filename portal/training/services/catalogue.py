"""Reading the catalogue: published courses, upcoming sessions, places and waitlists."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from portal.accounts.models import User
from portal.database import read
from portal.extensions import db
from portal.models_base import as_utc, utcnow
from portal.training.models import Course, Place, TrainingSession


class CourseCard(NamedTuple):
    """What the catalogue shows of a published course."""

    id: int
    title_id: str
    title_en: str | None
    category: str
    priority_rule: str
    place: str | None
    sponsor_name: str | None  # None without a sponsor
    next_start: datetime | None  # the soonest coming session, UTC


def published_courses(category: str | None = None) -> list[CourseCard]:
    """Published courses, those with the soonest coming session first (plain rows of
    the shown columns; the statement built once per shape, the time a parameter)."""
    params = {"now": utcnow()}
    if category:
        params["category"] = category
    rows = db.session.execute(_published_courses_statement(bool(category)), params)
    return [CourseCard(*row[:-1], as_utc(row[-1])) for row in rows]


@cache
def _published_courses_statement(of_category: bool):
    soonest = (
        select(func.min(TrainingSession.starts_at))
        .where(
            TrainingSession.course_id == Course.id,
            TrainingSession.starts_at >= bindparam("now"),
            TrainingSession.cancelled.is_(False),
        )
        .correlate(Course)
        .scalar_subquery()
    )
    sponsor = Course.sponsor.property.mapper.class_  # csr's Company, by the relationship
    query = (
        select(
            Course.id,
            Course.title_id,
            Course.title_en,
            Course.category,
            Course.priority_rule,
            Course.place,
            sponsor.name,
            soonest,
        )
        .outerjoin(Course.sponsor)
        .where(Course.published.is_(True))
    )
    if of_category:
        query = query.where(Course.category == bindparam("category"))
    return query.order_by(case((soonest.is_(None), 1), else_=0), soonest, Course.id)


@cache
def _upcoming_statement(of_course: bool):
    """The sessions of published courses between two times (of one course or all),
    built once per process: building it and its cache key cost as much as running it."""
    query = (
        select(TrainingSession)
        .join(Course)
        # The course from the join the filter needs (not joined a second time).
        .options(contains_eager(TrainingSession.course))
        .where(
            Course.published.is_(True),
            TrainingSession.cancelled.is_(False),
            TrainingSession.starts_at >= bindparam("start"),
            TrainingSession.starts_at <= bindparam("end"),
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    if of_course:
        query = query.where(TrainingSession.course_id == bindparam("course_id"))
    return query


def upcoming_sessions(course: Course | None = None, days: int = 120) -> list[TrainingSession]:
    """Sessions of published courses from today on (all of one course if given)."""
    start = utcnow() - timedelta(hours=12)
    params = {"start": start, "end": start + timedelta(days=days)}
    if course is not None:
        params["course_id"] = course.id
    return list(db.session.scalars(_upcoming_statement(course is not None), params))


def upcoming_with_places(course: Course, user: User) -> tuple[list[TrainingSession], dict]:
    """`upcoming_sessions(course)` and, by session, the place `places_in_course` gives
    the user in it (the last of that order, as the course page keeps it): one statement."""
    by_person = user.person_id is not None and user.is_verified
    start = utcnow() - timedelta(hours=12)
    params = {"start": start, "end": start + timedelta(days=120), "course_id": course.id}
    params["user_id"] = user.id
    if by_person:
        params["person_id"] = user.person_id
    sessions: list[TrainingSession] = []
    mine: dict[int, Place] = {}
    for ts, place in db.session.execute(_upcoming_with_places_statement(by_person), params):
        if not sessions or sessions[-1] is not ts:
            sessions.append(ts)
        if place is not None:
            mine[ts.id] = place
    return sessions, mine


@cache
def _upcoming_with_places_statement(by_person: bool):
    mine = Place.user_id == bindparam("user_id")
    if by_person:
        mine = or_(mine, Place.person_id == bindparam("person_id"))
    live = and_(Place.session_id == TrainingSession.id, mine, Place.status != "cancelled")
    upcoming = _upcoming_statement(True)
    return (
        upcoming.add_columns(Place)
        .outerjoin(Place, live)
        # A place's session is the row's own (in the identity map), not joined again.
        .options(lazyload(Place.session))
        # A session's places as places_in_course orders them (the last one kept).
        .order_by(Place.id.desc())
    )


def published_course_with_places(
    course_id: int, user: User
) -> tuple[Course, list[TrainingSession], dict] | None:
    """`published_course(course_id)` and `upcoming_with_places(course, user)` read in one
    statement: (course, sessions, places by session), or None for no such published
    course."""
    by_person = user.person_id is not None and user.is_verified
    start = utcnow() - timedelta(hours=12)
    params = {"start": start, "end": start + timedelta(days=120), "course_id": course_id}
    params["user_id"] = user.id
    if by_person:
        params["person_id"] = user.person_id
    rows = db.session.execute(_course_with_places_statement(by_person), params).all()
    if not rows:
        return None
    sessions: list[TrainingSession] = []
    mine: dict[int, Place] = {}
    for _course, ts, place in rows:
        if ts is None:  # a course without upcoming sessions: its one row
            continue
        if not sessions or sessions[-1] is not ts:
            sessions.append(ts)
        if place is not None:
            mine[ts.id] = place
    return rows[0][0], sessions, mine


@cache  # built once per process (with its cache key); the course and times bound
def _course_with_places_statement(by_person: bool):
    """The published course (with its sponsor), outer joined with its upcoming sessions
    (as _upcoming_statement picks and orders them) and the user's live places in them
    (as _upcoming_with_places_statement orders them)."""
    mine = Place.user_id == bindparam("user_id")
    if by_person:
        mine = or_(mine, Place.person_id == bindparam("person_id"))
    upcoming = and_(
        TrainingSession.course_id == Course.id,
        TrainingSession.cancelled.is_(False),
        TrainingSession.starts_at >= bindparam("start"),
        TrainingSession.starts_at <= bindparam("end"),
    )
    live = and_(Place.session_id == TrainingSession.id, mine, Place.status != "cancelled")
    return (
        select(Course, TrainingSession, Place)
        .outerjoin(TrainingSession, upcoming)
        .outerjoin(Place, live)
        .where(Course.id == bindparam("course_id"), Course.published.is_(True))
        # The sessions' course and the places' session are the row's own (found in the
        # identity map), not joined again.
        .options(
            joinedload(Course.sponsor).lazyload("*"),
            lazyload(TrainingSession.course),
            lazyload(Place.session),
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id, Place.id.desc())
    )


def courses_from_pledges(pledge_ids) -> list:
    """Published courses that CSR pledges became (for the pledges' need page), oldest
    first, as plain rows (id, title_id, title_en, sponsor_name: None without a sponsor):
    one statement built once, past the ORM's loading (were two, with whole records)."""
    ids = list(pledge_ids)
    if not ids:
        return []
    return read(db.session, _courses_from_pledges_statement(), {"pledge_ids": ids}).all()


@cache
def _courses_from_pledges_statement():
    sponsor = Course.sponsor.property.mapper.class_  # csr's Company, by the relationship
    return (
        select(Course.id, Course.title_id, Course.title_en, sponsor.name.label("sponsor_name"))
        .outerjoin(Course.sponsor)
        .where(
            Course.published.is_(True),
            Course.pledge_id.in_(bindparam("pledge_ids", expanding=True)),
        )
        .order_by(Course.id)
    )


def published_course(course_id: int) -> Course | None:
    """A published course with its sponsor (one statement, built once), or None."""
    return db.session.scalars(_published_course_statement(), {"course_id": course_id}).first()


@cache
def _published_course_statement():
    return (
        select(Course)
        .where(Course.id == bindparam("course_id"), Course.published.is_(True))
        .options(joinedload(Course.sponsor).lazyload("*"))
    )


def session_open(ts: TrainingSession) -> bool:
    """Sign-ups are open until the session starts."""
    return not ts.cancelled and as_utc(ts.starts_at) > utcnow()


def waitlist_position(place: Place) -> int | None:
    """1 for the first person in line; None when the place is not on the waitlist."""
    if place.status != "waitlisted":
        return None
    return db.session.scalar(
        select(func.count(Place.id)).where(
            Place.session_id == place.session_id,
            Place.status == "waitlisted",
            Place.waitlist_no <= place.waitlist_no,
        )
    )


def waitlist(session_id: int) -> list[Place]:
    return list(
        db.session.scalars(
            select(Place)
            .where(Place.session_id == session_id, Place.status == "waitlisted")
            .order_by(Place.waitlist_no)
        )
    )


def participants(session_id: int) -> list[Place]:
    return list(
        db.session.scalars(
            select(Place)
            .where(Place.session_id == session_id, Place.status == "enrolled")
            .order_by(Place.name, Place.id)
        )
    )


def session_lists(session_id: int) -> tuple[list[Place], list[Place]]:
    """`participants` and `waitlist` of a session, in their orders, in one statement."""
    enrolled: list[Place] = []
    waiting: list[Place] = []
    for place in db.session.scalars(_session_lists_statement(), {"session_id": session_id}):
        (enrolled if place.status == "enrolled" else waiting).append(place)
    return enrolled, waiting


def session_with_lists(session_id: int) -> tuple[TrainingSession, list, list] | None:
    """The session and its `session_lists`, in one statement; None for no such session."""
    rows = db.session.execute(_session_lists_statement(True), {"session_id": session_id}).all()
    if not rows:
        return None
    enrolled: list[Place] = []
    waiting: list[Place] = []
    for _session, place in rows:
        if place is not None:
            (enrolled if place.status == "enrolled" else waiting).append(place)
    return rows[0][0], enrolled, waiting


@cache  # built once per process (with its cache key); the session as a parameter
def _session_lists_statement(with_session: bool = False):
    enrolled = Place.status == "enrolled"
    listed = Place.status.in_(("enrolled", "waitlisted"))
    if with_session:  # the session's row, with each place or none
        query = (
            select(TrainingSession, Place)
            .outerjoin(Place, and_(Place.session_id == TrainingSession.id, listed))
            .where(TrainingSession.id == bindparam("session_id"))
        )
    else:
        query = select(Place).where(Place.session_id == bindparam("session_id"), listed)
    # The participants by name (then id), then the waiting list by number. A place's
    # session is the one asked for (found in the session's identity map when read), not
    # joined again with its course for every place.
    return query.options(lazyload(Place.session)).order_by(
        case((enrolled, 0), else_=1),
        case((enrolled, Place.name)),
        case((enrolled, Place.id)),
        Place.waitlist_no,
    )


def places_of(user: User) -> list[Place]:
    """A resident's places (also those an operator made for their registry person)."""
    by_person = user.person_id is not None and user.is_verified
    params = {"user_id": user.id}
    if by_person:
        params["person_id"] = user.person_id
    return list(db.session.scalars(_places_of_statement(by_person), params))


@cache  # built once per process for each shape (with its cache key); the ids as parameters
def _places_of_statement(by_person: bool):
    mine = Place.user_id == bindparam("user_id")
    if by_person:
        mine = or_(mine, Place.person_id == bindparam("person_id"))
    return (
        select(Place)
        .join(TrainingSession)
        .where(mine)
        .order_by(TrainingSession.starts_at.desc(), Place.id.desc())
    )


def places_in_course(user: User, course_id: int) -> list[Place]:
    """The places of `places_of` in one course's sessions that are not cancelled (what
    a course's page marks), in the same order; the statement built once per shape."""
    by_person = user.person_id is not None and user.is_verified
    params = {"user_id": user.id, "course_id": course_id}
    if by_person:
        params["person_id"] = user.person_id
    return list(db.session.scalars(_places_in_course_statement(by_person), params))


@cache
def _places_in_course_statement(by_person: bool):
    mine = Place.user_id == bindparam("user_id")
    if by_person:
        mine = or_(mine, Place.person_id == bindparam("person_id"))
    return (
        select(Place)
        .join(TrainingSession)
        .where(
            mine,
            TrainingSession.course_id == bindparam("course_id"),
            Place.status != "cancelled",
        )
        .order_by(TrainingSession.starts_at.desc(), Place.id.desc())
    )


def place_of(user: User, place_id: int) -> Place | None:
    """The user's own place with this id, or None."""
    place = db.session.get(Place, place_id)
    if place is None:
        return None
    if place.user_id == user.id:
        return place
    if user.is_verified and user.person_id is not None and place.person_id == user.person_id:
        return place
    return None
