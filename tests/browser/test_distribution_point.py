"""An officer at a distribution point on a phone (360 px): finds an invitation by its
typed code and records the handover; then opens the offline app, loses the signal
(the browser context goes offline), records a handover on the phone, gets the signal
back, and the handover is in the database once. axe-core checks on the pages."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

SERIOUS = {"serious", "critical"}
_axe = Axe()


@pytest.fixture(scope="module")
def portal_db(live_server, tmp_path_factory):
    """An app on the live server's database, to set the scene."""
    from portal import create_app

    base = tmp_path_factory.getbasetemp()
    instance = max(base.glob("browser-instance*"), key=lambda p: p.stat().st_mtime)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance) / 'portal.sqlite3'}",
            "RATELIMIT_STORAGE_URI": "sweeping-memory://",
        }
    )
    yield app
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose()


def _scene(app):
    """An open round on the demo's published list: (round id, point id, day, two
    entitlements (id, code) due at that point on that day)."""
    from sqlalchemy import select, update

    from portal.accounts.models import User
    from portal.distribution import services
    from portal.distribution.models import DistributionRound, Entitlement
    from portal.extensions import db
    from portal.lists import queries
    from portal.lists.models import ListVersion
    from portal.models_base import village_today

    with app.app_context():
        operator = db.session.scalar(select(User).where(User.username == "operator"))
        head = db.session.scalar(select(User).where(User.username == "bpd"))
        version = db.session.scalars(select(ListVersion).order_by(ListVersion.id.desc())).first()
        today = village_today()
        round_ = services.create_round(
            version_id=version.id,
            title_id="Penyaluran uji peramban",
            starts_on=today,
            ends_on=today + timedelta(days=1),
            cash_amount=300_000,
            actor=operator,
        )
        point = services.add_point(
            round_.id,
            name="Balai RW 1",
            opens_at=time(8),
            closes_at=time(16),
            actor=operator,
        )
        places = sorted({(h.rw, h.rt) for h in queries.listed_households(version.id)}, key=str)
        for n, (rw, rt) in enumerate(places):
            services.add_slot(
                round_.id,
                point_id=point.id,
                rt=rt,
                rw=rw,
                day=today,
                starts_at=time(8 + n % 6),
                ends_at=time(9 + n % 6),
                actor=operator,
            )
        services.add_item(
            round_.id, name_id="Beras", name_en="Rice", unit="kg", quantity="10", actor=operator
        )
        services.approve(round_.id, actor=head)
        db.session.execute(
            update(DistributionRound).where(DistributionRound.id == round_.id).values(status="open")
        )
        db.session.commit()
        due = db.session.scalars(
            select(Entitlement)
            .where(Entitlement.round_id == round_.id, Entitlement.collector_id.is_not(None))
            .order_by(Entitlement.id)
        ).all()[:2]
        ids = (round_.id, point.id, today.isoformat(), [(e.id, e.code) for e in due])
        db.session.remove()
    return ids


def _handovers(app, entitlement_id: int) -> list:
    from sqlalchemy import select

    from portal.distribution.models import Handover
    from portal.extensions import db

    with app.app_context():
        rows = db.session.execute(
            select(Handover.id, Handover.client_id).where(Handover.entitlement_id == entitlement_id)
        ).all()
        db.session.remove()
    return rows


def _decode_in_page(page, code: str) -> str | None:
    import segno

    image = segno.make(code, error="m").png_data_uri(scale=6, border=4)
    return page.evaluate(
        """(src) => new Promise((resolve) => {
            const img = new Image();
            img.onload = () => {
                const canvas = document.createElement("canvas");
                canvas.width = img.width;
                canvas.height = img.height;
                const ctx = canvas.getContext("2d");
                ctx.drawImage(img, 0, 0);
                const data = ctx.getImageData(0, 0, img.width, img.height);
                const found = window.jsQR(data.data, data.width, data.height);
                resolve(found ? found.data : null);
            };
            img.src = src;
        })""",
        image,
    )


def _problems(page, where: str) -> list[str]:
    problems = []
    # After a form is sent, the new page's DOM can be read before its stylesheet has
    # loaded (a busy machine serves it late): measure the page as laid out.
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{where} scrolls sideways ({width}px)")
    for v in _axe.run(page).response["violations"]:
        if v.get("impact") in SERIOUS:
            problems.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']}")
    return problems


def test_officer_hands_over_online_and_offline(
    new_page, portal_db, login_as, assert_no_console_errors
):
    round_id, point_id, day, due = _scene(portal_db)
    (first_id, first_code), (second_id, second_code) = due
    page = new_page(locale="en-US")
    login_as(page, "officer")
    # An officer lands on the point pages, not on the staff dashboard.
    assert page.url.endswith("/petugas/"), page.url
    problems = []

    # Online, without the offline app: type the code, record the handover.
    page.goto("/petugas/?lang=en")
    problems += _problems(page, "officer home")
    page.goto(f"/petugas/{round_id}/{point_id}")
    problems += _problems(page, "point page")
    # The vendored jsQR reads the invitation's QR code (as segno draws it for the PDF)
    # from a picture, as it reads the camera's frames.
    assert _decode_in_page(page, first_code) == first_code
    page.fill("input[name=q]", first_code.replace("-", " ").lower())
    page.click("#find-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Handover")
    problems += _problems(page, "handover form")
    page.click("form.editor button[type=submit]")
    expect(page.locator(".notice-success")).to_be_visible()
    assert len(_handovers(portal_db, first_id)) == 1

    # The offline app: roster downloaded, then no signal.
    page.goto(f"/petugas/{round_id}/{point_id}/luring?hari={day}")
    expect(page.locator("#offline-status")).to_contain_text("Roster on this phone")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function(
        'caches.open("petugas-v1").then(c => c.match(location.href)).then(Boolean)'
    )
    problems += _problems(page, "offline app")
    page.context.set_offline(True)
    # Without a signal the page still opens: the service worker kept it, the roster
    # is on the phone.
    page.reload()
    expect(page.locator("#offline-status")).to_contain_text("Roster on this phone")
    page.fill("#offline-q", second_code)
    page.locator("#offline-results button").first.click()
    page.click("#offline-form button[type=submit]")
    expect(page.locator("#offline-pending")).to_contain_text("Waiting to be sent: 1")
    assert _handovers(portal_db, second_id) == []

    # The signal returns: the batch goes, once.
    page.context.set_offline(False)
    expect(page.locator("#offline-pending")).to_have_text(
        "Everything recorded is sent.", timeout=15_000
    )
    stored = _handovers(portal_db, second_id)
    assert len(stored) == 1 and stored[0].client_id
    assert not problems, "\n".join(problems)
    assert_no_console_errors(page)
