"""Rules of the training courses. Views and tests call these; none touches `request`.

Seats: every change to a session's places first takes that session's row (the
conditional UPDATE of `taken`, or SELECT ... FOR UPDATE), inside `write_transaction`
(BEGIN IMMEDIATE on SQLite). So sign-ups, cancellations and promotions on one session
run one after another, `taken` never passes `seats` (and a CHECK refuses it should
anything else try), and waitlist numbers are handed out in the order sign-ups commit.
A cancellation promotes the first person in line in the same transaction, and the
message telling them is queued in that transaction too (the outbox).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload, make_transient_to_detached, selectinload

from portal import codes
from portal.accounts.models import User
from portal.accounts.phones import normalise_phone
from portal.audit.services import record
from portal.csr import queries as csr_queries
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import localized
from portal.models_base import utcnow, village_today, village_tz
from portal.registry.models import NEED_LEVELS, Enrolment, Household, Membership, Person
from portal.training.models import (
    BUSINESS_ANSWERS,
    LANGUAGES,
    AttendanceMark,
    Course,
    Feedback,
    OutboxMessage,
    Place,
    TrainingSession,
)

EDITORS = ("operator", "admin")
READERS = ("operator", "admin", "auditor")
TRAINERS = ("trainer", "operator", "admin")

# 32 letters and digits without 0/O, 1/I: 12 of them carry 60 random bits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


class TrainingError(Exception):
    """A refused request; `message` is for the reader, `field` names the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotEligible(TrainingError):
    """The course's priority rule does not admit this person; the message says why."""


class AlreadySignedUp(TrainingError):
    """The person already holds a place (or a waitlist number) in this session."""


# --- small helpers ---------------------------------------------------------------


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes (stored as UTC); make them comparable."""
    if value is not None and value.tzinfo is None:
        from datetime import UTC

        return value.replace(tzinfo=UTC)
    return value


def new_code() -> str:
    """A random certificate code: XXXX-XXXX-XXXX."""
    return codes.new_code(CODE_ALPHABET, CODE_LENGTH)


def normalize_code(text: str | None) -> str | None:
    """A code as typed (spaces, lower case, without dashes) in its stored form, or None."""
    return codes.normalize_code(text, CODE_ALPHABET, CODE_LENGTH)


def _utc(value: datetime) -> datetime:
    from datetime import UTC

    return aware(value).astimezone(UTC)


def _locale(value: str | None) -> str:
    return value if value in LANGUAGES else "id"


# --- reading ---------------------------------------------------------------------


def published_courses(category: str | None = None) -> list[Course]:
    """Published courses, those with the soonest coming session first."""
    now = utcnow()
    soonest = (
        select(func.min(TrainingSession.starts_at))
        .where(
            TrainingSession.course_id == Course.id,
            TrainingSession.starts_at >= now,
            TrainingSession.cancelled.is_(False),
        )
        .correlate(Course)
        .scalar_subquery()
    )
    query = (
        select(Course, soonest)
        .where(Course.published.is_(True))
        .options(selectinload(Course.sponsor).lazyload("*"))
    )
    if category:
        query = query.where(Course.category == category)
    rows = db.session.execute(
        query.order_by(case((soonest.is_(None), 1), else_=0), soonest, Course.id)
    ).all()
    courses = []
    for course, next_start in rows:
        course.next_start = aware(next_start)
        courses.append(course)
    return courses


def upcoming_sessions(course: Course | None = None, days: int = 120) -> list[TrainingSession]:
    """Sessions of published courses from today on (all of one course if given)."""
    start = utcnow() - timedelta(hours=12)
    query = (
        select(TrainingSession)
        .join(Course)
        .where(
            Course.published.is_(True),
            TrainingSession.cancelled.is_(False),
            TrainingSession.starts_at >= start,
            TrainingSession.starts_at <= start + timedelta(days=days),
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    if course is not None:
        query = query.where(TrainingSession.course_id == course.id)
    return list(db.session.scalars(query))


def courses_from_pledges(pledge_ids) -> list[Course]:
    """Published courses that CSR pledges became (for the pledges' need page)."""
    ids = list(pledge_ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Course)
            .where(Course.published.is_(True), Course.pledge_id.in_(ids))
            .options(selectinload(Course.sponsor).lazyload("*"))
            .order_by(Course.id)
        )
    )


