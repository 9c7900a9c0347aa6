"""Distribution rounds in a real browser, CSRF on: the public round list and round page
(counts only) in Indonesian and English on a 360 px phone, also without JavaScript; an
operator makes a draft round with a point, a time slot and an item through the forms,
and reads the entitlements of the demo's open round; no serious axe violations."""

from __future__ import annotations

import time
from datetime import timedelta

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from portal.models_base import village_today
from tests.browser.conftest import PHONE

SERIOUS = {"serious", "critical"}
_axe = Axe()


def _problems(page, where: str) -> list[str]:
    """Sideways scrolling at 360 px, and axe-core violations of impact serious or critical."""
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


def test_public_round_pages_in_both_languages_and_without_javascript(
    new_page, assert_no_console_errors
):
    problems: list[str] = []
    page = new_page()
    page.goto("/penyaluran")
    problems += _problems(page, "round list (id)")
    page.locator("ul.cards a").first.click()
    expect(page.get_by_role("heading", name="Perkembangan")).to_be_visible()
    expect(page.get_by_text("rumah tangga sudah mengambil")).to_be_visible()
    problems += _problems(page, "round page (id)")
    page.goto(page.url.split("?")[0] + "?lang=en")
    expect(page.get_by_role("heading", name="Points and time slots")).to_be_visible()
    expect(page.get_by_role("link", name="JSON")).to_be_visible()
    problems += _problems(page, "round page (en)")
    assert_no_console_errors(page)

    plain = new_page(java_script_enabled=False)
    plain.goto("/penyaluran?lang=en")
    plain.locator("ul.cards a").first.click()
    expect(plain.get_by_text("households collected")).to_be_visible()
    assert problems == [], "\n".join(problems)


def test_an_operator_makes_a_draft_round_through_the_forms(new_page, login_as):
    stamp = int(time.time() * 1000) % 10**6
    title = f"Penyaluran uji {stamp}"
    problems: list[str] = []
    page = new_page()
    login_as(page, "operator")
    # The demo staff account may prefer English; the pages are checked in Indonesian.
    page.goto("/staf/penyaluran/?lang=id")
    problems += _problems(page, "staff round list")
    page.get_by_role("link", name="Penyaluran baru").click()
    start = village_today() + timedelta(days=40)
    page.locator("#title_id").fill(title)
    page.locator("#starts_on").fill(start.isoformat())
    page.locator("#ends_on").fill((start - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Simpan").click()
    # Refused beside the field, what was typed kept.
    expect(page.locator("#ends_on-error")).to_be_visible()
    expect(page.locator("#title_id")).to_have_value(title)
    problems += _problems(page, "round form with an error")
    page.locator("#ends_on").fill((start + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()

    page.locator("#name").fill("Masjid Al-Ikhlas")
    page.locator("#opens_at").fill("08:00")
    page.locator("#closes_at").fill("12:00")
    page.get_by_role("button", name="Tambahkan titik").click()
    expect(page.get_by_role("heading", name="Masjid Al-Ikhlas")).to_be_visible()
    page.locator("#rt").fill("3")
    page.locator("#day").fill(start.isoformat())
    page.locator("#starts_at").fill("08:00")
    page.locator("#ends_at").fill("09:00")
    page.get_by_role("button", name="Tambahkan jadwal").click()
    expect(page.get_by_role("cell", name="003/–")).to_be_visible()
    page.locator("#name_id").fill("Beras")
    page.locator("#quantity").fill("2,5")
    page.get_by_role("button", name="Tambahkan barang").click()
    expect(page.get_by_text("Beras: 2,5 kg")).to_be_visible()
    problems += _problems(page, "staff round page")

    page.goto("/staf/penyaluran/")
    page.locator("table a").last.click()
    page.goto("/staf/penyaluran/1/penerima")
    expect(page.get_by_role("heading", name="Hak bantuan")).to_be_visible()
    problems += _problems(page, "entitlements list")
    assert problems == [], "\n".join(problems)
