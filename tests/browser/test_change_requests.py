"""Change requests in a real browser on a 360 px phone: the demo resident opens their
household's record from "My account", asks for a birth to be added, and sees the
request waiting; the operator finds it on the staff list, refuses it (Indonesian) or
accepts it (English), and the resident sees the decision; the public figures page.
Every page without sideways scrolling and without serious axe problems."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

SERIOUS = {"serious", "critical"}
_axe = Axe()

TEXT = {
    "id": {
        "browser": "id-ID",
        "record": "Data rumah tangga saya",
        "waiting": "Menunggu kantor desa",
        "decided": "Ditolak",
        "baby": "Bayi Uji Satu",
    },
    "en": {
        "browser": "en-GB",
        "record": "My household's record",
        "waiting": "Waiting for the village office",
        "decided": "Accepted: the record was changed",
        "baby": "Baby Test Two",
    },
}


def _problems(page, where: str) -> list[str]:
    problems = []
    # After a form is sent, the new page's DOM can be read before its stylesheet has
    # loaded (a busy machine serves it late): measure the page as laid out.
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{where} scrolls sideways: {width}px wide")
    for v in _axe.run(page).response["violations"]:
        if v.get("impact") in SERIOUS:
            targets = [n.get("target") for n in v.get("nodes", [])][:3]
            problems.append(f"{where}: {v['id']} ({v['impact']}): {v['help']} {targets}")
    return problems


def _resident_login(page, live_server) -> None:
    phone, password = live_server.logins["resident"]
    page.goto("/masuk")
    page.fill("#identifier", phone)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("nav.main-nav a[href='/akun']")).to_be_visible()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_resident_asks_and_the_office_decides(
    new_page, live_server, login_as, lang, tmp_path, assert_no_console_errors
):
    t = TEXT[lang]
    page = new_page(locale=t["browser"])
    problems = []
    _resident_login(page, live_server)

    page.goto(f"/akun?lang={lang}")
    page.locator("a[href='/warga/perubahan/']").click()
    expect(page.locator("main h1")).to_have_text(t["record"])
    problems += _problems(page, "record")
    page.locator("a[href='/warga/perubahan/baru/birth']").click()
    page.wait_for_url(re.compile(r"/warga/perubahan/baru/birth"))
    problems += _problems(page, "birth form")
    page.fill("#name", t["baby"])
    page.locator("input[name=sex][value=female]").check()
    page.fill("#birth_date", "2026-11-28")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/warga/perubahan/\d+$"))
    expect(page.locator("main .steps")).to_contain_text(t["waiting"])
    problems += _problems(page, "request")
    page.screenshot(path=tmp_path / f"change-request-{lang}.png", full_page=True)
    request_path = page.url.split(live_server.url, 1)[1]
    number = request_path.rsplit("/", 1)[1]

    office = new_page(locale=t["browser"])
    login_as(office, "operator")
    office.goto(f"/staf/perubahan/?lang={lang}")
    problems += _problems(office, "staff list")
    office.locator(f"main a[href='/staf/perubahan/{number}']").click()
    expect(office.locator("main")).to_contain_text(t["baby"])
    problems += _problems(office, "staff request")
    if lang == "id":
        office.fill("#reason", "Mohon bawa akta kelahiran ke kantor desa.")
        office.locator("form[action$='/tolak'] button[type=submit]").click()
    else:
        office.locator("form[action$='/terima'] button[type=submit]").click()
    expect(office.locator("main .steps")).not_to_contain_text(t["waiting"])
    office.screenshot(path=tmp_path / f"change-request-staff-{lang}.png", full_page=True)

    page.goto(f"{request_path}?lang={lang}")
    expect(page.locator("main .steps")).to_contain_text(t["decided"])
    assert not problems, "\n".join(problems)
    assert_no_console_errors(page)
    assert_no_console_errors(office)


def test_public_figures_pass_axe(new_page):
    page = new_page()
    problems = []
    for lang in ("id", "en"):
        page.goto(f"/warga/perubahan/angka?lang={lang}")
        expect(page.locator("main table")).to_be_visible()
        problems += _problems(page, f"figures {lang}")
    assert not problems, "\n".join(problems)
