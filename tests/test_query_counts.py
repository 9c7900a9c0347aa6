"""No page runs more SQL statements when it shows more rows (no N+1 queries).

The demo village is seeded, every GET page that answers HTML is fetched once, as the
first of a resident, a partner, a trainer, an operator and an admin that may open it
(ids 1, the demo's slugs and codes, as tests/test_valid_html.py walks them), and the
statements each sends to the database are counted with a SQLAlchemy event listener.
Then the village grows: about three times the announcements, meetings and partners, two
more published recipient-list periods, more CSR needs, companies and pledges, proposals,
a ballot, courses and households, with the audit entries that come with them; every page
is fetched again and must send exactly as many statements as before. A page that loads
something per row it shows fails here, naming the page and both counts.

Each page is fetched twice and the second count is the one compared: the first request
of a page may fill a per-worker cache (ballot results, rendered Markdown), which is
meant to save statements later, not on the first time.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import event, func, select

from portal.security import PUBLIC_ATTR, ROLES_ATTR
from tests.test_valid_html import _demo_user, _urls

ROLES = ("resident", "partner", "trainer", "operator", "admin")


@contextmanager
def counting(engine):
    """The statements sent through `engine` inside the block, as a list of SQL texts."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _client(app, user):
    from portal.accounts import staff_session

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        staff_session.mark_seen(session)
        if user.is_staff:
            staff_session.mark_verified(user, session)
    return client


def _pages(app, role: str) -> list[str]:
    def wanted(view):
        roles = getattr(view, ROLES_ATTR, None)
        return getattr(view, PUBLIC_ATTR, False) or (roles is not None and role in roles)

    return _urls(app, wanted)


def _plan(app) -> list[tuple[str, str]]:
    """Each page once, as the first role in ROLES that may open it (public pages as a
    resident), as bench/fresh.py measures them."""
    seen: dict[str, str] = {}
    for role in ROLES:
        for url in _pages(app, role):
            seen.setdefault(url, role)
    return sorted((role, url) for url, role in seen.items())


def _statements(app, clients, plan) -> dict[tuple[str, str], tuple[int, list[str]]]:
    """(role, url) -> the statements of the second of two requests, for HTML pages."""
    from portal.extensions import db, limiter

    # The complaint tracking pages are rate-limited per address: each walk starts with
    # fresh counters (RATELIMIT_ENABLED would switch the shared limiter off for the
    # tests that run after this one).
    limiter.reset()
    found = {}
    for role, url in plan:
        first = clients[role].get(url)
        if first.status_code != 200 or first.mimetype != "text/html":
            continue
        with counting(db.engine) as seen:
            again = clients[role].get(url)
        assert again.status_code == 200, (role, url)
        found[role, url] = (len(seen), list(seen))
    return found


def _grow() -> dict[str, int]:
    """About twice as many rows again of everything the pages list."""
    from portal.devdata import csr as csr_demo
    from portal.devdata import lists as lists_demo
    from portal.devdata import participation as participation_demo
    from portal.devdata import registry as registry_demo
    from portal.devdata import training as training_demo
    from portal.extensions import db
    from portal.models_base import utcnow, village_today
    from portal.public.models import Announcement, Meeting, Partner

    # Two more recipient-list periods, drawn, decided, approved and published by the
    # services (each its own transaction, so first).
    for years in (1, 2):
        assert lists_demo.seed(today=village_today() - timedelta(days=366 * years)) is not None
    now = utcnow()
    for model in (Announcement, Meeting, Partner):
        rows = db.session.scalars(select(model).order_by(model.id)).all()
        for n in range(2):
            for row in rows:
                copy = model(
                    **{
                        c.key: getattr(row, c.key)
                        for c in model.__table__.columns
                        if c.key not in ("id", "slug")
                    }
                )
                if model is Meeting:
                    copy.starts_at = row.starts_at + timedelta(days=n + 1)
                if model is Announcement:
                    copy.published_at = now - timedelta(days=n + 1)
                db.session.add(copy)
    csr_demo.generate(needs=12, pledges=60, companies=6, seed=5)
    participation_demo.bench_proposals(count=12, seed=5)
    participation_demo.bench_ballot(votes=40, seed=5)
    training_demo.seed()
    training_demo.seed()
    registry_demo.generate(60, seed=77)
    _more_arrival_checks(db, 12)
    _more_purchases(db)
    _more_text_questions(db)
    db.session.flush()
    _more_sponsors(db)
    db.session.commit()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Announcement, Meeting, Partner)
    }


def _more_arrival_checks(db, count: int) -> None:
    """More sampled households in the demo's rounds that have a sample (the sample page
    lists each with its entitlement and collector)."""
    from portal.distribution.models import ArrivalCheck, Entitlement

    for round_id in db.session.scalars(select(ArrivalCheck.round_id).distinct()).all():
        sampled = select(ArrivalCheck.entitlement_id)
        extra = db.session.scalars(
            select(Entitlement.id)
            .where(
                Entitlement.round_id == round_id,
                Entitlement.status == "collected",
                Entitlement.id.not_in(sampled),
            )
            .limit(count)
        ).all()
        db.session.add_all(ArrivalCheck(round_id=round_id, entitlement_id=e) for e in extra)


