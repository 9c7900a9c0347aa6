"""The post-distribution survey in a real browser, CSRF on, at 360 px, with JavaScript on
and off: a household types the code of its invitation to the demo's closed round (whose
evaluation links a survey), a missing answer is shown beside its question with the
other answers kept, then the answers are saved; the same code is refused beside the
code field. No serious axe violation and no sideways scrolling, in both languages."""

from __future__ import annotations

import sqlite3

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

SERIOUS = {"serious", "critical"}
_axe = Axe()


def _problems(page, where: str) -> list[str]:
    page.wait_for_load_state("load")
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{where} scrolls sideways: {width}px wide")
    for v in _axe.run(page).response["violations"]:
        if v.get("impact") in SERIOUS:
            problems.append(f"{where}: {v['id']} ({v['impact']}): {v['help']}")
    return problems


def _codes(tmp_path_factory) -> list[str]:
    """Two invitation codes of the demo's closed round, the last ones (no other test
    answers with them)."""
    found = sorted(tmp_path_factory.getbasetemp().glob("browser-instance*/portal.sqlite3"))
    assert found, "the live server's database was not found"
    with sqlite3.connect(str(found[0])) as conn:
        rows = conn.execute(
            "SELECT e.code FROM distribution_entitlement e "
            "JOIN distribution_round r ON r.id = e.round_id "
            "JOIN monitoring_evaluation v ON v.kind = 'round' AND v.ref = r.id "
            "WHERE r.status = 'closed' AND e.status <> 'cancelled' AND v.survey_id IS NOT NULL "
            "ORDER BY e.id DESC LIMIT 2"
        ).fetchall()
    assert len(rows) == 2, "the demo has no closed round with a survey"
    return [row[0] for row in rows]


def _answer(page, code: str, lang: str, problems: list[str], check: bool = True) -> None:
    """Answer with `code`; `check` runs axe and the width check (they need JavaScript)."""
    page.goto(f"/partisipasi/kode?lang={lang}")
    if check:
        problems += _problems(page, f"code form ({lang})")
    page.locator("#code").fill(code.lower())
    page.locator("form[action$='/partisipasi/kode'] button[type=submit]").click()
    questions = page.locator("form[action$='/partisipasi/kode/jawab']")
    expect(questions).to_be_visible()
    if check:
        problems += _problems(page, f"questions ({lang})")
    # Send with nothing chosen: every required question says so beside it.
    questions.locator("button[type=submit]").click()
    expect(page.locator(".field.has-error").first).to_be_visible()
    if check:
        problems += _problems(page, f"questions with errors ({lang})")
    form = page.locator("form[action$='/partisipasi/kode/jawab']")
    for fieldset in form.locator("fieldset").all():
        fieldset.locator("input").first.check()
    for box in form.locator("input[inputmode=numeric]").all():
        box.fill("2")
    form.locator("button[type=submit]").click()
    expect(page.locator(".notice-success")).to_be_visible()


def test_a_household_answers_with_its_code_with_and_without_javascript(new_page, tmp_path_factory):
    first, second = _codes(tmp_path_factory)
    problems: list[str] = []
    page = new_page()
    _answer(page, first, "id", problems)
    expect(page.get_by_text("Terima kasih")).to_be_visible()
    # The same invitation again: refused beside the code field, the code kept.
    page.locator("#code").fill(first)
    page.locator("form[action$='/partisipasi/kode'] button[type=submit]").click()
    questions = page.locator("form[action$='/partisipasi/kode/jawab']")
    for fieldset in questions.locator("fieldset").all():
        fieldset.locator("input").first.check()
    for box in questions.locator("input[inputmode=numeric]").all():
        box.fill("1")
    questions.locator("button[type=submit]").click()
    expect(page.locator("#code-error")).to_contain_text("sudah menjawab")
    expect(page.locator("#code")).to_have_value(first)
    problems += _problems(page, "refused code (id)")

    english = new_page(locale="en-US")
    english.goto("/partisipasi/kode?lang=en")
    problems += _problems(english, "code form (en)")
    plain = new_page(java_script_enabled=False, locale="en-US")
    _answer(plain, second, "en", problems, check=False)
    expect(plain.get_by_text("Thank you")).to_be_visible()
    assert problems == [], "\n".join(problems)
