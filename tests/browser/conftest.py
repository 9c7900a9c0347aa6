"""Browser tests: the real portal on a live server, driven by Debian's Chromium.

One server and one browser for the whole session (that keeps the suite fast); a fresh
browser context per test (so cookies, language and login never leak between tests).
The server runs the real configuration, CSRF included, on a migrated SQLite database
filled with the demo data.

Without Chromium the folder is skipped on a developer's machine, but fails in CI
(the CI variable is set there): a browser suite that silently skips proves nothing.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The phone the portal is designed for.
PHONE = {"width": 360, "height": 740}


def chromium_path() -> str | None:
    """Debian's Chromium, at its usual place or anywhere on PATH."""
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _in_this_folder(item: pytest.Item) -> bool:
    return Path(item.path).resolve().parent == HERE or HERE in Path(item.path).resolve().parents


def pytest_collection_modifyitems(config, items):
    # This hook sees every collected test of the run, so pick out our own.
    skip = None
    if chromium_path() is None and not os.environ.get("CI"):
        skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
    for item in items:
        if _in_this_folder(item):
            item.add_marker(pytest.mark.browser)
            if skip is not None:
                item.add_marker(skip)


@dataclass
class LiveServer:
    """The running portal: its address, the demo staff logins and a few real addresses."""

    url: str
    logins: dict[str, tuple[str, str]]
    paths: dict[str, str]
    # One authenticator app per staff account: the key is set up at the first login.
    authenticators: dict[str, object] = field(default_factory=dict)


def _prepare_app(instance: Path):
    from portal import create_app

    old = os.environ.get("PORTAL_INSTANCE")
    os.environ["PORTAL_INSTANCE"] = str(instance)
    try:
        return create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'portal.sqlite3'}",
                "RATELIMIT_STORAGE_URI": "sweeping-memory://",
                # Real settings otherwise: CSRF on, no TESTING shortcuts.
                "WTF_CSRF_ENABLED": True,
            }
        )
    finally:
        if old is None:
            os.environ.pop("PORTAL_INSTANCE", None)
        else:
            os.environ["PORTAL_INSTANCE"] = old


def _seed(app) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from portal.csr.models import Need
    from portal.csr.services import public_pledges_for_need
    from portal.devdata.village import seed
    from portal.extensions import db
    from portal.programmes.models import Programme
    from portal.public.models import Announcement, Meeting

    with app.app_context():
        upgrade()
        # A few households are enough: the browser suite looks at pages, not at volume.
        logins = {role: (username, password) for role, username, password in seed(30)}
        announcement = db.session.scalars(
            select(Announcement.id)
            .where(Announcement.published.is_(True))
            .order_by(Announcement.id)
        ).first()
        # A past meeting: it has minutes as well as an agenda, so more to look at.
        meeting = db.session.scalars(
            select(Meeting.id)
            .where(Meeting.published.is_(True), Meeting.minutes_id.is_not(None))
            .order_by(Meeting.id)
        ).first()
        slug = db.session.scalars(
            select(Programme.slug).where(Programme.published.is_(True)).order_by(Programme.id)
        ).first()
        # A village need with public pledges: their table is stacked on a phone.
        need = next(
            n.id
            for n in db.session.scalars(
                select(Need).where(Need.published.is_(True)).order_by(Need.id)
            )
            if public_pledges_for_need(n)
        )
        from portal.distribution.models import DistributionRound

        closed_round = db.session.scalars(
            select(DistributionRound.id).where(DistributionRound.status == "closed")
        ).first()
        db.session.remove()
    paths = {
        "home": "/",
        "programmes": "/program",
        "programme": f"/program/{slug}",
        "announcements": "/pengumuman",
        "announcement": f"/pengumuman/{announcement}",
        "meetings": "/musyawarah",
        "meeting": f"/musyawarah/{meeting}",
        "partners": "/mitra",
        "search": "/cari?q=pangan",
        "need": f"/csr/kebutuhan/{need}",
        "calendar": "/pelatihan/kalender",
        "complaint-statistics": "/pengaduan/statistik",
        "monitoring": "/pemantauan/",
        "monitoring-indicator": "/pemantauan/indikator/IDM",
        "monitoring-activity": "/pemantauan/kegiatan/1",
        "monitoring-evaluation": f"/pemantauan/evaluasi/putaran/{closed_round}",
        "login": "/masuk",
        "not-found": "/halaman-yang-tidak-ada",
        "reconciliation": f"/penyaluran/{closed_round}/rekonsiliasi",
    }
    return logins, paths


