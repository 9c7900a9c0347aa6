"""A mother signs up for a course from her phone (360 px), with her phone-number
account: she logs in through /masuk with her phone number, joins the waitlist and sees
her position, is moved up when someone cancels, and downloads the .ics. In Indonesian
and in English, with axe-core checks on the pages she sees."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

SERIOUS = {"serious", "critical"}
_axe = Axe()
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def portal_db(live_server, tmp_path_factory):
    """An app on the live server's database, to set the scene (the live server's
    instance folder is the newest browser-instance* of this session)."""
    from portal import create_app

    base = tmp_path_factory.getbasetemp()
    instance = max(base.glob("browser-instance*"), key=lambda p: p.stat().st_mtime)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance) / 'portal.sqlite3'}",
            "RATELIMIT_STORAGE_URI": "sweeping-memory://",
        }
    )
    yield app
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose()


def _scene(app, lang: str):
    """A one-seat session held by someone else, and a mother with a phone account."""
    from portal.accounts.services import create_user
    from portal.extensions import db
    from portal.training import services
    from tests import training_helpers as th

    n = next(_numbers)
    with app.app_context():
        course = th.course(title_id=f"Katering Ibu {n}", title_en=f"Catering for mothers {n}")
        ts = th.session(course, seats=1, days=10)
        holder = services.sign_up(
            ts.id, services.applicant_by_phone("Rina Wati", f"0813000{n:05d}"), check_rule=False
        )
        phone = f"+6281277{n:06d}"
        password = "ibu-siti-rahasia-2026"
        user = create_user(name="Siti Aminah", role="resident", password=password, phone=phone)
        user.locale = lang
        db.session.commit()
        ids = (course.id, ts.id, holder.id)
        db.session.remove()
    return ids, phone, password


def _problems(page, where: str) -> list[str]:
    problems = []
    # After a form is sent, the new page's DOM can be read before its stylesheet has
    # loaded (a busy machine serves it late): measure the page as laid out.
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{where} scrolls sideways ({width}px)")
    serious = [v for v in _axe.run(page).response["violations"] if v.get("impact") in SERIOUS]
    for v in serious:
        problems.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']}")
    return problems


@pytest.mark.parametrize("lang", ["id", "en"])
def test_mother_signs_up_waits_is_promoted_and_gets_the_ics(page, portal_db, lang, tmp_path):
    (course_id, session_id, holder_id), phone, password = _scene(portal_db, lang)
    words = {
        "id": ("Masuk daftar tunggu", "nomor 1 daftar tunggu", "Tempat terkonfirmasi"),
        "en": ("Join the waitlist", "number 1 on the waitlist", "Place confirmed"),
    }[lang]
    problems = []
    page.goto(f"/pelatihan/kursus/{course_id}?lang={lang}")
    problems += _problems(page, f"course page ({lang})")
    page.get_by_role(
        "link", name={"id": "Masuk untuk mendaftar", "en": "Log in to sign up"}[lang]
    ).click()
    # Her phone number as she types it, with the leading 0.
    page.locator("#identifier").fill("0" + phone[3:])
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    # Let the login land before going on (a goto would cancel it).
    expect(page.locator("nav.main-nav a[href='/akun']")).to_be_visible()
    page.goto(f"/pelatihan/kursus/{course_id}")
    page.get_by_role("button", name=words[0]).click()
    position = page.locator("#waitlist-position")
    assert words[1] in position.inner_text()
    problems += _problems(page, f"waitlist page ({lang})")
    place_url = page.url

    from portal.extensions import db
    from portal.training import services

    with portal_db.app_context():
        services.cancel(holder_id)
        db.session.remove()
    page.goto(place_url)
    assert words[2] in page.locator("#place-status").inner_text()
    assert page.locator("#waitlist-position").count() == 0
    with page.expect_download() as download:
        page.locator(f"a[href$='/pelatihan/sesi/{session_id}.ics']").click()
    target = tmp_path / "sesi.ics"
    download.value.save_as(target)
    events = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert len(events) == 1 and str(events[0]["location"]) == "Balai Desa Duri Selatan"
    page.screenshot(path=str(tmp_path / f"training-{lang}.png"), full_page=True)
    problems += _problems(page, f"promoted page ({lang})")
    page.goto("/pelatihan/")
    problems += _problems(page, f"course list ({lang})")
    assert not problems, "\n".join(problems)
