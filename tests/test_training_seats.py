"""Seats and the waitlist: never more places than seats, one place per person, numbers
in order, and a cancellation that promotes exactly one person (also under concurrent
requests, on SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.training import services
from portal.training.models import Place, TrainingSession
from tests import training_helpers as th


def by_phone(i: int) -> services.Applicant:
    return services.applicant_by_phone(f"Ibu Nomor {i}", f"0812{i:08d}")


def test_full_session_puts_people_on_the_waitlist_with_positions(app):
    ts = th.session(th.course(), seats=2)
    places = [services.sign_up(ts.id, by_phone(i)) for i in range(4)]
    assert [p.status for p in places] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert [services.waitlist_position(p) for p in places] == [None, None, 1, 2]
    db.session.expire_all()
    assert db.session.get(TrainingSession, ts.id).taken == 2


def test_a_sessions_lists_in_one_statement_are_participants_and_waitlist(app):
    ts = th.session(th.course(), seats=3)
    names = ["Sari", "Ani", "Budi", "Citra", "Ani"]
    for i, name in enumerate(names):
        services.sign_up(ts.id, services.applicant_by_phone(name, f"0812{i:08d}"))
    db.session.expire_all()
    places, queue = services.session_lists(ts.id)
    assert [p.id for p in places] == [p.id for p in services.participants(ts.id)]
    assert [p.id for p in queue] == [p.id for p in services.waitlist(ts.id)]
    assert [p.name for p in places] == ["Ani", "Budi", "Sari"]
    assert [p.name for p in queue] == ["Citra", "Ani"]


def test_one_live_place_per_person(app, make_user):
    ts = th.session(th.course(), seats=5)
    user = th.resident(make_user)
    services.sign_up(ts.id, services.applicant_for_user(user))
    with pytest.raises(services.AlreadySignedUp):
        services.sign_up(ts.id, services.applicant_for_user(user))
    # The same phone number at the office is the same person.
    with pytest.raises(services.AlreadySignedUp):
        services.sign_up(ts.id, services.applicant_by_phone("Siti", user.phone))
    assert db.session.scalar(select(func.count(Place.id))) == 1


def test_database_refuses_a_second_live_place_and_more_taken_than_seats(app):
    ts = th.session(th.course(), seats=1)
    first = services.sign_up(ts.id, by_phone(1))
    db.session.add(
        Place(
            session_id=ts.id,
            holder=first.holder,
            name="X",
            locale="id",
            status="waitlisted",
            waitlist_no=9,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE training_session SET taken = 2 WHERE id = :i"), {"i": ts.id}
        )
        db.session.flush()
    db.session.rollback()


def test_cancellation_promotes_exactly_the_first_in_line_and_tells_them(app):
    ts = th.session(th.course(), seats=2)
    places = [services.sign_up(ts.id, by_phone(i)) for i in range(5)]
    promoted = services.cancel(places[0].id)
    assert promoted is not None and promoted.id == places[2].id
    db.session.expire_all()
    statuses = [db.session.get(Place, p.id).status for p in places]
    assert statuses == ["cancelled", "enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert [services.waitlist_position(db.session.get(Place, p.id)) for p in places[3:]] == [1, 2]
    assert db.session.get(TrainingSession, ts.id).taken == 2
    told = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.about_id == places[2].id)
    ).all()
    assert [m.kind for m in told] == ["waitlisted", "promoted"]
    # Cancelling a waitlist number frees no seat and promotes nobody.
    assert services.cancel(places[4].id) is None
    with pytest.raises(services.TrainingError):
        services.cancel(places[4].id)
    db.session.expire_all()
    assert db.session.get(Place, places[3].id).status == "waitlisted"


def test_cancelled_person_may_sign_up_again_at_the_end_of_the_line(app):
    ts = th.session(th.course(), seats=1)
    first = services.sign_up(ts.id, by_phone(1))
    services.sign_up(ts.id, by_phone(2))
    services.cancel(first.id)
    again = services.sign_up(ts.id, by_phone(1))
    assert again.status == "waitlisted" and services.waitlist_position(again) == 1


def test_more_seats_promote_from_the_waitlist(app, make_user):
    operator = make_user("operator")
    course = th.course()
    ts = th.session(course, seats=1)
    places = [services.sign_up(ts.id, by_phone(i)) for i in range(3)]
    services.save_session(
        course,
        ts,
        {"starts_at": ts.starts_at, "ends_at": ts.ends_at, "seats": 2, "place": None},
        actor=operator,
    )
    db.session.expire_all()
    assert [db.session.get(Place, p.id).status for p in places] == [
        "enrolled",
        "enrolled",
        "waitlisted",
    ]
    with pytest.raises(services.TrainingError):
        services.save_session(
            course,
            ts,
            {"starts_at": ts.starts_at, "ends_at": ts.ends_at, "seats": 1, "place": None},
            actor=operator,
        )


def _burst(app, session_id: int, n: int) -> list[str]:
    barrier = threading.Barrier(n, timeout=120)
    outcomes: list[str] = []
    lock = threading.Lock()

    def one(i: int):
        with app.app_context():
            applicant = by_phone(i)
            db.session.close()
            barrier.wait()
            try:
                place = services.sign_up(session_id, applicant)
                result = place.status
            except Exception as error:  # any error fails the test below
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return outcomes


@pytest.mark.concurrency
def test_100_concurrent_sign_ups_for_20_seats(app):
    """100 threads, each with its own app context and session: exactly 20 places and
    80 waitlisted, numbered 1-80 in the order they were written; then concurrent
    cancellations each promote exactly one person."""
    ts = th.session(th.course(), seats=20)
    session_id = ts.id
    db.session.commit()
    outcomes = _burst(app, session_id, 100)
    assert outcomes.count("enrolled") == 20, outcomes
    assert outcomes.count("waitlisted") == 80, outcomes
    db.session.rollback()
    assert db.session.get(TrainingSession, session_id).taken == 20
    queue = services.waitlist(session_id)
    assert [p.waitlist_no for p in queue] == list(range(1, 81))
    # In order: numbers were handed out in the order the rows were written.
    assert [p.id for p in queue] == sorted(p.id for p in queue)
    assert [services.waitlist_position(p) for p in queue[:3]] == [1, 2, 3]
    # Each message tells its own position (counted under the session's lock).
    told = dict(
        db.session.execute(
            select(OutboxMessage.about_id, OutboxMessage.body).where(
                OutboxMessage.kind == "waitlisted"
            )
        ).all()
    )
    position = re.compile(r"\b(?:nomor|number) (\d+)")
    assert {p.id: int(position.search(told[p.id]).group(1)) for p in queue} == {
        p.id: p.waitlist_no for p in queue
    }

    enrolled_ids = [p.id for p in services.participants(session_id)][:5]
    first_five = [p.id for p in queue[:5]]
    db.session.commit()
    errors: list[str] = []

    def cancel(place_id):
        with app.app_context():
            try:
                services.cancel(place_id)
            except Exception as error:
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=cancel, args=(pid,)) for pid in enrolled_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    db.session.rollback()
    assert db.session.get(TrainingSession, session_id).taken == 20
    assert {p.id for p in services.participants(session_id)} >= set(first_five)
    assert len(services.participants(session_id)) == 20
    assert len(services.waitlist(session_id)) == 75
    assert services.waitlist_position(services.waitlist(session_id)[0]) == 1