def published_course(course_id: int) -> Course | None:
    course = db.session.get(Course, course_id)
    return course if course is not None and course.published else None


def session_open(ts: TrainingSession) -> bool:
    """Sign-ups are open until the session starts."""
    return not ts.cancelled and aware(ts.starts_at) > utcnow()


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


def places_of(user: User) -> list[Place]:
    """A resident's places (also those an operator made for their registry person)."""
    conditions = [Place.user_id == user.id]
    if user.person_id is not None and user.is_verified:
        conditions.append(Place.person_id == user.person_id)
    from sqlalchemy import or_

    return list(
        db.session.scalars(
            select(Place)
            .join(TrainingSession)
            .where(or_(*conditions))
            .order_by(TrainingSession.starts_at.desc(), Place.id.desc())
        )
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


# --- priority rules --------------------------------------------------------------


def household_of(person: Person | None) -> Household | None:
    if person is None:
        return None
    household_id = db.session.scalar(
        select(Membership.household_id).where(
            Membership.person_id == person.id, Membership.end_date.is_(None)
        )
    )
    if household_id is None:
        household_id = person.household_id
    return db.session.get(Household, household_id) if household_id else None


def rule_text(course: Course) -> str:
    """The course's rule in words, as the course page states it."""
    if course.priority_rule == "women":
        return _("This course is for women.")
    if course.priority_rule == "need_level":
        levels = ", ".join(str(NEED_LEVELS.get(k, k)) for k in course.level_list)
        return _(
            "This course is for members of households in the village registry with the "
            "need level: %(levels)s.",
            levels=levels,
        )
    if course.priority_rule == "programme":
        name = localized(course.priority_programme, "name") if course.priority_programme else "-"
        return _(
            "This course is for members of households enrolled in the programme %(programme)s.",
            programme=name,
        )
    return _("This course is open to all.")


def check_eligible(course: Course, person: Person | None, today: date | None = None) -> None:
    """Raise NotEligible, with the reason, when the course's rule does not admit
    `person` (a registry person, or None for someone the registry does not know)."""
    rule = course.priority_rule
    if rule == "open":
        return
    if person is None:
        raise NotEligible(
            _l(
                "This course has a priority rule, and we could not find you in the village "
                "registry. Verify your account or ask at the village office."
            )
        )
    if rule == "women":
        if person.sex != "female":
            raise NotEligible(_l("This course is for women only."))
        return
    household = household_of(person)
    if household is None:
        raise NotEligible(_l("You are not a member of a household in the village registry."))
    if rule == "need_level":
        if household.need_level not in course.level_list:
            raise NotEligible(
                _l(
                    "This course is for households with a higher need level than yours "
                    "in the village registry."
                )
            )
        return
    if rule == "programme":
        today = today or village_today()
        enrolled = db.session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.household_id == household.id,
                Enrolment.programme_id == course.priority_programme_id,
                Enrolment.period_start <= today,
                (Enrolment.period_end.is_(None)) | (Enrolment.period_end >= today),
            )
        )
        if not enrolled:
            raise NotEligible(
                _l("Your household is not enrolled in the programme this course is for.")
            )


# --- messages ----------------------------------------------------------------------


def _contact(place: Place) -> tuple[str, str] | None:
    from flask import current_app

    if place.email:
        return place.email, "email"
    if place.phone:
        channel = current_app.config.get("SMS_CHANNEL", "sms")
        return place.phone, channel if channel in ("sms", "whatsapp") else "sms"
    return None