def _more_sponsors(db) -> None:
    """Each course sponsored by another company (the training list names the sponsor of
    each course)."""
    from portal.csr.models import Company
    from portal.training.models import Course

    companies = db.session.scalars(select(Company.id).order_by(Company.id)).all()
    courses = db.session.scalars(select(Course).order_by(Course.id)).all()
    for course, company_id in zip(courses, companies, strict=False):
        course.sponsor_company_id = company_id


def _more_text_questions(db) -> None:
    """Two more text questions in every survey (its staff page shows each text
    question's latest answers)."""
    from portal.participation.models import Survey, SurveyQuestion

    for survey_id in db.session.scalars(select(Survey.id)).all():
        for n in (1, 2):
            text = f"Saran lain {n}?"
            db.session.add(
                SurveyQuestion(
                    survey_id=survey_id, position=90 + n, kind="text", text_id=text, required=False
                )
            )


def _more_purchases(db) -> None:
    """Two more of the demo's round purchases (quotes, an order and a delivery each), and
    two more deliveries of the first purchase's delivered line, each with a return (the
    purchase page lists deliveries with their returns, the staff index and the public
    round page purchases with their suppliers and lines)."""
    from portal.devdata import procurement as procurement_demo
    from portal.models_base import utcnow, village_today
    from portal.procurement.models import DeliveryReturn, PurchaseDelivery, Supplier

    operator = procurement_demo._staff("operator")
    verified = select(Supplier).where(Supplier.status == "verified").order_by(Supplier.id)
    suppliers = db.session.scalars(verified).all()
    for _ in range(2):
        procurement_demo._round_purchase(suppliers, operator, village_today(), utcnow())
    first = db.session.scalars(select(PurchaseDelivery).order_by(PurchaseDelivery.id)).first()
    columns = [c.key for c in PurchaseDelivery.__table__.columns if c.key != "id"]
    for _ in range(2):
        again = PurchaseDelivery(**{key: getattr(first, key) for key in columns})
        db.session.add(again)
        db.session.flush()
        db.session.add(
            DeliveryReturn(
                delivery_id=again.id,
                quantity_milli=1_000,
                reason="Rusak",
                returned_on=village_today(),
                recorded_by_id=operator.id,
            )
        )


@pytest.fixture
def village(app):
    from portal.devdata.village import seed
    from portal.extensions import db

    assert seed(30) is not None
    db.session.commit()
    # Live ballot results are kept for PARTICIPATION_RESULTS_SECONDS per worker: with
    # the default (5 s) the second request of a page is served from them or not
    # depending on how fast the machine is, so the count would depend on time. None
    # kept: every request of an open ballot's page works them out.
    app.config["PARTICIPATION_RESULTS_SECONDS"] = 0
    return app


# Two walks of about 110 pages, four requests each, and the village seeded and grown:
# a minute on a quiet machine, several on a busy one (PostgreSQL).
@pytest.mark.timeout(900)
def test_no_page_sends_more_statements_when_it_shows_more_rows(village, make_user):
    app = village
    users = {role: _demo_user(role) for role in ("resident", "partner")}
    users["trainer"] = make_user("trainer")
    for role in ("operator", "admin"):
        users[role] = make_user(role)
    clients = {role: _client(app, user) for role, user in users.items()}

    plan = _plan(app)
    before = _statements(app, clients, plan)
    counts = _grow()
    after = _statements(app, clients, plan)

    # The walk reached the pages of every role, and the village really grew.
    assert {role for role, _url in before} == set(ROLES)
    assert len(before) >= 100, len(before)
    assert counts["Announcement"] >= 3 * 5, counts
    grown = []
    for key, (n, seen) in sorted(before.items()):
        if key not in after:
            continue
        m, seen_after = after[key]
        if m != n:
            extra = [s for s in seen_after if s not in seen][:3]
            grown.append(f"{key[0]} {key[1]}: {n} -> {m} statements; new: {extra}")
    assert grown == [], "\n".join(grown)
    # Every page seen before is seen again (none started failing as it grew).
    assert set(before) <= set(after), sorted(set(before) - set(after))


def test_the_count_sees_a_query_per_row(app, make_user):
    """The listener counts every statement: a loop of lookups shows up as one each."""
    from portal.accounts.models import User
    from portal.extensions import db

    ids = [make_user("resident").id for _ in range(3)]
    db.session.expire_all()
    with counting(db.engine) as seen:
        for pk in ids:
            db.session.execute(select(User.name).where(User.id == pk)).scalar_one()
    assert len(seen) == 3


def test_the_admins_account_list_sends_as_many_statements_for_more_staff(app, make_user):
    """/staf/pengguna shows each staff member's recovery codes left: counted for all in
    one statement (it was one statement per staff member)."""
    from portal.accounts import second_factor as twofa
    from portal.extensions import db

    def enrolled(role: str):
        user = make_user(role)
        secret = twofa.start_enrolment(user)
        db.session.commit()
        now = time.time()
        assert twofa.confirm_enrolment(user, pyotp.TOTP(secret).at(now), now) is not None
        return user

    admin = enrolled("admin")
    client = _client(app, admin)
    enrolled("operator")
    with counting(db.engine) as before:
        page = client.get("/staf/pengguna?lang=en").get_data(as_text=True)
    assert page.count("10 recovery codes left") == 2
    for role in ("operator", "operator", "auditor"):
        enrolled(role)
    make_user("trainer")  # not staff: no second step
    with counting(db.engine) as after:
        page = client.get("/staf/pengguna?lang=en").get_data(as_text=True)
    assert page.count("10 recovery codes left") == 5
    assert len(after) == len(before), after
