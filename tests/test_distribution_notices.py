"""A broadcast to a distribution round reaches exactly the subscribed phones of the
households with aid still due in it (the invitation, the reminder the day before)."""

from __future__ import annotations

from sqlalchemy import select, update

from portal.distribution.models import Entitlement
from portal.extensions import db
from portal.notify.services import broadcasts
from tests.distribution_helpers import approved_round
from tests.notify_helpers import broadcast, messages, subscriber
from tests.test_notify_pages import _resident_of


def test_a_round_broadcast_reaches_the_households_with_aid_due(app, make_user):
    round_, version, operator, head = approved_round(make_user, households=60)
    due, collected = db.session.scalars(
        select(Entitlement.household_id).where(Entitlement.round_id == round_.id).limit(2)
    ).all()
    db.session.execute(
        update(Entitlement)
        .where(Entitlement.round_id == round_.id, Entitlement.household_id == collected)
        .values(status="collected")
    )
    db.session.commit()
    _resident_of(make_user, due, "+6281322220001")
    _resident_of(make_user, collected, "+6281322220002")
    for phone in ("+6281322220001", "+6281322220002"):
        subscriber(operator, phone, topics=("distribution",))
    subscriber(operator, "+6281322220003", topics=("distribution",))  # no household
    with app.test_request_context():
        item = broadcast(operator, topic="distribution", audience="round", audience_ref=round_.id)
    assert broadcasts.preview(item)["size"] == 1
    assert broadcasts.send(item.id, operator) == 1
    assert [m.recipient for m in messages(item.id)] == ["+6281322220001"]