def _facts(ts: TrainingSession) -> dict:
    """What a message says about a session, read and formatted before a write
    transaction (so that the transaction does not spend its lock on reading or on
    Babel's date formatting)."""
    from portal.i18n import when

    course = ts.course
    starts_at = aware(ts.starts_at)
    formatted = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            formatted[lang] = when(starts_at)
    return {
        "title": {lang: str(localized(course, "title", lang)) for lang in LANGUAGES},
        "when": formatted,
        "where": ts.where,
    }


def _message_text(
    place, kind: str, about: dict | None = None, position: int | None = None
) -> tuple[str, str]:
    """Subject and body of a message about `place`, in the person's language.

    `place` is a Place, or anything with its `name` and `locale` (the sign-up writes
    its message from the Applicant); `position` is the waitlist position when the
    caller knows it (else it is counted)."""
    about = about or _facts(place.session)
    lang = _locale(place.locale)
    with force_locale(lang):
        facts = {
            "course": about["title"][lang],
            "when": about["when"][lang],
            "where": about["where"],
        }
        if kind == "enrolled":
            subject = _("Your place: %(course)s", **facts)
            body = _(
                "Hello %(name)s, your place in %(course)s is confirmed: %(when)s, %(where)s.",
                name=place.name,
                **facts,
            )
        elif kind == "waitlisted":
            subject = _("Waitlist: %(course)s", **facts)
            body = _(
                "Hello %(name)s, %(course)s (%(when)s) is full. You are number %(pos)d on "
                "the waitlist; we will tell you if a place becomes free.",
                name=place.name,
                pos=position or waitlist_position(place) or 0,
                **facts,
            )
        elif kind == "promoted":
            subject = _("A place is free for you: %(course)s", **facts)
            body = _(
                "Hello %(name)s, a place became free and it is yours: %(course)s, "
                "%(when)s, %(where)s.",
                name=place.name,
                **facts,
            )
        elif kind == "reminder":
            subject = _("Tomorrow: %(course)s", **facts)
            body = _("Reminder: %(course)s starts tomorrow, %(when)s, at %(where)s.", **facts)
        elif kind == "cancelled":
            subject = _("Cancelled: %(course)s", **facts)
            body = _(
                "Hello %(name)s, your place in %(course)s (%(when)s) is cancelled.",
                name=place.name,
                **facts,
            )
        else:  # certificate
            subject = _("Your certificate: %(course)s", **facts)
            body = _(
                "Congratulations %(name)s, you completed %(course)s. Certificate code: %(code)s.",
                name=place.name,
                code=place.certificate_code or "",
                **facts,
            )
    return subject, body


def queue_message(
    place: Place, kind: str, dedupe_key: str | None = None, about: dict | None = None
) -> OutboxMessage | None:
    """Add a message about `place` to the outbox in the caller's transaction (None when
    the person left no phone number or e-mail address)."""
    contact = _contact(place)
    if contact is None:
        return None
    subject, body = _message_text(place, kind, about)
    message = OutboxMessage(**_outbox_values(contact, subject, body, kind, place.id, dedupe_key))
    db.session.add(message)
    return message


def _outbox_values(contact, subject, body, kind, place_id, dedupe_key=None) -> dict:
    return {
        "recipient": contact[0],
        "channel": contact[1],
        "subject": subject[:200],
        "body": body,
        "kind": kind,
        "place_id": place_id,
        "dedupe_key": dedupe_key,
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": utcnow(),
    }


# --- sign-up, cancellation, promotion ------------------------------------------------


@dataclass
class Applicant:
    """Who a place is for: a registry person, an account, or a name and phone number."""

    name: str
    holder: str
    user_id: int | None = None
    person: Person | None = None
    phone: str | None = None
    email: str | None = None
    locale: str = "id"


def applicant_for_user(user: User) -> Applicant:
    """A resident signing up themselves; the registry person counts once verified."""
    person = (
        db.session.get(Person, user.person_id)
        if user.is_verified and user.person_id is not None
        else None
    )
    holder = f"p{person.id}" if person is not None else f"u{user.id}"
    return Applicant(
        name=user.name,
        holder=holder,
        user_id=user.id,
        person=person,
        phone=user.phone,
        email=user.email,
        locale=_locale(user.locale),
    )


