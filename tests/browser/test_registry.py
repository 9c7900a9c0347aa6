"""The recipient registry in a real browser: an operator imports a SIAK roster (preview,
then confirm) and finds the new household by typing part of a name; finds a household by
typing part of a name (htmx results as they type) and merges a likely duplicate; the
registry pages have no serious accessibility problem and no sideways scrolling on a
360 px phone.

The live server holds the demo village (portal.devdata.village.seed(30)), which always plants a
few likely duplicates.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from portal.registry.validation import make_nik
from tests.browser.conftest import PHONE
from tests.test_registry_import import serial, siak_row, xlsx_bytes
from tests.totp_helper import playwright_staff_login

SERIOUS = {"serious", "critical"}
LIST = "/staf/registrasi/duplikat"

_axe = Axe()


def _search_words(name: str) -> str:
    """Part of a name, as a person types it: the name without its last two letters."""
    return name.strip()[:-2]


def _first_pair(page) -> dict:
    """The first likely duplicate on the list: both names, the first one's household and
    the pair page's address."""
    card = page.locator("main .pairs > li").first
    records = card.locator("dd")
    return {
        "a": records.nth(0).locator("a").first.inner_text().strip(),
        "b": records.nth(1).locator("a").first.inner_text().strip(),
        "household": urlsplit(records.nth(0).locator("a").first.get_attribute("href")).path,
        "pair": urlsplit(card.locator(f"a[href^='{LIST}/']").get_attribute("href")).path,
    }


def _roster() -> bytes:
    """A SIAK export as the civil registry gives it: one family of three, numbers of a
    district the demo village does not use."""
    from datetime import date

    from tests.test_registry_import import SIAK_HEADER

    kk = "5271020101260001"
    head = make_nik("527102", date(1979, 3, 14), "male", 41)
    wife = make_nik("527102", date(1983, 6, 2), "female", 42)
    child = make_nik("527102", date(2012, 1, 30), "male", 43)
    rows = [
        SIAK_HEADER,
        siak_row(kk, head, "LALU BRATAWIJAYA", born=serial(date(1979, 3, 14)),
                 relation="Kepala Keluarga", marital="Kawin", rt=5.0, rw=2.0),
        siak_row(kk, wife, "BAIQ SUNDARI", born="02-06-1983", sex="Perempuan",
                 relation="Istri", marital="Kawin", rt=5.0, rw=2.0),
        siak_row(kk, child, "LALU ARYA", born=serial(date(2012, 1, 30)), rt=5.0, rw=2.0),
    ]  # fmt: skip
    return xlsx_bytes({"Sheet1": rows})


def test_operator_imports_a_roster_and_finds_the_household(
    page, login_as, assert_no_console_errors
):
    login_as(page, "operator")
    page.goto("/staf/registrasi/?lang=id")
    page.locator("main a[href='/staf/registrasi/impor/']").first.click()
    expect(page).to_have_url(re.compile(r"/staf/registrasi/impor/$"))
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    page.locator("#file").set_input_files(
        files=[{"name": "siak-rt5.xlsx", "mimeType": mime, "buffer": _roster()}]
    )
    page.locator("form[action$='/impor/'] button[type=submit]").click()

    # The preview: nothing is written yet.
    expect(page.locator("h1")).to_have_text("siak-rt5.xlsx")
    expect(page.locator(".notice").first).to_contain_text("belum ada yang disimpan")
    page.goto("/staf/registrasi/?q=BRATAWIJAYA&lang=id")
    expect(page.locator("#registry-results")).to_contain_text("0 rumah tangga ditemukan")
    page.go_back()

    page.locator("form[action$='/konfirmasi'] button[type=submit]").click()
    expect(page.locator(".notice-success").first).to_contain_text("Berhasil diimpor")

    # Typing part of the head's name finds the new household, as the operator types.
    page.goto("/staf/registrasi/?lang=id")
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator("#q").press_sequentially("lalu brataw", delay=40)
    result = page.locator("#registry-results a", has_text="LALU BRATAWIJAYA")
    expect(result).to_be_visible()
    result.click()
    expect(page.locator("main")).to_contain_text("BAIQ SUNDARI")
    expect(page.locator("main")).to_contain_text("005/002")
    assert_no_console_errors(page)


