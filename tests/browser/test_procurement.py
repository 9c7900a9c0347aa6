"""Procurement in a real browser, CSRF on: an operator records a supplier (a missing RT
is shown beside the field), verifies it, starts a purchase for a CSR need, adds a line
and a quote with its PDF, orders it and records a delivery with its receipt; the public
pages show the year's figures as SVG bars with tables, in Indonesian and English, on a
360 px phone without serious axe violations, and also with JavaScript off."""

from __future__ import annotations

import time

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from portal.models_base import village_today
from tests.browser.conftest import PHONE

SERIOUS = {"serious", "critical"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
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


def _pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def test_supplier_purchase_delivery_and_the_public_figures(
    new_page, login_as, assert_no_console_errors
):
    stamp = int(time.time() * 1000) % 10**8
    name = f"Kelompok Tani Uji {stamp}"
    problems: list[str] = []
    page = new_page()
    login_as(page, "operator")

    # 1. A supplier in the village without an RT: refused beside the field, text kept.
    page.goto("/staf/pengadaan/pemasok/baru?lang=id")
    problems += _problems(page, "supplier form")
    page.locator("#name").fill(name)
    page.locator("#kind").select_option("producer_group")
    page.locator("#location").select_option("village")
    page.locator("#village_name").fill("Duri Selatan")
    page.locator("#rw").fill("2")
    page.locator("#sells").fill("Beras dan jagung")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#rt-error")).to_be_visible()
    expect(page.locator("#name")).to_have_value(name)
    problems += _problems(page, "supplier form with an error")
    page.locator("#rt").fill("3")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.get_by_role("button", name="Verifikasi").click()
    expect(page.locator(".tag", has_text="Terverifikasi")).to_be_visible()

    # 2. A purchase for a CSR need: a line, a quote with its PDF, the order.
    page.goto("/staf/pengadaan/pembelian/baru")
    page.locator("#title").fill(f"Beras lansia {stamp}")
    page.locator("#target").select_option(index=page.locator("#target option").count() - 1)
    page.get_by_role("button", name="Mulai draf").click()
    page.locator("#name").fill("Beras")
    page.locator("#unit").select_option("kg")
    page.locator("#quantity").fill("100")
    page.locator("#unit_price").fill("12.000")
    page.get_by_role("button", name="Tambah", exact=True).click()
    expect(page.get_by_role("cell", name="Beras", exact=True)).to_be_visible()
    quote = page.locator("form", has=page.locator("#document"))
    quote.locator("#supplier_id").select_option(label=name)
    quote.locator("#amount").fill("1.200.000")
    quote.locator("#document").set_input_files(_pdf("penawaran.pdf"))
    quote.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text(f"{name}: Rp")).to_be_visible()
    problems += _problems(page, "draft purchase")
    order = page.locator("form", has=page.locator("#method"))
    order.locator("#method").select_option("direct")
    order.locator("#supplier_id").select_option(label=name)
    order.locator("#reason").fill("Petani desa, harga wajar")
    order.get_by_role("button", name="Buat pesanan").click()
    expect(page.locator(".tag", has_text="Dipesan")).to_be_visible()
    po = page.get_by_role("link", name="PDF")
    assert page.request.get(po.get_attribute("href")).body().startswith(b"%PDF-")

    # 3. A delivery with its receipt; more than ordered is refused first.
    form = page.locator("form", has=page.locator("#receipt"))
    form.locator("#line_id").select_option(index=1)
    form.locator("#supplier_id").select_option(label=name)
    form.locator("#accepted").fill("120")
    form.locator("#receipt").set_input_files(_pdf("kuitansi.pdf"))
    form.get_by_role("button", name="Catat pengiriman").click()
    expect(page.locator("#accepted-error")).to_be_visible()
    form = page.locator("form", has=page.locator("#receipt"))
    form.locator("#accepted").fill("100")
    form.locator("#receipt").set_input_files(_pdf("kuitansi.pdf"))
    form.get_by_role("button", name="Catat pengiriman").click()
    expect(page.get_by_role("link", name="Kuitansi")).to_be_visible()
    problems += _problems(page, "ordered purchase")
    assert_no_console_errors(page)

    # 4. The public figures, both languages, and with JavaScript off.
    year = village_today().year
    visitor = new_page()
    for lang in ("id", "en"):
        visitor.goto(f"/pengadaan/tahun/{year}?lang={lang}")
        expect(visitor.locator("svg.pr-chart").first).to_be_visible()
        expect(visitor.locator("table").first).to_be_visible()
        problems += _problems(visitor, f"year page ({lang})")
    visitor.goto("/pengadaan/?lang=id")
    problems += _problems(visitor, "procurement index")
    quiet = new_page(java_script_enabled=False)
    quiet.goto(f"/pengadaan/tahun/{year}")
    expect(quiet.locator("svg.pr-chart").first).to_be_visible()
    expect(quiet.get_by_role("table", name="Belanja menurut lokasi pemasok")).to_contain_text(
        "Di desa"
    )
    assert problems == [], "\n".join(problems)
