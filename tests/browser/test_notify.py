"""Messages from the village in a real browser: a resident subscribes on a 360 px phone
(without JavaScript's help: plain forms), types the code the office's outbox shows,
sees their own page and stops at once, in Indonesian and in English; the staff pages
of broadcasts, subscribers, outbox and posters pass axe-core (no serious or critical
violation) and do not scroll sideways.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.totp_helper import playwright_staff_login

SERIOUS = {"serious", "critical"}
_axe = Axe()

TEXT = {
    "id": {"error": "Pilih paling sedikit satu topik.", "stopped": "Berhenti"},
    "en": {"error": "Choose at least one topic.", "stopped": "Stopped"},
}
PHONES = {"id": "0812 7777 0101", "en": "0812 7777 0202"}
E164 = {"id": "+6281277770101", "en": "+6281277770202"}


def _problems(page, where: str) -> list[str]:
    problems = []
    # After a form is sent, the new page's DOM can be read before its stylesheet has
    # loaded (a busy machine serves it late): measure the page as laid out.
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{where} scrolls sideways: {width}px wide")
    results = _axe.run(page)
    serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    for v in serious:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:5]]
        problems.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']} {targets}")
    return problems


def _staff_page(browser, base_url, live_server):
    context = browser.new_context(base_url=base_url, viewport=PHONE, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    username, password = live_server.logins["admin"]
    live_server.authenticators[username] = playwright_staff_login(
        page, live_server.url, username, password, live_server.authenticators.get(username)
    )
    return context, page


def _code_from_the_outbox(staff, phone_digits: str) -> str:
    staff.goto("/staf/kabar/kotak-keluar")
    row = staff.locator("main table tr", has_text=phone_digits).first
    return re.search(r"\b(\d{6})\b", row.inner_text()).group(1)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_resident_subscribes_with_a_code_and_stops(
    browser, base_url, live_server, page, lang, console_log
):
    words = TEXT[lang]
    problems = []
    page.goto(f"/kabar/langganan?lang={lang}")
    problems += _problems(page, f"subscribe form ({lang})")

    # Sent without a topic: the message beside the group, what was typed kept.
    page.locator("#phone").fill(PHONES[lang])
    page.locator("form.editor button[type=submit]").click()
    expect(page.locator("#topics-error")).to_have_text(words["error"])
    expect(page.locator("#phone")).to_have_value(PHONES[lang])
    problems += _problems(page, f"subscribe form with an error ({lang})")

    page.locator("input[name=topics][value=meetings]").check()
    page.locator("input[name=topics][value=distribution]").check()
    page.locator("#rt").fill("3")
    page.locator("#rw").fill("2")
    page.locator("form.editor button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/kabar/langganan/kode"))
    problems += _problems(page, f"code form ({lang})")

    context, staff = _staff_page(browser, base_url, live_server)
    try:
        code = _code_from_the_outbox(staff, E164[lang])
    finally:
        context.close()
    page.locator("#code").fill(code)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/kabar/langganan/\d+-[0-9a-f]{24}$"))
    own = page.locator("main").inner_text()
    assert "7777" not in own  # the own page names no phone number
    problems += _problems(page, f"own page ({lang})")

    page.locator("form[action$='/berhenti'] button[type=submit]").click()
    expect(page.locator("main .tag").first).to_have_text(words["stopped"])
    expect(page.locator("form[action$='/berhenti']")).to_have_count(0)
    problems += _problems(page, f"stopped ({lang})")
    assert not problems, "\n".join(problems)
    unexpected = [e for e in console_log.errors(page) if not re.search(r"status of 400 ", e)]
    assert not unexpected, unexpected


def test_staff_notify_pages_on_a_phone(browser, base_url, live_server):
    context, page = _staff_page(browser, base_url, live_server)
    try:
        problems = []
        for lang in ("id", "en"):
            for path in (
                "/staf/kabar/",
                "/staf/kabar/pelanggan",
                "/staf/kabar/kotak-keluar",
                "/staf/kabar/poster",
            ):
                page.goto(f"{path}?lang={lang}")
                problems += _problems(page, f"{path} ({lang})")
            page.goto(f"/staf/kabar/?lang={lang}")
            page.goto(page.locator("main table a").first.get_attribute("href") + f"?lang={lang}")
            expect(page.locator("pre.message").first).to_be_visible()
            problems += _problems(page, f"a broadcast ({lang})")
            page.goto(f"/staf/kabar/baru?lang={lang}")
            page.locator("form.editor button[type=submit]").click()
            expect(page.locator(".error").first).to_be_visible()
            problems += _problems(page, f"new broadcast with errors ({lang})")
        assert not problems, "\n".join(problems)
        # A poster is a PDF.
        response = page.request.get("/staf/kabar/poster/complaints/1/a4.pdf")
        assert response.ok and response.body().startswith(b"%PDF")
    finally:
        context.close()
