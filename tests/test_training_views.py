"""Training pages: the public list and course page, signing up and the waitlist from
a phone account, .ics files, certificate check, staff and trainer pages, reports."""

from __future__ import annotations

import io

from icalendar import Calendar
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.csr.models import Company, Need, Pledge
from portal.extensions import db
from portal.models_base import as_utc, village_tz
from portal.notify.models import OutboxMessage
from portal.training import services
from portal.training.models import AttendanceMark, Course, Place, TrainingSession
from tests import registry_helpers as rh
from tests import training_helpers as th


def body(response) -> str:
    return response.get_data(as_text=True)


def login_resident(client, make_user, **fields):
    user = th.resident(make_user, **fields)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return user


def test_public_list_and_course_page_state_the_rule(client):
    course = th.course(priority_rule="women")
    th.course(published=False, title_id="Draf rahasia")
    th.session(course, seats=3)
    page = body(client.get("/pelatihan/"))
    assert course.title_id in page and "Draf rahasia" not in page
    page = body(client.get(f"/pelatihan/kursus/{course.id}?lang=en"))
    assert "This course is for women." in page
    assert "3 seats free of 3" in page
    assert client.get("/pelatihan/?kategori=nonsense").status_code == 404


def test_a_course_change_shows_at_once_on_the_cached_pages(client):
    """Courses are watched by the page cache; a sign-up (a session's seat count) is not
    a reason to empty it."""
    from portal.cache import HEADER

    course = th.course()
    th.session(course, seats=3)
    draft = th.course(published=False, title_id="Menjahit untuk pemula")
    assert client.get("/pelatihan/").headers[HEADER] == "miss"
    assert client.get("/pelatihan/").headers[HEADER] == "hit"
    draft.published = True
    db.session.commit()
    page = client.get("/pelatihan/")
    assert page.headers[HEADER] == "miss" and "Menjahit untuk pemula" in body(page)
    assert client.get("/pelatihan/").headers[HEADER] == "hit"
    ts = db.session.scalars(select(TrainingSession)).one()
    ts.taken = 1
    db.session.commit()
    assert client.get("/pelatihan/").headers[HEADER] == "hit"


def test_resident_signs_up_sees_waitlist_position_and_is_promoted(client, make_user):
    ts = th.session(th.course(), seats=1)
    first = services.sign_up(ts.id, services.applicant_by_phone("Rina", "081299990000"))
    user = login_resident(client, make_user, name="Siti Aminah")
    response = client.post(f"/pelatihan/sesi/{ts.id}/daftar")
    assert response.status_code == 302
    place = db.session.scalar(select(Place).where(Place.user_id == user.id))
    assert place.status == "waitlisted"
    page = body(client.get(f"/pelatihan/saya/{place.id}?lang=en"))
    assert "You are number 1 on the waitlist." in page
    assert f"/pelatihan/sesi/{ts.id}.ics" in page
    # Signing up again is refused with a message, not a 500.
    again = client.post(f"/pelatihan/sesi/{ts.id}/daftar")
    assert again.status_code == 422
    services.cancel(first.id)
    page = body(client.get(f"/pelatihan/saya/{place.id}?lang=en"))
    assert "Place confirmed" in page and "waitlist." not in page
    told = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.about_id == place.id)
    ).all()
    assert told == ["waitlisted", "promoted"]
    # She cancels her own place; someone else's is not hers to see.
    assert client.get(f"/pelatihan/saya/{first.id}").status_code == 404
    assert client.post(f"/pelatihan/saya/{place.id}/batal").status_code == 302
    db.session.expire_all()
    assert db.session.get(Place, place.id).status == "cancelled"


def test_not_eligible_resident_is_told_why(client, make_user):
    ts = th.session(th.course(priority_rule="women"), seats=5)
    login_resident(client, make_user)
    response = client.post(f"/pelatihan/sesi/{ts.id}/daftar?lang=en")
    assert response.status_code == 422
    assert "could not find you in the village registry" in body(response)
    assert db.session.scalar(select(func.count(Place.id))) == 0


