"""Complaints in a real browser: a resident files a complaint anonymously (with a photo)
on a 360 px phone, writes down the tracking code, and follows the complaint with it, in
Indonesian and in English; the public and staff complaint pages pass axe-core (no
serious or critical violation) and do not scroll sideways.
"""

from __future__ import annotations

import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.totp_helper import playwright_staff_login

SERIOUS = {"serious", "critical"}
_axe = Axe()

TEXT = {
    "id": {"received": "Pengaduan diterima", "error": "Pilih kategori."},
    "en": {"received": "Complaint received", "error": "Choose a category."},
}


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


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 120, 60)).save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_resident_files_anonymously_and_follows_with_the_code(page, lang, console_log):
    words = TEXT[lang]
    problems = []
    page.goto(f"/pengaduan?lang={lang}")
    problems += _problems(page, f"complaint form ({lang})")

    # Sent empty: the messages stand beside the fields, in the reader's language.
    page.locator("form.editor button[type=submit]").click()
    expect(page.locator("#category-error")).to_have_text(words["error"])
    expect(page.locator("#description-error")).to_be_visible()
    problems += _problems(page, f"complaint form with errors ({lang})")

    page.locator("#category").select_option("missed")
    page.locator("#description").fill("Paket sembako bulan ini belum sampai ke rumah kami di RT 2.")
    page.locator("#rt").fill("2")
    page.locator("#rw").fill("1")
    page.locator("#photo").set_input_files(
        {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
    )
    expect(page.locator("#identity-0")).to_be_checked()  # anonymous is the default
    page.locator("form.editor button[type=submit]").click()

    code = page.locator("#tracking-code").inner_text()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", code), code
    qr = page.locator("img.qr")
    expect(qr).to_be_visible()
    # Wait for the image itself (visible is true before its bytes arrive). No
    # string predicate for wait_for_function: when its first check fails,
    # Playwright polls it with eval(), which the page's CSP forbids.
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("img => img.naturalWidth") > 100
    problems += _problems(page, f"code page ({lang})")

    # Later, on the tracking form, typed in lower case as people do.
    page.goto(f"/pengaduan/lacak?lang={lang}")
    problems += _problems(page, f"tracking form ({lang})")
    page.locator("#kode").fill(code.lower())
    page.locator("form.search button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/pengaduan/" + code.replace("-", "") + r"$"))
    expect(page.locator("ol.complaint-steps")).to_contain_text(words["received"])
    problems += _problems(page, f"status page ({lang})")

    # A wrong code shows the plain "page not found".
    wrong = ("2" if code[0] != "2" else "3") + code.replace("-", "")[1:]
    response = page.goto(f"/pengaduan/{wrong}")
    assert response is not None and response.status == 404

    page.goto(f"/pengaduan/statistik?lang={lang}")
    problems += _problems(page, f"statistics ({lang})")
    assert not problems, "\n".join(problems)
    # Only the two answers asked for above: the form with errors (400), the wrong code (404).
    unexpected = [e for e in console_log.errors(page) if not re.search(r"status of (400|404) ", e)]
    assert not unexpected, unexpected


def test_staff_complaint_pages_on_a_phone(browser, base_url, live_server):
    context = browser.new_context(base_url=base_url, viewport=PHONE, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        username, password = live_server.logins["admin"]
        live_server.authenticators[username] = playwright_staff_login(
            page, live_server.url, username, password, live_server.authenticators.get(username)
        )
        problems = []
        for lang in ("id", "en"):
            page.goto(f"/staf/pengaduan/?lang={lang}")
            problems += _problems(page, f"staff list ({lang})")
            page.goto(f"/staf/pengaduan/?status=closed&lang={lang}")
            first = page.locator("main table a").first
            href = first.get_attribute("href")
            page.goto(f"{href}?lang={lang}")
            problems += _problems(page, f"closed complaint ({lang})")
            page.goto(f"/staf/pengaduan/?terlambat=1&lang={lang}")
            expect(page.locator("main table .tag-danger").first).to_be_visible()
            page.goto(page.locator("main table a").first.get_attribute("href") + f"?lang={lang}")
            # Closing without a resolution: the message beside the field.
            page.locator("form[action$='/tutup'] button[type=submit]").click()
            expect(page.locator("#resolution-error")).to_be_visible()
            problems += _problems(page, f"open complaint with an error ({lang})")
        assert not problems, "\n".join(problems)
    finally:
        context.close()
