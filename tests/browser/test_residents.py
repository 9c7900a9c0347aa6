"""Resident accounts in a real browser, on a 360 px phone: sign up with a phone number,
log out, log in with the number written another way, verify with the NIK, birth date,
family card number and mother's name of a person of the demo registry, and see the
status "verified"; in Indonesian and English, with no serious accessibility problem and no
sideways scrolling.
"""

from __future__ import annotations

import re
import sqlite3

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

SERIOUS = {"serious", "critical"}
_axe = Axe()

TEXT = {
    "id": {
        "verified": "Terverifikasi",
        "browser": "id-ID",
        "phone": ("0813-5555-0101", "+62 813 5555 0101"),
    },
    "en": {
        "verified": "Verified",
        "browser": "en-GB",
        "phone": ("0813 5555 0102", "62813-5555-0102"),
    },
}


@pytest.fixture(scope="module")
def villagers(live_server, tmp_path_factory) -> list[tuple[str, str, str]]:
    """Three living adults of the demo registry without an account: (nik, birth date, name,
    family card number, mother's name), read straight from the live server's database."""
    found = sorted(tmp_path_factory.getbasetemp().glob("browser-instance*/portal.sqlite3"))
    assert found, "the live server's database was not found"
    with sqlite3.connect(found[0]) as conn:
        rows = conn.execute(
            "SELECT p.nik, p.birth_date, p.name, h.kk_number, p.mother_name FROM person p "
            "JOIN household h ON h.id = p.household_id "
            "WHERE p.status = 'alive' AND p.merged_into_id IS NULL AND p.nik IS NOT NULL "
            "AND p.nik_warning IS NULL AND p.birth_date < '2005-01-01' "
            # A person another browser test added by hand may have no mother's name.
            "AND p.mother_name IS NOT NULL "
            "AND p.id NOT IN (SELECT person_id FROM user_account WHERE person_id IS NOT NULL) "
            "AND p.nik NOT IN (SELECT nik FROM user_account WHERE nik IS NOT NULL) "
            "ORDER BY p.id DESC LIMIT 3"
        ).fetchall()
    assert len(rows) == 3, "the demo registry has no free person to verify as"
    return rows


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


@pytest.mark.parametrize("lang", ["id", "en"])
def test_resident_signs_up_by_phone_and_is_verified(
    new_page, villagers, lang, tmp_path, assert_no_console_errors
):
    t = TEXT[lang]
    nik, born, name, kk, mother = villagers[0 if lang == "id" else 1]
    typed, other_spelling = t["phone"]
    page = new_page(locale=t["browser"])
    problems = []

    page.goto(f"/daftar?lang={lang}")
    problems += _problems(page, "sign-up")
    page.fill("#name", name)
    page.fill("#phone", typed)
    page.fill("#password", "sandi rahasia desa")
    page.fill("#confirm", "sandi rahasia desa")
    page.select_option("#locale", lang)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/akun/verifikasi$"))

    # Log out, and back in with the number written another way.
    page.locator("footer form button[type=submit]").click()
    # Let the logout land before going on (a goto would cancel it).
    expect(page.locator("footer a[href='/masuk']")).to_be_visible()
    page.goto("/masuk")
    page.fill("#identifier", other_spelling)
    page.fill("#password", "sandi rahasia desa")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("nav.main-nav a[href='/akun']")).to_be_visible()

    page.goto("/akun/verifikasi")
    problems += _problems(page, "verification")
    page.fill("#nik", nik)
    page.fill("#birth_date", born)
    page.fill("#kk_number", kk)
    page.fill("#mother_name", mother.upper())  # compared in the registry's spelling
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#verification-status")).to_have_text(t["verified"])
    assert nik not in page.content()  # never shown back in full
    assert nik[-4:] in page.content()

    page.goto("/akun")
    expect(page.locator("#verification-status")).to_have_text(t["verified"])
    problems += _problems(page, "my account")
    page.screenshot(path=tmp_path / f"residents-account-{lang}.png", full_page=True)
    assert not problems, "\n".join(problems)
    assert_no_console_errors(page)


def test_operator_approves_a_pending_resident(
    new_page, villagers, login_as, tmp_path, assert_no_console_errors
):
    """No exact match (a wrong birth date) puts the resident in the queue; an operator
    compares with the registry and verifies them with the person of the same NIK."""
    nik, _born, name, kk, mother = villagers[2]
    resident = new_page(locale="en-GB")
    resident.goto("/daftar?lang=en")
    resident.fill("#name", name)
    resident.fill("#phone", "0813-5555-0103")
    resident.fill("#password", "sandi rahasia desa")
    resident.fill("#confirm", "sandi rahasia desa")
    resident.locator("main form button[type=submit]").click()
    expect(resident).to_have_url(re.compile(r"/akun/verifikasi$"))
    resident.fill("#nik", nik)
    resident.fill("#birth_date", "1901-01-01")
    resident.fill("#kk_number", kk)
    resident.fill("#mother_name", mother)
    resident.locator("main form button[type=submit]").click()
    expect(resident.locator("#verification-status")).to_have_text("Waiting for the village office")
    problems = _problems(resident, "pending status")

    staff = new_page()
    login_as(staff, "operator")
    staff.goto("/staf/warga/?lang=id")
    problems += _problems(staff, "queue")
    staff.screenshot(path=tmp_path / "queue-id.png", full_page=True)
    staff.locator("main table a", has_text=name).first.click()
    expect(staff).to_have_url(re.compile(r"/staf/warga/\d+$"))
    problems += _problems(staff, "request")
    staff.screenshot(path=tmp_path / "request-id.png", full_page=True)
    staff.locator("main .candidates li", has_text="NIK sama").locator("button").click()
    expect(staff).to_have_url(re.compile(r"/staf/warga/$"))

    resident.goto("/akun/verifikasi")
    expect(resident.locator("#verification-status")).to_have_text("Verified")
    assert not problems, "\n".join(problems)
    assert_no_console_errors(resident)
    assert_no_console_errors(staff)
