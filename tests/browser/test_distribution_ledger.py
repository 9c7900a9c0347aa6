"""A closed round's stock, closing and arrival-check pages in a real browser, CSRF on:
an operator records lost goods, reads the reconciliation, records a call that files a
complaint and sees its tracking code; the public reconciliation page in Indonesian and
English. Every page on a 360 px phone without sideways scrolling or serious axe
violations."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

SERIOUS = {"serious", "critical"}
_axe = Axe()


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


def _round_id(live_server) -> int:
    return int(re.search(r"/penyaluran/(\d+)/", live_server.paths["reconciliation"]).group(1))


def test_the_public_reconciliation_in_both_languages(new_page, live_server):
    page = new_page()
    problems = []
    for lang, heading in (("id", "Rekonsiliasi"), ("en", "Reconciliation")):
        response = page.goto(f"{live_server.paths['reconciliation']}?lang={lang}")
        assert response is not None and response.status == 200
        expect(page.locator("h1")).to_contain_text(heading)
        expect(page.locator("[data-cash=paid]")).to_be_visible()
        problems += _problems(page, f"reconciliation ({lang})")
    assert problems == []


def test_staff_record_a_loss_and_a_check_that_files_a_complaint(
    new_page, live_server, login_as, assert_no_console_errors
):
    page = new_page()
    login_as(page, "operator")
    base = f"/staf/penyaluran/{_round_id(live_server)}"
    problems = []

    page.goto(f"{base}/stok")
    problems += _problems(page, "stock")
    first_cell = page.locator("[data-on-hand]").first
    before = int(first_cell.get_attribute("data-on-hand"))
    page.locator("#out-kind").select_option("lost")
    page.locator("#out-quantity").fill("1,5")
    page.locator("#out-reason").fill("Hilang di gudang")
    page.locator("form[action$='/stok/keluar'] button").click()
    expect(page.locator(".notice-success")).to_be_visible()
    after = int(page.locator("[data-on-hand]").first.get_attribute("data-on-hand"))
    assert before - after == 1500

    page.goto(f"{base}/tutup")
    expect(page.locator("[data-status-count=not_collected]")).to_be_visible()
    problems += _problems(page, "closing")

    page.goto(f"{base}/sampel")
    problems += _problems(page, "sample")
    page.goto(f"{base}/sampel?lang=id")
    page.locator("tr", has_text="Belum dicek").first.get_by_role("link").click()
    expect(page.locator("#method")).to_be_visible()
    problems += _problems(page, "check form")
    page.locator("#method").select_option("visit")
    page.locator("#result").select_option("not_received")
    page.locator("#note").fill("Beras tidak sampai ke rumah.")
    page.locator("form.editor button").click()
    code = page.locator("[data-tracking-code]")
    expect(code).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$"))
    problems += _problems(page, "check recorded")
    assert_no_console_errors(page)
    assert problems == []
