"""Every staff page an admin can reach by following links from /staf/, on a phone: no
sideways scrolling and no serious or critical axe-core violation. One page of each kind
(ids in the path count as one), so the walk stays under a minute."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe

SERIOUS = {"serious", "critical"}
SKIP = re.compile(r"\.(pdf|csv|xlsx|ics|json|svg|png)(\?|$)|/unduh|/ekspor|/keluar")
MAX_PAGES = 120

_axe = Axe()


def _kind(path: str) -> str:
    """/staf/registrasi/rumah-tangga/26?page=2 -> /staf/registrasi/rumah-tangga/N"""
    return re.sub(r"/\d+", "/N", path.split("?", 1)[0])


def test_every_kind_of_staff_page_fits_a_phone_and_passes_axe(new_page, login_as):
    page = new_page()
    login_as(page, "admin")
    queue, kinds, problems = ["/staf/"], set(), []
    while queue and len(kinds) < MAX_PAGES:
        path = queue.pop(0)
        if _kind(path) in kinds:
            continue
        kinds.add(_kind(path))
        response = page.goto(path)
        assert response is not None and response.status < 500, path
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            problems.append(f"{path} scrolls sideways: {width}px")
        for v in _axe.run(page).response["violations"]:
            if v.get("impact") in SERIOUS:
                problems.append(f"{path}: {v['id']} ({v['impact']}): {v['help']}")
        links = page.eval_on_selector_all(
            "main a[href^='/staf'], nav a[href^='/staf']",
            "els => els.map(e => e.getAttribute('href'))",
        )
        for href in links:
            href = href.split("#", 1)[0]
            if not SKIP.search(href) and _kind(href) not in kinds:
                queue.append(href)
    # Every staff area is reachable from the staff home (it once had no link to two).
    areas = {"/staf/" + k.split("/")[2] + "/" for k in kinds if k.count("/") > 2}
    for area in ("registrasi", "daftar-penerima", "partisipasi", "pelatihan", "csr"):
        assert any(a.startswith(f"/staf/{area}") for a in areas), f"no link to /staf/{area}"
    assert len(kinds) > 50, f"the walk reached only {sorted(kinds)}"
    assert not problems, "\n".join(problems)