def test_operator_finds_a_household_by_name_and_merges_a_duplicate(
    page, login_as, assert_no_console_errors
):
    login_as(page, "operator")
    page.goto(f"{LIST}?lang=id")
    expect(page.locator("h1")).to_have_text("Kemungkinan data ganda")
    pair = _first_pair(page)

    # The registry search answers as the operator types, without loading a new page.
    page.goto("/staf/registrasi/?lang=id")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__portalMarker = 'still here'")
    words = _search_words(pair["a"])
    page.locator("#q").press_sequentially(words, delay=40)
    result = page.locator(f"#registry-results a[href='{pair['household']}']")
    expect(result).to_be_visible()
    # The address names the search by id; the words stay out of it (and of the history).
    expect(page).to_have_url(re.compile(r"[?&]cari="))
    assert "q=" not in page.url
    assert page.evaluate("window.__portalMarker") == "still here", "the whole page reloaded"

    # The household page warns of the duplicate and leads to the comparison.
    result.click()
    expect(page).to_have_url(re.compile(re.escape(pair["household"]) + r"$"))
    warnings = page.locator("section.warnings")
    expect(warnings).to_contain_text("mungkin orang yang sama")
    warnings.locator(f"a[href='{pair['pair']}']").click()
    expect(page).to_have_url(re.compile(re.escape(pair["pair"]) + r"$"))
    expect(page.locator("h1")).to_have_text("Bandingkan dua data")
    expect(page.locator(".compare")).to_contain_text(pair["a"])
    expect(page.locator(".compare")).to_contain_text(pair["b"])

    # Without a reason nothing happens, and the error sits beside the field.
    merge = page.locator("form[action$='/gabungkan']")
    merge.get_by_label(re.compile(r"^Pertahankan data 1:")).check()
    merge.get_by_role("button", name="Gabungkan data").click()
    expect(page.locator("#merge-reason-error")).to_have_text("Mohon isi alasannya.")
    expect(merge.get_by_label(re.compile(r"^Pertahankan data 1:"))).to_be_checked()

    merge.get_by_label("Alasan").fill("Orang yang sama: KK kedua rumah tangga sudah dicek.")
    merge.get_by_role("button", name="Gabungkan data").click()
    expect(page).to_have_url(re.compile(re.escape(LIST) + r"$"))
    expect(page.locator(".notice-success")).to_contain_text("telah digabungkan")
    expect(page.locator(f"main a[href='{pair['pair']}']")).to_have_count(0)
    assert_no_console_errors(page)


# ------------------------------------------------------------------ accessibility


@pytest.fixture(scope="module")
def admin_context(browser, base_url, live_server):
    """One logged-in admin for the page checks: one login, not one per page (the second
    step's codes are one per 30 seconds)."""
    context = browser.new_context(base_url=base_url, viewport=PHONE, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    username, password = live_server.logins["admin"]
    live_server.authenticators[username] = playwright_staff_login(
        page, live_server.url, username, password, live_server.authenticators.get(username)
    )
    page.close()
    yield context
    context.close()


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


def _too_wide(page) -> list[str]:
    """The elements that stick out past the right edge of the phone."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > 360.5)
            .slice(0, 8)
            .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                 + (typeof el.className === 'string' && el.className.trim()
                    ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))"""
    )


def _problems(page, where: str) -> list[str]:
    problems = []
    # After a form is sent, the new page's DOM can be read before its stylesheet has
    # loaded (a busy machine serves it late): measure the page as laid out.
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{where} scrolls sideways: {width}px wide, because of {_too_wide(page)}")
    results = _axe.run(page)
    serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    if serious:
        problems.append(f"{where} has accessibility violations:\n{_describe(serious)}")
    return problems


