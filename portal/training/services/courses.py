"""Staff: courses and their sessions."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, literal_column, select, union_all
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.audit.services import record
from portal.csr import queries as csr_queries
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.programmes.models import Programme
from portal.training.models import Course, TrainingSession
from portal.training.services.common import TrainingError, _utc
from portal.training.services.places import _lock_session, _promote

NO_PLEDGE = _l("No pledge has this number.")

COURSE_FIELDS = (
    "title_id",
    "title_en",
    "description_id",
    "description_en",
    "category",
    "place",
    "trainer_id",
    "trainer_name",
    "sponsor_company_id",
    "pledge_id",
    "priority_rule",
    "priority_levels",
    "priority_programme_id",
    "published",
)


def course_with_sessions(course_id: int) -> Course | None:
    """The course with its sponsor and its sessions (by start) loaded: one statement,
    built once; None for no such course."""
    rows = db.session.scalars(_with_sessions_statement(), {"course_id": course_id})
    return rows.unique().first()


@cache  # built once per process (with its cache key); the course bound
def _with_sessions_statement():
    return (
        select(Course)
        .options(joinedload(Course.sponsor), joinedload(Course.sessions))
        .where(Course.id == bindparam("course_id"))
    )


def course_rows() -> list:
    """Every course, the newest first, as rows of what the staff list shows: id,
    title_id, category, priority_rule, sponsor_name (None without a sponsor), published."""
    return db.session.execute(_course_rows_statement()).all()


@cache  # built once per process (with its cache key)
def _course_rows_statement():
    sponsor = Course.sponsor.property.mapper.class_  # csr's Company, by the relationship
    return (
        select(
            Course.id,
            Course.title_id,
            Course.category,
            Course.priority_rule,
            sponsor.name.label("sponsor_name"),
            Course.published,
        )
        .outerjoin(Course.sponsor)
        .order_by(Course.id.desc())
    )


def course_menus() -> tuple[list, list, list]:
    """The course form's menus, read in one statement: active trainer accounts, partner
    companies and programmes (Indonesian name), each by name; lists of (id, name)."""
    menus: tuple[list, list, list] = ([], [], [])
    for part, row_id, name in db.session.execute(_menus_statement()):
        menus[part].append((row_id, name))
    return menus


@cache  # built once per process (with its cache key)
def _menus_statement():
    trainers = select(literal_column("0").label("part"), User.id, User.name).where(
        User.role == "trainer", User.active.is_(True)
    )
    companies = csr_queries.companies_statement().order_by(None)
    companies = select(literal_column("1"), *companies.selected_columns)
    programmes = select(literal_column("2"), Programme.id, Programme.name_id)
    return union_all(trainers, companies, programmes).order_by("part", "name", "id")


def save_course(course: Course | None, data: dict, *, actor: User) -> Course:
    """Create or change a course (one commit, with its audit entry)."""
    if data.get("priority_rule") == "need_level" and not data.get("priority_levels"):
        raise TrainingError(_l("Choose at least one need level."), "priority_levels")
    if data.get("priority_rule") == "programme" and not data.get("priority_programme_id"):
        raise TrainingError(_l("Choose the programme."), "priority_programme_id")
    pledge = None
    if data.get("pledge_id"):
        pledge = csr_queries.pledge(data["pledge_id"])
        if pledge is None:
            raise TrainingError(NO_PLEDGE, "pledge_id")
    created = course is None
    if created:
        course = Course(created_by_id=actor.id)
        db.session.add(course)
    for key in COURSE_FIELDS:
        if key in data:
            setattr(course, key, data[key])
    if pledge is not None and not course.sponsor_company_id:
        course.sponsor_company_id = pledge.company_id
    db.session.flush()
    record(
        "training.course_create" if created else "training.course_update",
        "training_course",
        course.id,
        actor=actor,
        summary=course.title_id,
    )
    db.session.commit()
    return course


def save_session(
    course: Course, ts: TrainingSession | None, data: dict, *, actor: User
) -> TrainingSession:
    """Create or change a session. More seats promote people from the waitlist at
    once; fewer seats than places already taken are refused."""
    # Stored in UTC: SQLite keeps the wall time and drops the zone.
    data = {**data, "starts_at": _utc(data["starts_at"]), "ends_at": _utc(data["ends_at"])}
    if data["ends_at"] <= data["starts_at"]:
        raise TrainingError(_l("The end must be after the start."), "end")
    with write_transaction(db.session) as s:
        if ts is None:
            ts = TrainingSession(course_id=course.id, taken=0, waitlist_seq=0, cancelled=False)
            s.add(ts)
        else:
            ts = _lock_session(s, ts.id)
            if data["seats"] < ts.taken:
                raise TrainingError(
                    _l(
                        "%(taken)d places are already taken; cancel places first.",
                        taken=ts.taken,
                    ),
                    "seats",
                )
        ts.starts_at = data["starts_at"]
        ts.ends_at = data["ends_at"]
        ts.place = data.get("place") or None
        ts.seats = data["seats"]
        s.flush()
        _promote(s, ts.id)
        record(
            "training.session_save",
            "training_session",
            ts.id,
            actor=actor,
            summary=f"{course.title_id}: {data['starts_at']:%Y-%m-%d %H:%M}, {ts.seats}",
        )
    return ts


def sponsor_from_pledge(pledge_id: int | None):
    """The pledge (with its company) a new course comes from, or None."""
    if not pledge_id:
        return None
    return csr_queries.pledge(pledge_id)
