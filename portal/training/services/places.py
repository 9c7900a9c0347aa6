"""Sign-up, cancellation and promotion: seats counted under the session row's lock."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload, make_transient_to_detached

from portal.accounts.models import User
from portal.accounts.phones import normalise_phone
from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.notify.models import OutboxMessage
from portal.registry.models import Person
from portal.roles import EDITORS
from portal.training.models import Place, TrainingSession
from portal.training.services.catalogue import session_open
from portal.training.services.common import AlreadySignedUp, TrainingError, _locale
from portal.training.services.eligibility import check_eligible
from portal.training.services.messages import (
    _contact,
    _facts,
    _message_text,
    _outbox_values,
    queue_message,
)


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
