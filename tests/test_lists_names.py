"""The names on the recipient-list staff pages (the working list, the rule check)."""

from __future__ import annotations

from sqlalchemy import select

from portal.devdata import registry as registry_demo
from portal.extensions import db
from portal.lists import services
from portal.lists.models import ListEntry
from portal.lists.services import period_page
from portal.models_base import utcnow
from portal.registry.models import Household
from tests import factories
from tests.test_lists import _period


def _households_of_every_kind() -> list[Household]:
    """The demo's households, one with a dead head, one with a merged head (and a second
    head living), one with nobody living, one with no member, one whose oldest living
    member's birth date is unknown and one with two living members born the same day."""
    registry_demo.generate(120, seed=7)
    households = list(db.session.scalars(select(Household).order_by(Household.id)))
    with_head = [h for h in households if h.head is not None and len(h.members) > 1]
    dead_head, merged_head, nobody_living = with_head[:3]
    dead_head.head.status = "dead"
    merged_head.head.merged_into_id = with_head[3].members[0].id
    for member in nobody_living.members:
        member.status = "moved"
    merged_head.members[-1].relation = "head"
    unknown_birth, same_day = with_head[4], with_head[5]
    unknown_birth.head.status = "dead"
    unknown_birth.members[-1].birth_date = None
    same_day.head.status = "moved"
    for member in same_day.members[1:]:
        member.birth_date = same_day.members[1].birth_date
    empty = Household(rt=1, rw=1, address="Jl. Kosong")
    db.session.add(empty)
    db.session.flush()
    households.append(empty)
    db.session.expire_all()
    return households


def test_the_names_on_the_list_pages_are_recipient_names(app):
    """The working list and the rule check take the names from plain member rows
    (services.recipient_names), not from every member as an object: the same name as
    recipient_name, also for a dead or merged head, nobody living, and no member."""
    households = _households_of_every_kind()
    empty = households[-1]

    names = services.recipient_names([h.id for h in households])
    assert names == {h.id: services.recipient_name(h) for h in households}
    assert names[empty.id] == ""


def test_the_working_list_pages_name_each_household_as_recipient_name(app, make_user):
    """A page of the working list finds each household's name in its one statement (a row
    a household, the name worked out by the database): recipient_name's, page by page."""
    households = _households_of_every_kind()
    period = _period(factories.programme(slug="blt", aid_type="cash"), make_user("operator"))
    db.session.execute(
        ListEntry.__table__.insert(),
        [
            dict(
                period_id=period.id,
                household_id=h.id,
                active=True,
                source="rule",
                added_at=utcnow(),
            )
            for h in households
        ],
    )
    db.session.commit()
    expected = {h.id: services.recipient_name(h) for h in households}
    found: dict[int, str] = {}
    for page in (1, 2, 3):
        pagination, names = period_page.named_entries_page(period.id, page, 50)
        assert pagination.total == len(households)
        assert list(names) == [e[0] for e in pagination.items]  # EntryRow order
        found.update(names)
    assert found == expected
    assert period_page.named_entries_page(period.id, 4, 50)[0].total == len(households)
