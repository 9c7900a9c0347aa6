"""Recipient lists in a real browser, CSRF on: a resident opens the public board, checks
their household with NIK and name, and objects to a listing, in Indonesian and in
English on a 360 px phone, without serious axe violations or sideways scrolling.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

SERIOUS = {"serious", "critical"}
# With SCREENSHOTS=1 the pages are saved in both languages, as test_pages.py does.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
_axe = Axe()


def _screenshot(page, name: str) -> None:
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


TEXT = {
    "id": {
        "lists": "Daftar penerima",
        "check": "Periksa",
        "yes": "Rumah tangga Anda tercantum dalam daftar yang berlaku",
        "no": "Tidak ditemukan daftar yang berlaku",
        "object": "Sanggah",
        "send": "Kirim sanggahan",
        "done": "Sanggahan diterima",
    },
    "en": {
        "lists": "Recipient lists",
        "check": "Check",
        "yes": "Your household is on a current list",
        "no": "No current list found",
        "object": "Object",
        "send": "Send the objection",
        "done": "Objection received",
    },
}


@pytest.fixture(scope="module")
def listed(live_server, tmp_path_factory):
    """A living member of a household on the demo list: NIK, name, period id (read
    straight from the live server's database file)."""
    found = sorted(tmp_path_factory.getbasetemp().glob("browser-instance*/portal.sqlite3"))
    assert found, "the live server's database was not found"
    with sqlite3.connect(found[0]) as conn:
        row = conn.execute(
            "SELECT p.nik, p.name, v.period_id FROM recipient_version_row r "
            "JOIN recipient_version v ON v.id = r.version_id "
            "JOIN person p ON p.household_id = r.household_id "
            "WHERE p.status = 'alive' AND p.merged_into_id IS NULL AND p.nik IS NOT NULL "
            "ORDER BY r.id LIMIT 1"
        ).fetchone()
    assert row, "the demo data has no published recipient list"
    return row


def _problems(page, where: str) -> list[str]:
    problems = []
    # After a form is sent, the new page's DOM can be read before its stylesheet has
    # loaded (a busy machine serves it late): measure the page as laid out.
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{where} scrolls sideways: {width}px wide")
    results = _axe.run(page)
    for v in results.response["violations"]:
        if v.get("impact") in SERIOUS:
            targets = [n.get("target") for n in v.get("nodes", [])][:3]
            problems.append(f"{where}: {v['id']} ({v['impact']}): {v['help']} {targets}")
    return problems


@pytest.mark.parametrize("lang", ["id", "en"])
def test_resident_checks_household_and_objects(new_page, listed, lang, assert_no_console_errors):
    nik, name, period_id = listed
    t = TEXT[lang]
    page = new_page(locale="id-ID" if lang == "id" else "en-GB")
    problems: list[str] = []

    page.goto(f"/?lang={lang}")
    page.get_by_role("navigation", name="Menu utama" if lang == "id" else "Main menu").get_by_role(
        "link", name=t["lists"]
    ).click()
    expect(page).to_have_url(re.compile(r"/daftar-penerima/?(\?|$)"))
    problems += _problems(page, f"list index ({lang})")
    page.locator(f"a[href='/daftar-penerima/{period_id}']").first.click()
    # count() does not wait for the click's page load; expect() does.
    expect(page).to_have_url(re.compile(rf"/daftar-penerima/{period_id}(\?|$)"))
    expect(page.locator("table.lists-board tbody tr").first).to_be_visible()
    problems += _problems(page, f"board ({lang})")
    board_text = page.locator("main").inner_text()
    assert nik not in board_text and name not in board_text

    # The self-check: the right answer, and the NIK is not shown back.
    page.goto("/cek-bansos")
    problems += _problems(page, f"self-check form ({lang})")
    page.locator("#nik").fill(nik)
    page.locator("#name").fill(name)
    page.get_by_role("button", name=t["check"]).click()
    expect(page.locator("main")).to_contain_text(t["yes"])
    assert nik not in page.content()
    problems += _problems(page, f"self-check answer ({lang})")
    page.locator("#nik").fill("1403090101010001")
    page.locator("#name").fill(name)
    page.get_by_role("button", name=t["check"]).click()
    expect(page.locator("main")).to_contain_text(t["no"])
    _screenshot(page, f"lists-self-check-{lang}")

    # An objection to a listed household, without an account.
    page.goto(f"/daftar-penerima/{period_id}")
    page.locator("table.lists-board tbody tr").first.get_by_role("link").click()
    # Only what applies to a listed household: the reason, no name or RT/RW to fill in.
    expect(page.locator("input[name=kind]")).to_have_value("remove")
    problems += _problems(page, f"objection form ({lang})")
    assert page.locator("#subject_name, #rt, #rw").count() == 0
    page.get_by_role("button", name=t["send"]).click()
    # Without a reason: a message beside the field, nothing sent.
    expect(page.locator("#reason-error")).to_be_visible()
    problems += _problems(page, f"objection form with an error ({lang})")
    page.locator("#reason").fill("Keluarga ini sudah mampu, baru membeli mobil.")
    page.get_by_role("button", name=t["send"]).click()
    expect(page.locator("h1")).to_contain_text(t["done"])
    _screenshot(page, f"lists-objection-{lang}")
    assert_no_console_errors(page)
    assert not problems, "\n".join(problems)
