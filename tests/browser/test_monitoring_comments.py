"""Comments on an activity in a real browser, CSRF on, at 360 px: the public activity page
shows the demo residents' comments; an operator hides one from /staf/pemantauan/komentar
(an empty reason is refused beside the field) and the public page shows the reason in
its place; no serious axe violation and no sideways scrolling, with JavaScript on or off."""

from __future__ import annotations

import sqlite3

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

SERIOUS = {"serious", "critical"}
_axe = Axe()


def _problems(page, where: str) -> list[str]:
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{where} scrolls sideways: {width}px wide")
    for v in _axe.run(page).response["violations"]:
        if v.get("impact") in SERIOUS:
            problems.append(f"{where}: {v['id']} ({v['impact']}): {v['help']}")
    return problems


def _first_comment(tmp_path_factory) -> tuple[int, int, str]:
    found = sorted(tmp_path_factory.getbasetemp().glob("browser-instance*/portal.sqlite3"))
    assert found, "the live server's database was not found"
    with sqlite3.connect(str(found[0])) as conn:
        row = conn.execute(
            "SELECT id, activity_id, body FROM monitoring_comment WHERE hidden_at IS NULL "
            "ORDER BY id LIMIT 1"
        ).fetchone()
    assert row, "the demo has no comment on an activity"
    return row


def test_an_operator_hides_a_comment_and_the_public_page_shows_why(
    new_page, login_as, tmp_path_factory, assert_no_console_errors
):
    comment_id, activity_id, body = _first_comment(tmp_path_factory)
    problems: list[str] = []
    visitor = new_page()
    visitor.goto(f"/pemantauan/kegiatan/{activity_id}?lang=id")
    expect(visitor.get_by_text(body)).to_be_visible()
    problems += _problems(visitor, "activity page")

    page = new_page()
    login_as(page, "operator")
    page.goto("/staf/pemantauan/komentar?lang=id")
    problems += _problems(page, "moderation page")
    form = page.locator(f"form[action$='/komentar/{comment_id}/sembunyikan']")
    form.get_by_role("button").click()
    expect(page.locator(f"#c{comment_id}-reason-error")).to_be_visible()
    page.locator(f"#c{comment_id}-reason").fill("Menyebut nama tetangga")
    page.locator(f"form[action$='/komentar/{comment_id}/sembunyikan']").get_by_role(
        "button"
    ).click()
    expect(page.get_by_text("Komentar disembunyikan.")).to_be_visible()

    visitor.goto(f"/pemantauan/kegiatan/{activity_id}?lang=en&fresh=1")
    expect(visitor.get_by_text("Menyebut nama tetangga")).to_be_visible()
    expect(visitor.get_by_text(body)).to_have_count(0)
    assert problems == [], "\n".join(problems)
    assert_no_console_errors(visitor)  # the operator's page logged the refused 422
