"""Participation in a real browser on a 360 px phone: a resident signs up with a phone
number, verifies as a person of the demo registry (NIK, birth date, KK, mother's name), votes
(two taps: an option, then the button), changes the vote, and after the ballot closes
and its results are published sees them; in Indonesian and English, with no serious
accessibility problem and no sideways scrolling. Also with JavaScript off.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

SERIOUS = {"serious", "critical"}
_axe = Axe()

TEXT = {
    "id": {
        "browser": "id-ID",
        "phone": "0813-7777-0201",
        "saved": "Suara Anda tersimpan",
        "change": "Ubah pilihan saya",
        "final": "Hasil akhir",
    },
    "en": {
        "browser": "en-GB",
        "phone": "0813-7777-0202",
        "saved": "Your vote is saved",
        "change": "Change my vote",
        "final": "Final results",
    },
}


def _db(tmp_path_factory) -> str:
    found = sorted(tmp_path_factory.getbasetemp().glob("browser-instance*/portal.sqlite3"))
    assert found, "the live server's database was not found"
    return str(found[0])


def _stamp(value: datetime) -> str:
    # How SQLAlchemy keeps a DateTime in SQLite.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


@pytest.fixture(scope="module")
def setup(live_server, tmp_path_factory):
    """Two free adults of the demo registry (NIK, birth date, name) and, per language, an
    open ballot of its own with hidden results (so closing one does not touch the other)."""
    path = _db(tmp_path_factory)
    now = datetime.now(UTC)
    with sqlite3.connect(path) as conn:
        people = conn.execute(
            "SELECT p.nik, p.birth_date, p.name, h.kk_number, p.mother_name FROM person p "
            "JOIN household h ON h.id = p.household_id "
            "WHERE p.status = 'alive' AND p.merged_into_id IS NULL AND p.nik IS NOT NULL "
            "AND p.nik_warning IS NULL AND p.birth_date < '2005-01-01' "
            "AND p.id NOT IN (SELECT person_id FROM user_account WHERE person_id IS NOT NULL) "
            "ORDER BY p.id LIMIT 2"
        ).fetchall()
        ballots = {}
        for lang in ("id", "en"):
            cur = conn.execute(
                "INSERT INTO ballot (question_id, question_en, description_id, method, "
                "per_household, opens_at, closes_at, results_mode, created_at, updated_at) "
                "VALUES (?, ?, '', 'single', 0, ?, ?, 'hidden', ?, ?)",
                (
                    f"Prioritas uji {lang}",
                    f"Test priority {lang}",
                    _stamp(now - timedelta(hours=1)),
                    _stamp(now + timedelta(days=3)),
                    _stamp(now),
                    _stamp(now),
                ),
            )
            ballot_id = cur.lastrowid
            for position, (label_id, label_en) in enumerate(
                [("Jalan desa", "Village road"), ("Air bersih", "Clean water")]
            ):
                conn.execute(
                    "INSERT INTO ballot_option (ballot_id, position, label_id, label_en) "
                    "VALUES (?, ?, ?, ?)",
                    (ballot_id, position, label_id, label_en),
                )
            ballots[lang] = ballot_id
    assert len(people) == 2, "the demo registry has no free person to verify as"
    return {
        "path": path,
        "people": dict(zip(("id", "en"), people, strict=True)),
        "ballots": ballots,
    }


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


def _sign_up_and_verify(page, lang, person, phone):
    nik, born, name, kk, mother = person
    page.goto(f"/daftar?lang={lang}")
    page.fill("#name", name)
    page.fill("#phone", phone)
    page.fill("#password", "sandi rahasia desa")
    page.fill("#confirm", "sandi rahasia desa")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/akun/verifikasi$"))
    page.fill("#nik", nik)
    page.fill("#birth_date", born)
    page.fill("#kk_number", kk)
    page.fill("#mother_name", mother)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#verification-status")).to_be_visible()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_resident_votes_changes_and_sees_results(
    new_page, setup, lang, tmp_path, assert_no_console_errors
):
    t = TEXT[lang]
    ballot_id = setup["ballots"][lang]
    page = new_page(locale=t["browser"])
    _sign_up_and_verify(page, lang, setup["people"][lang], t["phone"])
    problems = []

    page.goto(f"/partisipasi/pemungutan/{ballot_id}?lang={lang}")
    problems += _problems(page, "ballot")
    # Two taps: an option, then the button; htmx swaps the answer in.
    page.locator(".pt-option").nth(0).click()
    page.locator(".pt-submit").click()
    expect(page.locator("#ballot-box .notice-success")).to_contain_text(t["saved"])
    expect(page.locator(".pt-submit")).to_have_text(t["change"])
    page.screenshot(path=tmp_path / f"participation-vote-{lang}.png", full_page=True)

    page.locator(".pt-option").nth(1).click()
    with page.expect_response(lambda r: r.url.endswith("/pilih")):
        page.locator(".pt-submit").click()
    expect(page.locator("#ballot-box .notice-success")).to_contain_text(t["saved"])
    page.reload()
    expect(page.locator(".pt-option input").nth(1)).to_be_checked()
    expect(page.locator(".pt-option input").nth(0)).not_to_be_checked()

    # The ballot closes and staff publish the final results.
    now = datetime.now(UTC)
    with sqlite3.connect(setup["path"]) as conn:
        conn.execute(
            "UPDATE ballot SET closes_at = ?, results_published_at = ? WHERE id = ?",
            (_stamp(now - timedelta(seconds=1)), _stamp(now), ballot_id),
        )
    page.goto(f"/partisipasi/pemungutan/{ballot_id}/hasil?lang={lang}")
    expect(page.locator("main h2")).to_have_text(t["final"])
    second = "Clean water" if lang == "en" else "Air bersih"
    expect(page.locator(".pt-results li", has_text=second)).to_contain_text("100%")
    problems += _problems(page, "results")
    page.screenshot(path=tmp_path / f"participation-results-{lang}.png", full_page=True)
    assert not problems, "\n".join(problems)
    assert_no_console_errors(page)


def test_overview_and_proposals_pass_axe(new_page, live_server):
    page = new_page()
    problems = []
    for url in ("/partisipasi/", "/partisipasi/usulan", "/partisipasi/usulan?lang=en"):
        page.goto(url)
        problems += _problems(page, url)
    page.locator(".pt-proposals a").first.click()
    expect(page).to_have_url(re.compile(r"/partisipasi/usulan/\d+$"))
    problems += _problems(page, "proposal")
    assert not problems, "\n".join(problems)


def test_proposals_work_with_javascript_off(new_page, live_server):
    # axe needs JavaScript, so this one only proves the pages and links work without it.
    page = new_page(java_script_enabled=False)
    page.goto("/partisipasi/usulan?lang=en")
    page.locator(".pt-proposals a").first.click()
    expect(page).to_have_url(re.compile(r"/partisipasi/usulan/\d+$"))
    expect(page.locator("#support-box")).to_contain_text("support")
