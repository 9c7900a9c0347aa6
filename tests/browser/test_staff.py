"""A staff member at work in a real browser: log in, write and publish an
announcement, see it on the home page, log out. CSRF is on throughout."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_operator_publishes_an_announcement(page, login_as, assert_no_console_errors):
    title = "Pembagian benih jagung untuk kelompok tani"
    login_as(page, "operator")
    page.goto("/")
    # Logged in: the staff area shows in the menu, the footer offers to log out.
    expect(page.locator(".main-nav a[href='/staf/']")).to_be_visible()

    page.goto("/staf/pengumuman/baru?lang=id")
    page.locator("#title_id").fill(title)
    page.locator("#category").select_option("aid")
    page.locator("#body_id").fill("Benih jagung dibagikan di Balai Desa hari **Senin** pagi.")
    page.locator("form.editor button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staf/pengumuman/\d+$"))
    expect(page.locator(".tag-muted")).to_have_text("Draf")

    # Not public while it is a draft.
    page.goto("/")
    expect(page.locator("main")).not_to_contain_text(title)

    page.go_back()
    page.get_by_role("button", name="Terbitkan").click()
    expect(page.locator(".notice-success")).to_contain_text("diterbitkan")
    expect(page.locator(".tag-ok")).to_have_text("Diterbitkan")

    page.goto("/")
    card = page.locator(".card", has_text=title)
    expect(card).to_be_visible()
    card.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("main strong")).to_have_text("Senin")

    # Log out with the POST button in the footer.
    page.locator("footer form[action='/keluar'] button").click()
    expect(page.locator(".notice-info")).to_be_visible()
    expect(page.locator("footer")).to_contain_text("Masuk")
    expect(page.locator(".main-nav a[href='/staf/']")).to_have_count(0)
    # The staff area is closed again.
    page.goto("/staf/pengumuman/baru")
    expect(page).to_have_url(re.compile(r"/masuk"))
    assert_no_console_errors(page)
