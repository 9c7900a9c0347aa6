"""The invitation message goes out once per entitlement, even when several staff press
"send" at the same moment (threads with their own sessions; the round's row lock
serialises them, and each finds what the one before sent)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.distribution import services
from portal.distribution.models import Entitlement
from portal.extensions import db
from portal.models_base import utcnow
from portal.notify.models import OutboxMessage
from tests.distribution_helpers import approved_round

THREADS = 6


@pytest.mark.concurrency
def test_concurrent_sends_queue_each_invitation_once(app, make_user):
    round_, _, operator, _ = approved_round(make_user, households=30)
    first, second = db.session.scalars(select(Entitlement).order_by(Entitlement.id).limit(2)).all()
    for n, entitlement in enumerate((first, second)):
        user = make_user("resident", email=f"warga{n}@example.org")
        user.person_id, user.verification_status = entitlement.collector_id, "verified"
        user.verified_at = utcnow()
    db.session.commit()
    ids = (round_.id, operator.id)
    barrier = threading.Barrier(THREADS, timeout=60)
    outcomes: list[object] = []
    lock = threading.Lock()

    def run():
        with app.app_context():
            try:
                actor = db.session.get(User, ids[1])
                db.session.commit()
                barrier.wait()
                result: object = services.send_invitations(ids[0], actor=actor)
            except Exception as error:  # anything else fails the test
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    # End the main thread's read transaction: its snapshot predates the threads' writes.
    db.session.rollback()
    assert sorted(outcomes, key=str) == [0] * (THREADS - 1) + [2], outcomes
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
