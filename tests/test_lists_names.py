"""The names on the recipient-list staff pages (the working list, the rule check)."""

from __future__ import annotations

from sqlalchemy import select

from portal.devdata import registry as registry_demo
from portal.extensions import db
from portal.lists import services
from portal.registry.models import Household


def test_the_names_on_the_list_pages_are_recipient_names(app):
    """The working list and the rule check take the names from plain member rows
    (services.recipient_names), not from every member as an object: the same name as
    recipient_name, also for a dead or merged head, nobody living, and no member."""
    registry_demo.generate(120, seed=7)
    households = list(db.session.scalars(select(Household).order_by(Household.id)))
    with_head = [h for h in households if h.head is not None and len(h.members) > 1]
    dead_head, merged_head, nobody_living = with_head[:3]
    dead_head.head.status = "dead"
    merged_head.head.merged_into_id = with_head[3].members[0].id
    for member in nobody_living.members:
        member.status = "moved"
    empty = Household(rt=1, rw=1, address="Jl. Kosong")
    db.session.add(empty)
    db.session.flush()
    households.append(empty)
    db.session.expire_all()

    names = services.recipient_names([h.id for h in households])
    assert names == {h.id: services.recipient_name(h) for h in households}
    assert names[empty.id] == ""