def applicant_for_person(person: Person, phone: str | None = None, locale: str = "id") -> Applicant:
    """Someone at the village office, found in the registry; their account (if any)
    gets the place too, so they see it when they log in."""
    user = db.session.scalar(select(User).where(User.person_id == person.id))
    return Applicant(
        name=person.name,
        holder=f"p{person.id}",
        user_id=user.id if user is not None else None,
        person=person,
        phone=phone or (user.phone if user is not None else None),
        email=user.email if user is not None else None,
        locale=_locale(locale if phone or user is None else user.locale or locale),
    )


def applicant_by_phone(name: str, phone_text: str, locale: str = "id") -> Applicant:
    """Someone at the office the registry does not know: a name and a phone number."""
    name = (name or "").strip()
    if not name:
        raise TrainingError(_l("Please fill in this field."), "name")
    phone = normalise_phone(phone_text)
    if phone is None:
        raise TrainingError(_l("Enter a phone number such as 0812 3456 7890."), "phone")
    user = db.session.scalar(select(User).where(User.phone == phone))
    if user is not None:
        applicant = applicant_for_user(user)
        applicant.locale = _locale(locale)
        return applicant
    return Applicant(name=name[:120], holder=f"t{phone}", phone=phone, locale=_locale(locale))


# The statements a sign-up runs while it holds the session row, built once (Core, on
# the tables: no ORM flush and no statement building while others wait for the row).
_sessions, _places = TrainingSession.__table__, Place.__table__
_TAKE_SEAT = (
    update(_sessions)
    .where(_sessions.c.id == bindparam("sid"), _sessions.c.taken < _sessions.c.seats)
    .values(taken=_sessions.c.taken + 1)
)
_TAKE_NUMBER = (
    update(_sessions)
    .where(_sessions.c.id == bindparam("sid"), _sessions.c.taken >= _sessions.c.seats)
    .values(waitlist_seq=_sessions.c.waitlist_seq + 1)
    .returning(_sessions.c.waitlist_seq)
)
_WAITING = select(func.count(_places.c.id)).where(
    _places.c.session_id == bindparam("sid"), _places.c.status == "waitlisted"
)
_INSERT_PLACE = insert(_places).returning(_places.c.id)
_INSERT_MESSAGE = insert(OutboxMessage.__table__)
# How often a sign-up tries "a seat, else a waitlist number" when other transactions
# change the session between its two conditional UPDATEs (the last seat taken, or a
# seat freed, in between); each miss means someone else got on, so it never waits.
_SEAT_TRIES = 20


def _seat_or_number(conn, session_id: int, full: bool) -> int | None:
    """Take a seat (None) or the next waitlist number, by a conditional UPDATE of the
    session row: the one that matches also locks that row until the transaction ends,
    so every later sign-up, cancellation and promotion on the session waits for this
    one, and `taken` cannot pass `seats` (the CHECK is the backstop). `full` says which
    to try first (as the session looked before)."""
    params = {"sid": session_id}
    for _try in range(_SEAT_TRIES):
        if full:
            number = conn.execute(_TAKE_NUMBER, params).scalar_one_or_none()
            if number is not None:
                return number
        elif conn.execute(_TAKE_SEAT, params).rowcount == 1:
            return None
        full = not full
    raise TrainingError(_l("Too many people are signing up at this moment; please try again."))


