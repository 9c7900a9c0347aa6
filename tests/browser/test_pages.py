"""Every public page, in both languages, on a 360 px phone: no serious accessibility
problem (axe-core) and no sideways scrolling.

With SCREENSHOTS=1 each page is also saved as a full-page screenshot in screenshots/
(git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from portal import ROOT

PAGES = [
    "home",
    "programmes",
    "programme",
    "announcements",
    "announcement",
    "meetings",
    "meeting",
    "partners",
    "search",
    "need",
    "calendar",
    "complaint-statistics",
    "monitoring",
    "monitoring-indicator",
    "monitoring-activity",
    "monitoring-evaluation",
    "login",
    "not-found",
]
LANGS = ["id", "en"]
SERIOUS = {"serious", "critical"}
PHONE_WIDTH = 360  # the viewport of the `page` fixture
SCREENSHOTS = Path(ROOT) / "screenshots"

_axe = Axe()


def _open(page, live_server, name: str, lang: str) -> None:
    path = live_server.paths[name]
    joiner = "&" if "?" in path else "?"
    response = page.goto(f"{path}{joiner}lang={lang}")
    assert response is not None
    assert response.status == (404 if name == "not-found" else 200), path
    page.wait_for_load_state("load")


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " / ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def _too_wide(page) -> list[str]:
    """The elements that stick out past the right edge of the phone, or whose content
    (a long word, a wide table) spills out of them."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > 360.5
                || (el.scrollWidth > el.clientWidth + 1
                    && getComputedStyle(el).overflowX === 'visible'))
            .slice(0, 8)
            .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                 + (typeof el.className === 'string' && el.className.trim()
                    ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))"""
    )


# One page load serves both checks (and the screenshot): loading and running axe is
# what costs time in this suite.
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", PAGES)
def test_public_page_on_a_phone(page, live_server, name, lang):
    """No axe-core violation of impact serious or critical, and no sideways scrolling
    at 360 px."""
    _open(page, live_server, name, lang)
    where = f"{live_server.paths[name]} ({lang})"
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}-{lang}.png", full_page=True)
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE_WIDTH:
        problems.append(f"{where} scrolls sideways: {width}px wide, because of {_too_wide(page)}")
    # A table of records is stacked into cards on a phone: it fits, nothing to scroll.
    stacked = page.evaluate(
        """() => [...document.querySelectorAll('table.stack')]
            .filter(t => t.parentElement.scrollWidth > t.parentElement.clientWidth + 1)
            .map(t => t.querySelector('caption')?.textContent || '?')"""
    )
    if stacked:
        problems.append(f"{where}: stacked tables wider than the phone: {stacked}")
    results = _axe.run(page)
    serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    if serious:
        problems.append(f"{where} has accessibility violations:\n{_describe(serious)}")
    assert not problems, "\n".join(problems)
