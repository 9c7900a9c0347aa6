"""Public pages in a real browser: languages, and the announcement search with and
without JavaScript."""

from __future__ import annotations

import re

from playwright.sync_api import expect

POSYANDU_ID = "Posyandu lansia pindah ke Poskesdes baru"
POSYANDU_EN = "Elderly health post moves to the new village clinic"
OTHER_ID = "Kerja bakti membersihkan saluran air"


def test_home_in_indonesian_by_default(page, assert_no_console_errors):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_contain_text("Bantuan sosial")
    expect(page.locator(".main-nav")).to_contain_text("Pengumuman")
    assert_no_console_errors(page)


def test_home_in_english(page, assert_no_console_errors):
    page.goto("/?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Social assistance")
    expect(page.locator(".main-nav")).to_contain_text("Announcements")
    assert_no_console_errors(page)


def test_language_switch_is_remembered(page, assert_no_console_errors):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.locator("nav.lang a[hreflang=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.lang [aria-current=true]")).to_have_text("EN")
    # The next page, reached by a plain link without ?lang=, stays in English.
    page.locator(".main-nav a[href='/program']").click()
    expect(page).to_have_url(re.compile(r"/program$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".main-nav [aria-current=page]")).to_have_text("Programmes")
    # And back again.
    page.locator("nav.lang a[hreflang=id]").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.locator(".main-nav a[href='/pengumuman']").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator(".main-nav [aria-current=page]")).to_have_text("Pengumuman")
    assert_no_console_errors(page)


def test_htmx_search_swaps_only_the_list(page, assert_no_console_errors):
    page.goto("/pengumuman")
    expect(page.locator("#announcement-list")).to_contain_text(OTHER_ID)
    # htmx is loaded and has wired the form before we type.
    page.wait_for_function("() => window.htmx !== undefined")
    # A full page load would wipe these; an htmx swap keeps them.
    page.evaluate("window.__portalMarker = 'still here'")
    heading = page.locator("h1").element_handle()
    page.evaluate("el => { el.dataset.marker = 'kept'; }", heading)

    with page.expect_response(lambda r: "q=posyandu" in r.url) as info:
        page.locator("#q").press_sequentially("posyandu", delay=20)
    response = info.value
    assert response.request.headers.get("hx-request") == "true"

    listing = page.locator("#announcement-list")
    expect(listing.locator(".card")).to_have_count(1)
    expect(listing).to_contain_text(POSYANDU_ID)
    expect(listing).not_to_contain_text(OTHER_ID)
    expect(page).to_have_url(re.compile(r"/pengumuman\?.*q=posyandu"))
    assert page.evaluate("window.__portalMarker") == "still here"
    assert page.evaluate("el => el.dataset.marker", heading) == "kept"
    # The fragment replaced the list's content only: one form, one heading, one list.
    expect(page.locator("form.filters")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("#announcement-list")).to_have_count(1)
    assert_no_console_errors(page)


def test_search_without_javascript_is_a_full_page(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/pengumuman?lang=en")
    expect(page.locator("#announcement-list")).to_contain_text(
        "Community clean-up of the drainage channels"
    )
    page.locator("#q").fill("posyandu")
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/pengumuman\?.*q=posyandu"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Announcements")
    listing = page.locator("#announcement-list")
    expect(listing.locator(".card")).to_have_count(1)
    expect(listing).to_contain_text(POSYANDU_EN)
    expect(listing).to_contain_text("1 announcement found.")
    # The form keeps what was typed.
    expect(page.locator("#q")).to_have_value("posyandu")