def sign_up(
    session_id: int, applicant: Applicant, *, actor: User | None = None, check_rule: bool = True
) -> Place:
    """Give `applicant` a place in the session, or the next waitlist number when it is
    full. Refuses (TrainingError) a closed session, a person the priority rule does
    not admit (NotEligible) and a second live place for the same person
    (AlreadySignedUp: the unique index on live places decides). One transaction, with
    the confirmation message queued.

    Every sign-up to the session waits for its row, so the row is held as briefly as
    possible: the checks, the message's facts and the confirmation are prepared
    first; under the lock run only the seat UPDATE (or the waitlist UPDATE and the
    count for the position), the INSERT of the place, the INSERT of its message and
    the COMMIT."""
    ts = db.session.get(TrainingSession, session_id)
    if ts is None or not session_open(ts):
        raise TrainingError(_l("Sign-ups for this session are closed."))
    if not ts.course.published and actor is None:
        raise TrainingError(_l("Sign-ups for this session are closed."))
    if check_rule:
        check_eligible(ts.course, applicant.person)
    full = ts.taken >= ts.seats
    about = _facts(ts)
    contact = _contact(applicant)
    confirmation = _message_text(applicant, "enrolled", about) if contact else None
    values = {
        "session_id": session_id,
        "holder": applicant.holder,
        "user_id": applicant.user_id,
        "person_id": applicant.person.id if applicant.person is not None else None,
        "name": applicant.name,
        "phone": applicant.phone,
        "email": applicant.email,
        "locale": _locale(applicant.locale),
        "signed_up_by_id": actor.id if actor is not None else applicant.user_id,
    }
    try:
        with write_transaction(db.session) as s:
            conn = s.connection()
            number = _seat_or_number(conn, session_id, full)
            values["status"] = "enrolled" if number is None else "waitlisted"
            values["waitlist_no"] = number
            if number is not None and contact is not None:
                # Everyone waiting is in a committed row: changes to this session's
                # waitlist all take the session row first.
                ahead = conn.execute(_WAITING, {"sid": session_id}).scalar_one()
                text = _message_text(applicant, "waitlisted", about, position=ahead + 1)
            else:
                text = confirmation
            place_id = conn.execute(_INSERT_PLACE, values).scalar_one()
            if contact is not None:
                message = _outbox_values(contact, *text, values["status"], place_id)
                conn.execute(_INSERT_MESSAGE, message)
            if actor is not None and actor.role in EDITORS:
                record(
                    "training.sign_up",
                    "training_place",
                    place_id,
                    actor=actor,
                    summary=f"{applicant.name} → session {session_id} ({values['status']})",
                )
    except IntegrityError as exc:
        raise AlreadySignedUp(
            _l("You already have a place or a waitlist number in this session.")
        ) from exc
    # The place as written, without reading it back.
    place = Place(id=place_id, **values)
    make_transient_to_detached(place)
    db.session.add(place)
    return place


def _promote(s, session_id: int) -> list[Place]:
    """Move people from the waitlist into free seats, first in line first (the caller
    holds the session row). Each promoted person gets a message."""
    promoted = []
    while True:
        first = s.scalar(
            select(Place)
            .where(Place.session_id == session_id, Place.status == "waitlisted")
            .order_by(Place.waitlist_no)
            .limit(1)
            .options(lazyload("*"))
            .with_for_update()
        )
        if first is None:
            break
        seated = s.execute(
            update(TrainingSession)
            .where(TrainingSession.id == session_id, TrainingSession.taken < TrainingSession.seats)
            .values(taken=TrainingSession.taken + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if seated != 1:
            break
        first.status = "enrolled"
        first.promoted_at = utcnow()
        s.flush()
        queue_message(first, "promoted")
        promoted.append(first)
    return promoted


def _lock_session(s, session_id: int) -> TrainingSession | None:
    return s.scalar(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .options(lazyload("*"))
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def cancel(place_id: int, *, actor: User | None = None) -> Place | None:
    """Cancel a place (or a waitlist number). A freed seat goes at once to the first
    person in line, who is told; returns that person's place (or None)."""
    place = db.session.get(Place, place_id)
    if place is None:
        raise TrainingError(_l("This place is already cancelled."))
    session_id = place.session_id
    with write_transaction(db.session) as s:
        # Every change to this session's places takes the session row first.
        _lock_session(s, session_id)
        place = s.scalar(
            select(Place).where(Place.id == place_id).execution_options(populate_existing=True)
        )
        if place.status == "cancelled":
            raise TrainingError(_l("This place is already cancelled."))
        was_enrolled = place.status == "enrolled"
        place.status = "cancelled"
        place.cancelled_at = utcnow()
        s.flush()
        promoted: list[Place] = []
        if was_enrolled:
            s.execute(
                update(TrainingSession)
                .where(TrainingSession.id == session_id)
                .values(taken=TrainingSession.taken - 1)
                .execution_options(synchronize_session=False)
            )
            promoted = _promote(s, session_id)
        queue_message(place, "cancelled")
        if actor is not None and actor.role in EDITORS:
            record("training.cancel", "training_place", place.id, actor=actor, summary=place.name)
    return promoted[0] if promoted else None


# --- staff: courses and sessions -----------------------------------------------------

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


def trainers() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role == "trainer", User.active.is_(True)).order_by(User.name)
        )
    )


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