def _registry_paths(page) -> dict[str, str]:
    """Real addresses from the demo data: a name search, a household, a pair."""
    page.goto(f"{LIST}?lang=id")
    paths = {"duplicates": LIST}
    links = page.locator(f"main a[href^='{LIST}/']")
    if links.count():
        pair = _first_pair(page)
        paths["pair"] = pair["pair"]
        paths["household"] = pair["household"]
        paths["search"] = "/staf/registrasi/?q=" + _search_words(pair["a"]).replace(" ", "+")
    else:  # every planted pair was decided earlier in this session
        page.goto("/staf/registrasi/?lang=id")
        paths["household"] = urlsplit(
            page.locator("#registry-results a").first.get_attribute("href")
        ).path
        paths["search"] = "/staf/registrasi/?q=a"
    paths["registry"] = "/staf/registrasi/"
    paths["warnings"] = "/staf/registrasi/peringatan"
    return paths


@pytest.mark.parametrize("lang", ["id", "en"])
def test_registry_pages_on_a_phone(admin_context, lang):
    """Search, a household, the warnings, the duplicates list and a pair page (also with
    the errors of an empty form): no axe-core violation of impact serious or critical,
    and no sideways scrolling at 360 px."""
    page = admin_context.new_page()
    try:
        paths = _registry_paths(page)
        problems = []
        for name, path in paths.items():
            joiner = "&" if "?" in path else "?"
            response = page.goto(f"{path}{joiner}lang={lang}")
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("load")
            problems += _problems(page, f"{name} {path} ({lang})")
        if "pair" in paths:
            page.goto(f"{paths['pair']}?lang={lang}")
            page.locator("form[action$='/bukan-duplikat'] button[type=submit]").click()
            expect(page.locator("#different-reason-error")).to_be_visible()
            problems += _problems(page, f"pair page with an error ({lang})")
        assert not problems, "\n".join(problems)
    finally:
        page.close()


def test_food_formula_tables_scroll_in_a_labelled_region_without_breaking_words(page):
    """The public food programme page: each formula table sits in a focusable, named
    region, and no word in it is broken in the middle at 360 px."""
    page.goto("/program?lang=id")
    links = page.locator("main a[href^='/program/']")
    slugs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    food = None
    for href in slugs:
        page.goto(f"{href}?lang=id")
        if page.locator("#food-formula-title").count():
            food = href
            break
    assert food is not None, "no programme page shows the food formula"
    regions = page.locator("section[aria-labelledby='food-formula-title'] .table-wrap")
    assert regions.count() == 2
    for i in range(regions.count()):
        region = regions.nth(i)
        expect(region).to_have_attribute("tabindex", "0")
        expect(region).to_have_attribute("role", "region")
        assert region.get_attribute("aria-label")
    # A word broken in the middle makes a cell's text taller than one line per word
    # allows; compare each word's own width with the cell it sits in.
    broken = page.evaluate(
        """() => [...document.querySelectorAll(
                "section[aria-labelledby='food-formula-title'] td, "
                + "section[aria-labelledby='food-formula-title'] th")]
            .filter(cell => {
                const range = document.createRange();
                for (const node of cell.childNodes) {
                    if (node.nodeType !== Node.TEXT_NODE) continue;
                    const text = node.textContent;
                    let at = 0;
                    for (const word of text.split(/\\s+/)) {
                        const start = text.indexOf(word, at);
                        if (!word) continue;
                        range.setStart(node, start);
                        range.setEnd(node, start + word.length);
                        at = start + word.length;
                        if (range.getClientRects().length > 1) return true;
                    }
                }
                return false;
            })
            .map(cell => cell.textContent.trim())"""
    )
    assert broken == [], f"words broken in the middle: {broken}"
    assert not _problems(page, f"{food} (id)")