_RESPONSE = "tests.browser.response"


def _keeping_response(app):
    """The app, with each response iterable noted in the request's environ."""

    def wsgi(environ, start_response):
        response = app(environ, start_response)
        environ[_RESPONSE] = response
        return response

    return wsgi


class _Handler(WSGIRequestHandler):
    """Closes the response when the browser hangs up in the middle of it.

    Werkzeug's development server skips close() on that path, so a static file being
    sent (the favicon, say) stays open until garbage collection, whose ResourceWarning
    then fails whichever test happens to be running (CI saw it once).
    """

    def connection_dropped(self, error, environ=None):
        response = (environ or {}).pop(_RESPONSE, None)
        if response is not None and hasattr(response, "close"):
            response.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The portal on 127.0.0.1 at a free port, in a background thread, for the session."""
    from werkzeug.serving import make_server

    from portal.extensions import db

    instance = tmp_path_factory.mktemp("browser-instance")
    app = _prepare_app(instance)
    logins, paths = _seed(app)
    # One line per request would drown pytest's output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(
        "127.0.0.1", 0, _keeping_response(app), threaded=True, request_handler=_Handler
    )
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", logins, paths)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    """Headless Chromium, started once. A missing Chromium fails here (that is, in CI)."""
    path = chromium_path()
    if path is None:
        pytest.fail("Chromium is required for the browser tests in CI (apt-get install chromium)")
    browser = playwright_driver.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class ConsoleLog:
    """Errors a page wrote to the console or threw, per page, for `assert_no_console_errors`."""

    def __init__(self) -> None:
        self._errors: dict[int, list[str]] = {}

    def watch(self, page) -> None:
        errors = self._errors.setdefault(id(page), [])

        def on_console(message) -> None:
            if message.type == "error":
                where = message.location.get("url", "")
                errors.append(f"console error: {message.text} ({where})")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))

    def errors(self, page) -> list[str]:
        return list(self._errors.get(id(page), []))


@pytest.fixture
def console_log() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def new_page(browser, base_url, console_log) -> Iterator[Callable]:
    """Factory: new_page(**context_options) -> a page in a context of its own.

    Defaults: a 360 x 740 phone, Indonesian browser, JavaScript on. Relative
    addresses in page.goto() go to the live server. Console errors are collected.
    """
    contexts = []

    def make(**options):
        options.setdefault("viewport", PHONE)
        options.setdefault("locale", "id-ID")
        context = browser.new_context(base_url=base_url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        console_log.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A fresh phone-sized page (Indonesian browser) for each test."""
    return new_page()


@pytest.fixture
def assert_no_console_errors(console_log) -> Callable:
    """assert_no_console_errors(page): nothing logged as an error and nothing thrown."""

    def check(page) -> None:
        errors = console_log.errors(page)
        assert not errors, "errors in the browser console:\n" + "\n".join(errors)

    return check


@pytest.fixture
def login_as(live_server) -> Callable:
    """login_as(page, "operator"): log in through the real forms, second step included.

    The demo staff accounts have no second factor yet; the first login sets one up
    (reading the key off the page, as a person would type it into their phone) and
    later logins in the session reuse it.
    """
    from tests.totp_helper import playwright_staff_login

    def login(page, role: str):
        username, password = live_server.logins[role]
        live_server.authenticators[username] = playwright_staff_login(
            page,
            live_server.url,
            username,
            password,
            live_server.authenticators.get(username),
        )
        return username

    return login