# --- trainers: attendance and completion ------------------------------------------------


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


# --- feedback ------------------------------------------------------------------------


def may_give_feedback(place: Place) -> bool:
    return place.status == "enrolled" and (
        place.completed_at is not None or aware(place.session.ends_at) < utcnow()
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


def feedback_summary() -> dict:
    """Average rating, answers, and started/grew a business, per course and per sponsor."""
    started = func.sum(case((Feedback.business == "started", 1), else_=0))
    grew = func.sum(case((Feedback.business == "grew", 1), else_=0))
    base = (
        select(func.count(Feedback.id), func.avg(Feedback.rating), started, grew)
        .select_from(Feedback)
        .join(Place, Feedback.place_id == Place.id)
        .join(TrainingSession, Place.session_id == TrainingSession.id)
        .join(Course, TrainingSession.course_id == Course.id)
    )
    per_course = db.session.execute(
        base.add_columns(Course.id, Course.title_id).group_by(Course.id, Course.title_id)
    ).all()
    by_sponsor = db.session.execute(
        base.add_columns(Course.sponsor_company_id).group_by(Course.sponsor_company_id)
    ).all()
    names = csr_queries.company_names(row[-1] for row in by_sponsor)
    per_sponsor = [(*row[:-1], names.get(row[-1])) for row in by_sponsor]
    return {"courses": per_course, "sponsors": per_sponsor}


# --- reports -------------------------------------------------------------------------


def _rate(part: int, whole: int) -> int | None:
    return round(part * 100 / whole) if whole else None


def _place_counts() -> tuple:
    """Enrolled, waitlisted, attended and completed places, as sums for a GROUP BY."""
    enrolled = Place.status == "enrolled"
    return (
        func.sum(case((enrolled, 1), else_=0)),
        func.sum(case((Place.status == "waitlisted", 1), else_=0)),
        func.sum(case((enrolled & Place.attended.is_(True), 1), else_=0)),
        func.sum(case((enrolled & Place.completed_at.is_not(None), 1), else_=0)),
    )


def _report_row(counts, **row) -> dict:
    """A report row: its own columns, the four counts and the two rates."""
    e, w, a, c = (int(v or 0) for v in counts)
    return {
        **row,
        "enrolled": e,
        "waitlisted": w,
        "attended": a,
        "completed": c,
        "attendance_rate": _rate(a, e),
        "completion_rate": _rate(c, e),
    }


def report_per_course() -> list[dict]:
    """Seats, places, waitlist, attendance and completion per course."""
    seats = dict(
        db.session.execute(
            select(TrainingSession.course_id, func.sum(TrainingSession.seats))
            .where(TrainingSession.cancelled.is_(False))
            .group_by(TrainingSession.course_id)
        ).all()
    )
    rows = db.session.execute(
        select(Course.id, Course.title_id, *_place_counts())
        .select_from(Course)
        .outerjoin(TrainingSession, TrainingSession.course_id == Course.id)
        .outerjoin(Place, Place.session_id == TrainingSession.id)
        .group_by(Course.id, Course.title_id)
        .order_by(Course.title_id)
    ).all()
    return [
        _report_row(row[2:], id=row[0], title=row[1], seats=int(seats.get(row[0]) or 0))
        for row in rows
    ]


def _report_by(column) -> list[dict]:
    """Places of registry people grouped by a household column (RT/RW, need level)."""
    hh = (
        select(Membership.person_id, Membership.household_id)
        .where(Membership.end_date.is_(None))
        .subquery()
    )
    rows = db.session.execute(
        select(*column, *_place_counts())
        .select_from(Place)
        .outerjoin(hh, hh.c.person_id == Place.person_id)
        .outerjoin(Household, Household.id == hh.c.household_id)
        .where(Place.status != "cancelled")
        .group_by(*column)
        .order_by(*column)
    ).all()
    return [_report_row(row[len(column) :], key=row[: len(column)]) for row in rows]


def report_per_area() -> list[dict]:
    """Per RT/RW (people the registry does not know form one row without RT/RW)."""
    return _report_by((Household.rw, Household.rt))


def report_per_level() -> list[dict]:
    return _report_by((Household.need_level,))


def export_xlsx(actor: User) -> bytes:
    """The three reports as one workbook (sheets per course, per RT/RW, per need level);
    the export is written to the audit log."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    heads = [
        _("Enrolled"),
        _("Waitlist"),
        _("Attended"),
        _("Completed"),
        _("Attendance rate (percent)"),
        _("Completion rate (percent)"),
    ]

    def tail(r):
        return [
            r["enrolled"],
            r["waitlisted"],
            r["attended"],
            r["completed"],
            r["attendance_rate"],
            r["completion_rate"],
        ]

    ws = wb.active
    ws.title = _("Per course")[:31]
    ws.append([_("Course"), _("Seats"), *heads])
    for r in report_per_course():
        ws.append([r["title"], r["seats"], *tail(r)])
    ws = wb.create_sheet(_("Per RT/RW").replace("/", "-")[:31])
    ws.append([_("RW"), _("RT"), *heads])
    for r in report_per_area():
        ws.append([r["key"][0], r["key"][1], *tail(r)])
    ws = wb.create_sheet(_("Per need level")[:31])
    ws.append([_("Need level"), *heads])
    for r in report_per_level():
        level = r["key"][0]
        ws.append([str(NEED_LEVELS.get(level, level)) if level else "-", *tail(r)])
    buffer = io.BytesIO()
    wb.save(buffer)
    record("training.export", "training_report", None, actor=actor, summary="xlsx")
    db.session.commit()
    return buffer.getvalue()


# --- reminders -------------------------------------------------------------------------


def queue_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for every enrolled place in a session that starts tomorrow
    (village time). Once per place: the dedupe key is unique."""
    tz = village_tz()
    tomorrow = village_today(now) + timedelta(days=1)
    # Compare in UTC: SQLite keeps no offset, every stored time is UTC.
    start = _utc(datetime.combine(tomorrow, datetime.min.time(), tz))
    end = start + timedelta(days=1)
    places = db.session.scalars(
        select(Place)
        .join(TrainingSession)
        .where(
            Place.status == "enrolled",
            TrainingSession.cancelled.is_(False),
            TrainingSession.starts_at >= start,
            TrainingSession.starts_at < end,
        )
    ).all()
    queued = 0
    for place in places:
        key = f"reminder:{place.id}"
        if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
            continue
        try:
            if queue_message(place, "reminder", dedupe_key=key) is not None:
                db.session.commit()
                queued += 1
        except IntegrityError:
            db.session.rollback()
    return queued


def new_client_id() -> str:
    """An id for one attendance mark made by the server's plain form (no JavaScript):
    the same form sent twice carries the same id and counts once."""
    return "f-" + secrets.token_urlsafe(12)
