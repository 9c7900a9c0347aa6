"""Priority rules read the registry; attendance marks count once; certificates verify
and forged codes do not; the outbox retries a failing sender and never sends twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.extensions import db
from portal.models_base import utcnow, village_today
from portal.notify import outbox
from portal.notify.models import OutboxMessage
from portal.registry import services as registry
from portal.training import services
from portal.training.models import AttendanceMark, Place
from tests import factories
from tests import registry_helpers as rh
from tests import training_helpers as th


@pytest.fixture
def village(app, make_user):
    """A poor household with a mother and a father, and a better-off household."""
    operator = make_user("operator")
    poor = rh.household(actor=operator, rt=2, rw=1)
    mother = rh.person(poor, "Siti Aminah", sex="female", relation="wife", actor=operator)
    father = rh.person(poor, "Budi Santoso", actor=operator)
    poor.need_level = "miskin"
    well = rh.household(actor=operator, rt=3, rw=2, address="Jl. Melati 2")
    neighbour = rh.person(well, "Rina Wati", sex="female", actor=operator)
    well.need_level = "tidak_prioritas"
    db.session.commit()
    return {
        "operator": operator,
        "poor": poor,
        "mother": mother,
        "father": father,
        "neighbour": neighbour,
    }


def reason(error) -> str:
    with force_locale("en"):
        return str(error.value.message)


def test_women_rule_admits_women_and_tells_men_why(village):
    course = th.course(priority_rule="women")
    services.check_eligible(course, village["mother"])
    with pytest.raises(services.NotEligible) as error:
        services.check_eligible(course, village["father"])
    assert "women" in reason(error)


def test_need_level_rule_reads_the_household(village):
    course = th.course(priority_rule="need_level", priority_levels="sangat_miskin miskin")
    services.check_eligible(course, village["mother"])
    services.check_eligible(course, village["father"])
    with pytest.raises(services.NotEligible) as error:
        services.check_eligible(course, village["neighbour"])
    assert "need level" in reason(error)
    with pytest.raises(services.NotEligible) as error:
        services.check_eligible(course, None)
    assert "registry" in reason(error)


def test_programme_rule_reads_enrolments(village):
    programme = factories.programme()
    registry.enrol(
        village["poor"],
        programme.id,
        village_today() - timedelta(days=30),
        actor=village["operator"],
    )
    db.session.commit()
    course = th.course(priority_rule="programme", priority_programme_id=programme.id)
    services.check_eligible(course, village["mother"])
    with pytest.raises(services.NotEligible) as error:
        services.check_eligible(course, village["neighbour"])
    assert "programme" in reason(error)


def test_sign_up_refuses_a_resident_the_rule_does_not_admit(village, make_user):
    course = th.course(priority_rule="women")
    ts = th.session(course)
    mother = th.resident(make_user, person=village["mother"])
    father = th.resident(make_user, person=village["father"])
    unverified = th.resident(make_user)
    assert services.sign_up(ts.id, services.applicant_for_user(mother)).status == "enrolled"
    for user in (father, unverified):
        with pytest.raises(services.NotEligible):
            services.sign_up(ts.id, services.applicant_for_user(user))
    assert db.session.scalar(select(func.count(Place.id))) == 1
    # The operator signing the mother up at the office is the same person: refused.
    with pytest.raises(services.AlreadySignedUp):
        services.sign_up(
            ts.id, services.applicant_for_person(village["mother"]), actor=village["operator"]
        )


def _completed_place(make_user, locale="id"):
    trainer = make_user("trainer")
    course = th.course(trainer_id=trainer.id)
    ts = th.session(course, seats=3)
    place = services.sign_up(
        ts.id, services.applicant_by_phone("Siti Aminah", "081234567890", locale=locale)
    )
    return trainer, ts, place


def test_attendance_sent_twice_counts_once(app, make_user):
    trainer, ts, place = _completed_place(make_user)
    other = services.sign_up(ts.id, services.applicant_by_phone("Rina", "081298765432"))
    marks = [services.Mark("c-1", place.id, True), services.Mark("c-2", other.id, False)]
    assert services.record_marks(ts, marks, actor=trainer) == 2
    assert services.record_marks(ts, marks, actor=trainer) == 0
    assert db.session.scalar(select(func.count(AttendanceMark.id))) == 2
    db.session.expire_all()
    assert db.session.get(Place, place.id).attended is True
    assert db.session.get(Place, other.id).attended is False
    report = services.report_per_course()[0]
    assert report["attended"] == 1 and report["attendance_rate"] == 50


@pytest.mark.concurrency
def test_the_same_mark_sent_at_once_from_two_connections_counts_once(app, make_user):
    trainer, ts, place = _completed_place(make_user)
    ids = (ts.id, place.id, trainer.id)
    db.session.commit()
    barrier = threading.Barrier(6, timeout=60)

    def send():
        with app.app_context():
            from portal.accounts.models import User
            from portal.training.models import TrainingSession

            session = db.session.get(TrainingSession, ids[0])
            actor = db.session.get(User, ids[2])
            barrier.wait()
            try:
                services.record_marks(session, [services.Mark("same", ids[1], True)], actor=actor)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    db.session.rollback()
    assert db.session.scalar(select(func.count(AttendanceMark.id))) == 1


def test_certificate_code_verifies_and_a_forged_one_does_not(app, make_user):
    trainer, ts, place = _completed_place(make_user)
    assert services.complete(ts, [place.id], actor=trainer) == 1
    db.session.expire_all()
    code = db.session.get(Place, place.id).certificate_code
    assert services.certificate(code).id == place.id
    assert services.certificate(code.lower().replace("-", " ")).id == place.id
    forged = ("B" if code[0] != "B" else "C") + code[1:]
    assert services.certificate(forged) is None
    assert services.certificate("not a code") is None
    # Completing again keeps the code.
    assert services.complete(ts, [place.id], actor=trainer) == 0
    assert db.session.get(Place, place.id).certificate_code == code


def test_certificate_pdf_is_in_the_persons_language(app, make_user):
    from portal.training import certificates

    trainer, ts, place = _completed_place(make_user, locale="en")
    services.complete(ts, [place.id], actor=trainer)
    db.session.expire_all()
    place = db.session.get(Place, place.id)
    with app.test_request_context():
        pdf = certificates.certificate_pdf(place)
    assert pdf.startswith(b"%PDF")
    with app.test_request_context():
        assert "Certificate of completion" in certificates.certificate_text(place)


def test_messages_are_in_the_recipients_language(app):
    ts = th.session(th.course(), seats=1)
    services.sign_up(ts.id, services.applicant_by_phone("Siti", "081200000001", locale="id"))
    services.sign_up(ts.id, services.applicant_by_phone("Jane", "081200000002", locale="en"))
    bodies = [m.body for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert "dikonfirmasi" in bodies[0] or "Halo" in bodies[0]
    assert "waitlist" in bodies[1] and "number 1" in bodies[1]


class Flaky:
    def __init__(self, failures: int):
        self.failures = failures
        self.sent: list[int] = []

    def __call__(self, message):
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("gateway down")
        self.sent.append(message.id)


def test_outbox_retries_a_failing_sender_and_never_sends_twice(app):
    ts = th.session(th.course(), seats=5)
    services.sign_up(ts.id, services.applicant_by_phone("Siti", "081200000001"))
    sender = Flaky(failures=1)
    senders = {"sms": sender, "whatsapp": sender, "email": sender}
    assert outbox.send_due(senders) == {"sent": 0, "failed": 1}
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == "queued" and message.attempts == 1 and message.last_error
    assert message.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
    # Not due yet: nothing is sent.
    assert outbox.send_due(senders) == {"sent": 0, "failed": 0}
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert outbox.send_due(senders) == {"sent": 1, "failed": 0}
    assert outbox.send_due(senders) == {"sent": 0, "failed": 0}
    assert sender.sent == [message.id]
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "sent"


def test_a_claimed_message_is_not_claimed_again(app):
    ts = th.session(th.course(), seats=5)
    services.sign_up(ts.id, services.applicant_by_phone("Siti", "081200000001"))
    message_id = db.session.scalars(select(OutboxMessage.id)).one()
    assert outbox.claim(message_id) is True
    assert outbox.claim(message_id) is False


def test_outbox_gives_up_after_the_last_attempt(app):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    ts = th.session(th.course(), seats=5)
    services.sign_up(ts.id, services.applicant_by_phone("Siti", "081200000001"))
    sender = Flaky(failures=5)
    senders = {"sms": sender, "whatsapp": sender, "email": sender}
    outbox.send_due(senders)
    db.session.execute(OutboxMessage.__table__.update().values(next_attempt_at=utcnow()))
    db.session.commit()
    outbox.send_due(senders)
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == "failed" and message.attempts == 2
    assert outbox.retry(message.id) and db.session.get(OutboxMessage, message.id)


def test_file_sender_writes_into_the_outbox_folder(app, tmp_path):
    app.config["OUTBOX_DIR"] = str(tmp_path / "outbox")
    ts = th.session(th.course(), seats=5)
    services.sign_up(ts.id, services.applicant_by_phone("Siti", "081200000001"))
    assert outbox.send_due() == {"sent": 1, "failed": 0}
    files = list((tmp_path / "outbox").iterdir())
    assert len(files) == 1 and "+6281200000001" in files[0].read_text()


def test_reminders_are_queued_once_for_tomorrows_sessions(app):
    course = th.course()
    tomorrow = th.session(course, seats=5, days=1)
    later = th.session(course, seats=5, days=5)
    services.sign_up(tomorrow.id, services.applicant_by_phone("Siti", "081200000001"))
    services.sign_up(later.id, services.applicant_by_phone("Siti", "081200000001"))
    assert services.queue_reminders() == 1
    assert services.queue_reminders() == 0
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert sorted(kinds) == ["enrolled", "enrolled", "reminder"]


def test_tomorrow_is_the_village_day_even_when_utc_is_still_today(app):
    # 18:00 UTC on 3 December 2036 is 01:00 on 4 December in the village (WIB, UTC+7):
    # "tomorrow" is 5 December there, which begins at 17:00 UTC on 4 December.
    now = datetime(2036, 12, 3, 18, 0, tzinfo=UTC)
    course = th.course()
    sessions = []
    for starts in (datetime(2036, 12, 4, 16, 0), datetime(2036, 12, 4, 18, 0)):
        ts = th.session(course, seats=5)
        ts.starts_at, ts.ends_at = (
            starts.replace(tzinfo=UTC),
            (starts + timedelta(hours=2)).replace(tzinfo=UTC),
        )
        sessions.append(ts)
    db.session.commit()
    for ts in sessions:
        services.sign_up(ts.id, services.applicant_by_phone("Siti", th.phone()))
    assert services.queue_reminders(now=now) == 1
    reminder = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "reminder")
    ).one()
    place = db.session.scalars(select(Place).where(Place.session_id == sessions[1].id)).one()
    assert reminder.dedupe_key == f"reminder:{place.id}"


def test_feedback_once_per_place_and_summary(app, make_user):
    trainer, ts, place = _completed_place(make_user)
    services.complete(ts, [place.id], actor=trainer)
    db.session.expire_all()
    place = db.session.get(Place, place.id)
    services.give_feedback(place, 5, "started", "Bagus")
    with pytest.raises(services.TrainingError):
        services.give_feedback(place, 4, "none", None)
    with pytest.raises(services.TrainingError):
        services.give_feedback(place, 9, "none", None)
    summary = services.feedback_summary()
    count, avg, started, grew, _id, _title = summary["courses"][0]
    assert (count, float(avg), started, grew) == (1, 5.0, 1, 0)


def test_the_reports_page_reads_the_reports_as_they_are_alone(village, make_user):
    """services.reports_page reads the page's reports in one statement: the same rows in
    the same order as each report read alone (registry people and others, a sponsored
    course and one without, feedback on both)."""
    from portal.csr.models import Company

    partner = make_user("partner", email="csr@example.co.id")
    company = Company(
        user_id=partner.id, name="PT Mitra", sector="energy", contact_name="Ani", locale="id"
    )
    db.session.add(company)
    db.session.commit()
    trainer, ts, place = _completed_place(make_user)
    sponsored = th.course(trainer_id=trainer.id, sponsor_company_id=company.id, title_id="A")
    other_ts = th.session(sponsored, seats=5)
    places = [place]
    for key in ("mother", "neighbour"):
        for session in (ts, other_ts):
            applicant = services.applicant_for_person(village[key])
            places.append(services.sign_up(session.id, applicant, actor=village["operator"]))
    services.complete(ts, [p.id for p in places if p.session_id == ts.id], actor=trainer)
    services.complete(
        other_ts, [p.id for p in places if p.session_id == other_ts.id], actor=trainer
    )
    db.session.expire_all()
    for rating, p in enumerate(places[:4], start=2):
        services.give_feedback(db.session.get(Place, p.id), rating, "started", None)
    page = services.reports_page()
    assert {key: value for key, value in page.items() if key != "feedback"} == {
        "per_course": services.report_per_course(),
        "per_area": services.report_per_area(),
        "per_level": services.report_per_level(),
    }
    # feedback_summary has no order of its own (the page's is by course, by sponsor).
    alone = services.feedback_summary()
    for key in ("courses", "sponsors"):
        assert sorted(map(tuple, page["feedback"][key]), key=repr) == sorted(
            map(tuple, alone[key]), key=repr
        )
    assert len(page["per_course"]) == 2 and len(page["per_area"]) == 3
    assert sorted(row[-1] or "" for row in page["feedback"]["sponsors"]) == ["", "PT Mitra"]


def test_a_sessions_page_reads_it_with_its_lists(app):
    """services.session_with_lists: the session and `session_lists`' two lists (the
    participants by name, the waiting list by number) in one statement."""
    ts = th.session(th.course(), seats=2)
    empty = th.session(th.course())
    for name in ("Wati", "Ani", "Budi", "Citra"):
        services.sign_up(ts.id, services.applicant_by_phone(name, th.phone()))
    db.session.expire_all()
    found, enrolled, waiting = services.session_with_lists(ts.id)
    assert found.id == ts.id and (enrolled, waiting) == services.session_lists(ts.id)
    assert [p.name for p in enrolled] == ["Ani", "Wati"]
    assert [p.name for p in waiting] == ["Budi", "Citra"]
    assert services.session_with_lists(empty.id) == (empty, [], [])
    assert services.session_with_lists(empty.id + 1000) is None


def test_a_course_page_reads_its_sessions_with_the_residents_places(village, make_user):
    """services.upcoming_with_places: the course's upcoming sessions and, by session,
    the resident's place (its own, or one the office made for its person; not a
    cancelled one), as upcoming_sessions and places_in_course give them, in one
    statement."""
    course = th.course()
    first, second, third = (th.session(course, days=d) for d in (3, 5, 9))
    mother = th.resident(make_user, person=village["mother"])
    services.sign_up(first.id, services.applicant_for_user(mother))
    services.sign_up(
        second.id, services.applicant_for_person(village["mother"]), actor=village["operator"]
    )
    dropped = services.sign_up(third.id, services.applicant_for_user(mother))
    services.cancel(dropped.id)
    db.session.expire_all()
    sessions, mine = services.upcoming_with_places(course, mother)
    assert sessions == services.upcoming_sessions(course) and len(sessions) == 3
    alone = {p.session_id: p for p in services.places_in_course(mother, course.id)}
    assert mine == alone and set(mine) == {first.id, second.id}
    assert services.upcoming_with_places(course, th.resident(make_user)) == (sessions, {})
    # The course page reads the course with them in one statement.
    assert services.published_course_with_places(course.id, mother) == (course, sessions, mine)
    stranger = th.resident(make_user)
    assert services.published_course_with_places(course.id, stranger) == (course, sessions, {})
    bare = th.course()
    assert services.published_course_with_places(bare.id, mother) == (bare, [], {})
    hidden = th.course(published=False)
    th.session(hidden, days=2)
    assert services.published_course_with_places(hidden.id, mother) is None
    assert services.published_course_with_places(bare.id + 1000, mother) is None
