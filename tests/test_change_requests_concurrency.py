"""No more than MAX_OPEN open requests per household, under concurrent requests
(threads with their own sessions, on SQLite and PostgreSQL), and a request decided
once when two operators press at the same moment."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from portal.registry.change_requests import services
from portal.registry.change_requests.models import MAX_OPEN, ChangeRequest
from portal.registry.models import Household
from tests.change_request_helpers import family, verified_resident

THREADS = 8


def _race(app, act) -> list[str]:
    barrier = threading.Barrier(THREADS, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i):
        with app.app_context():
            try:
                barrier.wait()
                act(i)
                result = "ok"
            except services.ChangeRequestError:
                result = "refused"
            except Exception as error:  # anything else fails the test
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    db.session.expire_all()
    return outcomes


@pytest.mark.concurrency
def test_no_more_than_the_limit_of_open_requests_at_once(app, make_user):
    home, head, _w, _c = family()
    resident = verified_resident(make_user, head)
    ids = (home.id, resident.id)
    db.session.commit()

    def act(i):
        household = db.session.get(Household, ids[0])
        user = db.session.get(User, ids[1])
        data = {"name": f"Bayi {i}", "sex": "male", "birth_date": date(2026, 11, 1)}
        services.file_request(household, "birth", data, resident=user, filed_by=user)

    outcomes = _race(app, act)
    assert outcomes.count("ok") == MAX_OPEN, outcomes
    assert outcomes.count("refused") == THREADS - MAX_OPEN, outcomes
    count = select(func.count()).where(ChangeRequest.household_id == ids[0])
    assert db.session.scalar(count) == MAX_OPEN


@pytest.mark.concurrency
def test_a_request_is_accepted_once(app, make_user):
    home, head, wife, _c = family()
    resident = verified_resident(make_user, head)
    item = services.file_request(
        home,
        "birth",
        {"name": "Bayi", "sex": "female", "birth_date": date(2026, 11, 2)},
        resident=resident,
        filed_by=resident,
    )
    operator = make_user("operator")
    ids = (item.id, operator.id, home.id)
    members = len(home.members)
    db.session.commit()

    def act(_i):
        services.accept(ids[0], actor=db.session.get(User, ids[1]))

    outcomes = _race(app, act)
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == THREADS - 1, outcomes
    assert len(db.session.get(Household, ids[2]).members) == members + 1  # one baby, not 8