def test_ics_for_a_session_and_the_feed(client):
    course = th.course()
    ts = th.session(course)
    th.session(course, days=14)
    response = client.get(f"/pelatihan/sesi/{ts.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert len(events) == 1 and str(events[0]["summary"]) == course.title_id
    assert str(events[0]["location"]) == "Balai Desa Duri Selatan"
    feed = Calendar.from_ical(client.get("/pelatihan/kalender.ics").data)
    assert len(feed.walk("VEVENT")) == 2
    assert "Balai Desa" in body(client.get("/pelatihan/kalender"))


def test_certificate_check_page(client, make_user):
    trainer = make_user("trainer")
    ts = th.session(th.course(trainer_id=trainer.id))
    place = services.sign_up(ts.id, services.applicant_by_phone("Siti Aminah", "081234567890"))
    services.complete(ts, [place.id], actor=trainer)
    code = db.session.get(Place, place.id).certificate_code
    page = client.get(f"/pelatihan/sertifikat/{code}?lang=en")
    assert page.status_code == 200 and "This certificate is genuine." in body(page)
    assert "S**i A****h" in body(page) and "Siti Aminah" not in body(page)
    assert "081234567890" not in body(page) and "+6281234567890" not in body(page)
    forged = client.get("/pelatihan/sertifikat/ABCD-EFGH-JKLM?lang=en")
    assert forged.status_code == 404 and "not genuine" in body(forged)
    form = client.get(f"/pelatihan/sertifikat?code={code.lower().replace('-', '')}")
    assert form.status_code == 302 and form.headers["Location"].endswith(code)


def test_resident_downloads_certificate_and_gives_feedback_once(client, make_user):
    trainer = make_user("trainer")
    ts = th.session(th.course(trainer_id=trainer.id))
    user = login_resident(client, make_user, locale="en")
    place = services.sign_up(ts.id, services.applicant_for_user(user))
    services.complete(ts, [place.id], actor=trainer)
    pdf = client.get(f"/pelatihan/saya/{place.id}/sertifikat.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    bad = client.post(f"/pelatihan/saya/{place.id}/ulasan", data={"rating": "9"})
    assert bad.status_code == 422
    ok = client.post(f"/pelatihan/saya/{place.id}/ulasan", data={"rating": "4", "business": "grew"})
    assert ok.status_code == 302
    assert client.get(f"/pelatihan/saya/{place.id}/ulasan").status_code == 302
    assert services.feedback_of(db.session.get(Place, place.id)).rating == 4


def test_trainer_attendance_json_sent_twice_counts_once(client, login_as):
    trainer = login_as("trainer")
    ts = th.session(th.course(trainer_id=trainer.id))
    place = services.sign_up(ts.id, services.applicant_by_phone("Siti", "081234567890"))
    assert "Siti" in body(client.get(f"/pelatih/sesi/{ts.id}"))
    payload = {"marks": [{"id": "abc-1", "place": place.id, "present": True}]}
    first = client.post(f"/pelatih/sesi/{ts.id}/hadir", json=payload)
    second = client.post(f"/pelatih/sesi/{ts.id}/hadir", json=payload)
    assert first.json == {"applied": 1, "received": ["abc-1"]}
    assert second.json == {"applied": 0, "received": ["abc-1"]}
    # The plain form (no JavaScript) with its server-made id, sent twice.
    form = {"place_id": place.id, "client_id": "f-xyz", "present": "0"}
    client.post(f"/pelatih/sesi/{ts.id}/hadir", data=form)
    client.post(f"/pelatih/sesi/{ts.id}/hadir", data=form)
    assert db.session.scalar(select(func.count(AttendanceMark.id))) == 2
    assert db.session.get(Place, place.id).attended is False
    # Place numbers the database cannot hold (a broken script, a tampered form): skipped
    # or refused, never a 500.
    huge = 10**20
    odd = {"marks": [{"id": "abc-2", "place": huge, "present": True}]}
    assert client.post(f"/pelatih/sesi/{ts.id}/hadir", json=odd).json["applied"] == 0
    form_huge = {"place_id": str(huge), "client_id": "f-big", "present": "1"}
    assert client.post(f"/pelatih/sesi/{ts.id}/hadir", data=form_huge).status_code == 404
    done = client.post(f"/pelatih/sesi/{ts.id}/selesai", data={"place": [str(place.id), str(huge)]})
    assert done.status_code == 302
    assert db.session.get(Place, place.id).certificate_code


def test_trainer_sees_only_own_sessions(client, login_as, make_user):
    login_as("trainer")
    other = make_user("trainer")
    ts = th.session(th.course(trainer_id=other.id))
    assert client.get(f"/pelatih/sesi/{ts.id}").status_code == 403
    assert th.course().title_id not in body(client.get("/pelatih/"))


def test_staff_course_from_a_pledge_and_sessions(client, login_as, make_user):
    operator = login_as("operator")
    partner = make_user("partner")
    company = Company(user_id=partner.id, name="PT Maju Bersama", contact_name="Andi")
    need = Need(kind="training", title_id="Pelatihan menjahit", target=20, description_id="x")
    db.session.add_all([company, need])
    db.session.flush()
    pledge = Pledge(company_id=company.id, need_id=need.id, kind="training", amount=20)
    db.session.add(pledge)
    db.session.commit()
    page = body(client.get(f"/staf/pelatihan/kursus/baru?pledge={pledge.id}"))
    assert "PT Maju Bersama" in page and 'value="Pelatihan menjahit"' in page
    data = {
        "title_id": "Pelatihan menjahit",
        "description_id": "Belajar menjahit.",
        "category": "sewing",
        "place": "Balai Desa",
        "trainer_id": "",
        "sponsor_company_id": str(company.id),
        "pledge_id": str(pledge.id),
        "priority_rule": "need_level",
        "priority_programme_id": "",
    }
    missing = client.post("/staf/pelatihan/kursus/baru", data=data)
    assert missing.status_code == 422  # a need-level rule without levels
    data["priority_levels"] = ["miskin", "sangat_miskin"]
    data["published"] = "y"
    saved = client.post("/staf/pelatihan/kursus/baru", data=data)
    assert saved.status_code == 302
    course = db.session.scalars(select(Course)).one()
    assert course.sponsor_company_id == company.id and course.pledge_id == pledge.id
    assert set(course.level_list) == {"miskin", "sangat_miskin"}
    bad = client.post(
        f"/staf/pelatihan/kursus/{course.id}/sesi/baru",
        data={"day": "2030-01-05", "start": "10:00", "end": "09:00", "seats": "10"},
    )
    assert bad.status_code == 422 and 'value="10"' in body(bad)
    good = client.post(
        f"/staf/pelatihan/kursus/{course.id}/sesi/baru",
        data={"day": "2030-01-05", "start": "09:00", "end": "12:00", "seats": "10"},
    )
    assert good.status_code == 302
    ts = db.session.scalars(select(TrainingSession)).one()
    assert ts.seats == 10 and as_utc(ts.starts_at).hour == 2  # 09:00 WIB = 02:00 UTC
    assert operator.id == course.created_by_id


def test_office_sign_up_by_registry_person_and_by_phone(client, login_as):
    operator = login_as("operator")
    home = rh.household(actor=operator)
    home.need_level = "miskin"
    mother = rh.person(home, "Siti Aminah", sex="female", relation="wife", actor=operator)
    db.session.commit()
    ts = th.session(th.course(priority_rule="women"), seats=1)
    by_person = client.post(
        f"/staf/pelatihan/sesi/{ts.id}/daftar", data={"person_id": mother.id, "locale": "id"}
    )
    assert by_person.status_code == 302
    # The rule needs the registry: a name and phone alone is refused with the reason.
    refused = client.post(
        f"/staf/pelatihan/sesi/{ts.id}/daftar?lang=en",
        data={"name": "Rina", "phone": "0812 1111 2222", "locale": "id"},
    )
    assert refused.status_code == 422 and "priority rule" in body(refused)
    bad_phone = client.post(
        f"/staf/pelatihan/sesi/{ts.id}/daftar?lang=en",
        data={"name": "Rina", "phone": "12", "locale": "id"},
    )
    assert bad_phone.status_code == 422 and 'value="Rina"' in body(bad_phone)
    page = body(client.get(f"/staf/pelatihan/sesi/{ts.id}"))
    assert "Siti Aminah" in page
    open_ts = th.session(th.course(), seats=1)
    client.post(
        f"/staf/pelatihan/sesi/{open_ts.id}/daftar",
        data={"name": "Rina", "phone": "0812 1111 2222", "locale": "en"},
    )
    client.post(
        f"/staf/pelatihan/sesi/{open_ts.id}/daftar",
        data={"name": "Dewi", "phone": "0812 3333 4444", "locale": "id"},
    )
    places = db.session.scalars(
        select(Place).where(Place.session_id == open_ts.id).order_by(Place.id)
    ).all()
    assert [(p.phone, p.status) for p in places] == [
        ("+6281211112222", "enrolled"),
        ("+6281233334444", "waitlisted"),
    ]
    client.post(f"/staf/pelatihan/tempat/{places[0].id}/batal")
    db.session.expire_all()
    assert db.session.get(Place, places[1].id).status == "enrolled"


def test_auditor_reads_reports_and_outbox_and_exports(client, login_as):
    ts = th.session(th.course(), seats=2)
    services.sign_up(ts.id, services.applicant_by_phone("Siti", "081234567890"))
    login_as("auditor")
    assert "Pelatihan Kewirausahaan" in body(client.get("/staf/pelatihan/laporan"))
    assert "+6281234567890" in body(client.get("/staf/kabar/kotak-keluar"))
    export = client.get("/staf/pelatihan/laporan.xlsx")
    assert export.status_code == 200
    wb = load_workbook(io.BytesIO(export.data))
    assert len(wb.sheetnames) == 3
    assert wb.worksheets[0]["A2"].value.startswith("Pelatihan Kewirausahaan")
    assert client.post("/staf/kabar/kotak-keluar/kirim").status_code == 403


def test_cli_send_outbox_and_remind(app, runner, tmp_path):
    app.config["OUTBOX_DIR"] = str(tmp_path / "out")
    ts = th.session(th.course(), seats=2, days=1)
    services.sign_up(ts.id, services.applicant_by_phone("Siti", "081234567890"))
    result = runner.invoke(args=["training", "remind"])
    assert "queued 1 reminders; sent 2" in result.output
    assert len(list((tmp_path / "out").iterdir())) == 2
    result = runner.invoke(args=["training", "send-outbox"])
    assert "sent 0" in result.output


def test_staff_pages_render_and_send_the_outbox(app, client, login_as, tmp_path):
    app.config["OUTBOX_DIR"] = str(tmp_path / "out")
    course = th.course()
    ts = th.session(course, seats=1)
    services.sign_up(ts.id, services.applicant_by_phone("Siti", "081234567890"))
    services.sign_up(ts.id, services.applicant_by_phone("Rina", "081234567891"))
    login_as("operator")
    for url in (
        "/staf/pelatihan/",
        f"/staf/pelatihan/kursus/{course.id}",
        f"/staf/pelatihan/kursus/{course.id}/ubah",
        f"/staf/pelatihan/sesi/{ts.id}",
        f"/staf/pelatihan/sesi/{ts.id}/ubah",
        "/staf/pelatihan/laporan",
        "/pelatih/",
    ):
        assert client.get(url).status_code == 200, url
    page = body(client.get(f"/staf/pelatihan/sesi/{ts.id}"))
    assert "Siti" in page and "Rina" in page
    sent = client.post("/staf/kabar/kotak-keluar/kirim")
    assert sent.status_code == 302
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses == ["sent", "sent"]
    assert len(list((tmp_path / "out").iterdir())) == 2


def test_session_edit_page_shows_the_stored_session(client, login_as):
    """The edit GET (the session read as a plain row) fills the form in village time and
    names the course; an unknown session is a 404."""
    course = th.course()
    ts = th.session(course, seats=7)
    login_as("operator")
    page = body(client.get(f"/staf/pelatihan/sesi/{ts.id}/ubah"))
    start = as_utc(ts.starts_at).astimezone(village_tz())
    end = as_utc(ts.ends_at).astimezone(village_tz())
    assert f'value="{start:%Y-%m-%d}"' in page and f'value="{start:%H:%M}"' in page
    assert f'value="{end:%H:%M}"' in page and 'value="7"' in page
    assert str(escape(course.title_id)) in page
    assert client.get(f"/staf/pelatihan/sesi/{ts.id + 999}/ubah").status_code == 404


def test_the_need_page_shows_the_course_its_training_pledge_became(client, make_user):
    """From promise to delivery, in public: the need's page links to the published
    course a partner's training pledge became, and the course links back to the partner."""
    partner = make_user("partner")
    company = Company(
        user_id=partner.id, name="PT Maju Bersama", contact_name="Andi", status="verified"
    )
    need = Need(
        kind="training",
        title_id="Pelatihan menjahit",
        target=20,
        description_id="x",
        published=True,
    )
    db.session.add_all([company, need])
    db.session.flush()
    pledge = Pledge(
        company_id=company.id, need_id=need.id, kind="training", amount=20, status="confirmed"
    )
    db.session.add(pledge)
    db.session.flush()
    course = th.course(
        title_id="Menjahit untuk ibu",
        title_en="Sewing for mothers",
        sponsor_company_id=company.id,
        pledge_id=pledge.id,
    )
    draft = th.course(
        title_id="Kursus draf", title_en="Draft course", pledge_id=pledge.id, published=False
    )
    page = body(client.get(f"/csr/kebutuhan/{need.id}?lang=en"))
    assert "Courses from these pledges" in page
    assert f"/pelatihan/kursus/{course.id}" in page and "Sewing for mothers" in page
    assert "sponsored by PT Maju Bersama" in page
    assert "Draft course" not in page and f"/pelatihan/kursus/{draft.id}" not in page
    course_page = body(client.get(f"/pelatihan/kursus/{course.id}"))
    assert f'href="/csr/mitra/{company.id}"' in course_page
    # A company not (or no longer) verified is not linked to from the public course page.
    company.status = "rejected"
    db.session.commit()
    again = body(client.get(f"/pelatihan/kursus/{course.id}?fresh=1"))
    assert f'href="/csr/mitra/{company.id}"' not in again and "PT Maju Bersama" in again


def test_certificate_renders_share_the_process_cap(client, make_user, app):
    """PDF renders are capped per process (RENDER_SLOTS): one more answers 503."""
    from portal import filecache

    app.config["RENDER_SLOTS"] = 1
    trainer = make_user("trainer")
    ts = th.session(th.course(trainer_id=trainer.id))
    user = login_resident(client, make_user, locale="en")
    place = services.sign_up(ts.id, services.applicant_for_user(user))
    services.complete(ts, [place.id], actor=trainer)
    url = f"/pelatihan/saya/{place.id}/sertifikat.pdf"
    with filecache.render_slot():
        busy = client.get(url)
    assert busy.status_code == 503 and busy.headers["Retry-After"]
    assert client.get(url).status_code == 200


def test_office_sign_up_form_is_blank_on_every_get_after_an_error(client, login_as):
    """The blank sign-up form is kept per worker (kept_fragment): a refused sign-up shows
    the typed values and the error, and the next GET shows the blank form again."""
    login_as("operator")
    ts = th.session(th.course(), seats=5)
    page = f"/staf/pelatihan/sesi/{ts.id}?lang=en"
    blank = client.get(page).get_data(as_text=True)
    assert 'name="name" type="text" value=""' in blank
    refused = client.post(
        f"/staf/pelatihan/sesi/{ts.id}/daftar?lang=en",
        data={"person_id": "0", "name": "Typed <Name>", "locale": "en"},
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Typed &lt;Name&gt;" in text and 'class="error"' in text
    again = client.get(page).get_data(as_text=True)
    assert again == blank and "Typed" not in again


def test_courses_from_pledges_are_plain_rows_with_the_sponsor_name(make_user):
    """The need page's course list reads plain rows (id, titles, the sponsor's name or
    None): only published courses of those pledges, oldest first."""
    from portal.training.services import courses_from_pledges

    partner = make_user("partner")
    company = Company(user_id=partner.id, name="PT <Maju>", contact_name="A", status="verified")
    need = Need(kind="training", title_id="N", target=2, description_id="x", published=True)
    db.session.add_all([company, need])
    db.session.flush()
    pledges = [
        Pledge(
            company_id=company.id, need_id=need.id, kind="training", amount=1, status="confirmed"
        )
        for _ in range(2)
    ]
    db.session.add_all(pledges)
    db.session.flush()
    first = th.course(
        title_id="Satu", title_en="", sponsor_company_id=company.id, pledge_id=pledges[0].id
    )
    second = th.course(title_id="Dua", title_en="Two", pledge_id=pledges[1].id)
    th.course(title_id="Draf", pledge_id=pledges[1].id, published=False)
    rows = courses_from_pledges([pledges[0].id, pledges[1].id])
    assert [tuple(row) for row in rows] == [
        (first.id, "Satu", "", "PT <Maju>"),
        (second.id, "Dua", "Two", None),
    ]
    assert rows[1].sponsor_name is None and rows[0].title_id == "Satu"
    assert courses_from_pledges([]) == []


def test_my_courses_lists_a_residents_places_newest_first(client, make_user):
    """/pelatihan/saya: the resident's places (services.places_of, one statement built
    once per shape), the latest session first, a waitlisted one with its number."""
    from datetime import timedelta
    from types import SimpleNamespace

    day = timedelta(days=1)
    early = th.session(th.course(title_id="Menjahit dasar"), seats=1)
    late = th.session(th.course(title_id="Kue basah"), seats=1)
    late.starts_at, late.ends_at = early.starts_at + day, early.ends_at + day
    db.session.commit()
    services.sign_up(late.id, services.applicant_by_phone("Rina", "081299990000"))
    user = login_resident(client, make_user, name="Siti Aminah")
    for ts in (early, late):
        assert client.post(f"/pelatihan/sesi/{ts.id}/daftar").status_code == 302
    page = body(client.get("/pelatihan/saya?lang=en"))
    places = services.places_of(user)
    assert [p.session_id for p in places] == [late.id, early.id]
    links = [page.index(f'href="/pelatihan/saya/{p.id}"') for p in places]
    assert links == sorted(links) and "Number 1 in line" in page
    verified = SimpleNamespace(id=user.id, person_id=10**6, is_verified=True)
    assert [p.id for p in services.places_of(verified)] == [p.id for p in places]
