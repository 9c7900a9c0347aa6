"""Once only, under concurrent requests: one decision per objection, one version per
approval, one entry per household and period (threads with their own sessions)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from portal.lists import services
from portal.lists.models import ListChange, ListEntry, ListObjection, ListVersion
from portal.registry.models import Household
from tests.test_lists import _decide, _period, published, village  # noqa: F401

THREADS = 8


def _race(app, work) -> list[str]:
    barrier = threading.Barrier(THREADS, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i):
        with app.app_context():
            try:
                barrier.wait()  # no connection is held while waiting
                work.act(work.prepare())
                result = "ok"
            except services.ListError:
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


class _Work:
    def __init__(self, prepare, act):
        self.prepare, self.act = prepare, act


@pytest.mark.concurrency
def test_an_objection_is_decided_once(app, village, make_user):  # noqa: F811
    period, version, _d, operator, _h = published(village, make_user)
    row = services.version_rows(version)[0]
    objection = services.file_objection(version, "remove", "Mampu", row_id=row.id)
    ids = (objection.id, operator.id)
    db.session.commit()

    def prepare():
        return db.session.get(ListObjection, ids[0]), db.session.get(User, ids[1])

    def act(prepared):
        item, actor = prepared
        services.decide_objection(item, "upheld", "Terbukti", actor=actor)

    outcomes = _race(app, _Work(prepare, act))
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == THREADS - 1, outcomes
    assert db.session.scalar(select(func.count()).select_from(ListChange)) == 1
    assert db.session.get(ListObjection, ids[0]).status == "upheld"


@pytest.mark.concurrency
def test_an_approval_is_published_once(app, village, make_user):  # noqa: F811
    operator, head = make_user("operator"), make_user("auditor")
    period = _period(village["cash"], operator)
    services.propose_draft(period, actor=operator)
    _decide(period, operator)
    services.approve(period, actor=head)
    ids = (period.id, operator.id)
    db.session.commit()

    def prepare():
        return services.get_period(ids[0]), db.session.get(User, ids[1])

    def act(prepared):
        item, actor = prepared
        services.publish(item, actor=actor)

    outcomes = _race(app, _Work(prepare, act))
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == THREADS - 1, outcomes
    assert db.session.scalar(select(func.count()).select_from(ListVersion)) == 1


@pytest.mark.concurrency
def test_a_household_is_added_once(app, village, make_user):  # noqa: F811
    operator = make_user("operator")
    period = _period(village["cash"], operator)
    household = db.session.scalar(
        select(Household.id).where(Household.need_level != "tidak_prioritas").limit(1)
    )
    ids = (period.id, operator.id)
    db.session.commit()

    def prepare():
        return services.get_period(ids[0]), db.session.get(User, ids[1])

    def act(prepared):
        item, actor = prepared
        services.add_household(item, household, "Hasil musyawarah", actor=actor)

    outcomes = _race(app, _Work(prepare, act))
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == THREADS - 1, outcomes
    assert db.session.scalar(select(func.count()).select_from(ListEntry)) == 1
    assert db.session.scalar(select(func.count()).select_from(ListChange)) == 1


@pytest.mark.concurrency
def test_a_list_is_approved_once(app, village, make_user):  # noqa: F811
    from portal.lists.models import ListApproval
    from portal.registry.models import Enrolment

    operator = make_user("operator")
    heads = [make_user("auditor"), make_user("admin")]
    period = _period(village["cash"], operator)
    services.propose_draft(period, actor=operator)
    _decide(period, operator)
    ids = (period.id, [h.id for h in heads])
    listed = services.active_count(period)
    enrolled_before = db.session.scalar(select(func.count()).select_from(Enrolment))
    db.session.commit()

    counter = iter(range(THREADS))
    pick = threading.Lock()

    def prepare():
        with pick:
            i = next(counter)
        return services.get_period(ids[0]), db.session.get(User, ids[1][i % 2])

    def act(prepared):
        item, actor = prepared
        services.approve(item, actor=actor)

    outcomes = _race(app, _Work(prepare, act))
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == THREADS - 1, outcomes
    assert db.session.scalar(select(func.count()).select_from(ListApproval)) == 1
    # The demo registry has enrolments of its own; the approval added one per household.
    enrolled = db.session.scalar(select(func.count()).select_from(Enrolment))
    assert enrolled == enrolled_before + listed
