"""The staff search by word start through indexes (no reading of every person), the
shortest number prefix, the count of a page, and the per-household overlap query."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.models_base import village_today
from portal.registry import services
from portal.registry.services import Filters
from tests import factories
from tests.conftest import ENGINE
from tests.registry_helpers import household, person

TODAY = village_today()  # the services' today (WIB), also after 17:00 UTC
YEAR_START = date(TODAY.year, 1, 1)


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context("/?lang=en"):
        yield


def ids(q: str) -> list[int]:
    return [h.id for h in db.session.scalars(services.search_query(Filters(q=q)))]


def test_each_of_the_first_four_words_of_a_name_is_searched_from_its_start():
    home = household()
    person(home, "Siti Nur Aminah Binti Sulaiman Harahap", sex="female")
    for q in ("siti", "nur", "amin", "binti", "siti amin", "binti nur"):
        assert ids(q) == [home.id], q
    # Words match from their start, and only the first four words are indexed.
    assert ids("minah") == []
    assert ids("sulaiman") == []


def test_a_merged_record_is_not_found():
    first, second = household(), household(rt=2)
    keep = person(first, "Siti Juariyah", born=date(1950, 3, 4), sex="female")
    drop = person(second, "Hj. Siti Djoeariah", born=date(1950, 3, 4), sex="female")
    assert set(ids("juariah")) == {first.id, second.id}
    services.merge_persons(keep, drop, None, "Same woman")
    assert ids("juariah") == [first.id]


def test_a_number_needs_eight_digits_beyond_which_the_region_says_little():
    home = household(kk_number="1403092503100004")
    budi = person(home, "Budi Santoso")
    assert ids(budi.nik[:7]) == []  # the region code and one digit: everyone, so no one
    assert ids(budi.nik[:8]) == [home.id]
    assert ids("14030925") == [home.id]  # a KK number from its ninth digit on


def test_pages_count_what_was_found_with_or_without_a_second_query():
    homes = [household(rt=n) for n in range(1, 4)]
    for home in homes:
        person(home, "Rina Wati", sex="female")
    first = services.search_households(Filters(q="rina"), page=1, per_page=2)
    assert first.total == 3 and first.pages == 2 and len(first.items) == 2
    second = services.search_households(Filters(q="rina"), page=2, per_page=2)
    assert second.total == 3 and len(second.items) == 1
    few = services.search_households(Filters(q="rina"), page=1, per_page=25)
    assert few.total == 3 and few.pages == 1
    none = services.search_households(Filters(q="zzz"), page=1)
    assert none.total == 0 and none.items == []


@pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's query plan")
def test_the_name_search_uses_the_word_indexes_not_a_scan():
    home = household()
    person(home, "Siti Aminah", sex="female")
    stmt = services.search_query(Filters(q="amin"))
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = " ".join(row[3] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)).all())
    for index in ("ix_person_name_birth", "ix_person_name_word2", "ix_person_name_word4"):
        assert index in plan
    assert "SCAN person" not in plan


def test_overlaps_of_one_household_count_national_enrolments_of_its_members():
    health = factories.programme(slug="lansia", name_id="Lansia", aid_type="health")
    home, other = household(), household(rt=2)
    grandma = person(home, "Sumirah", born=date(1940, 1, 1), sex="female")
    person(other, "Paijo")
    services.enrol(home, health.id, YEAR_START, actor=None, person=grandma)
    services.add_external(None, "PBI", YEAR_START, actor=None, person=grandma)
    found = services.overlaps(home.id)
    assert [(o.household_id, o.aid_type) for o in found] == [(home.id, "health")]
    assert services.overlaps(other.id) == []
    # An enrolment recorded on another household counts there, not here.
    services.add_external(other, "PBI", YEAR_START, actor=None, person=grandma)
    assert len(services.overlaps(home.id)) == 1
    assert services.overlaps(other.id) == []


def test_the_result_list_shows_each_household_head_and_living_members():
    """The result list takes the head and the count of living members from plain rows
    (services.member_summaries): the same as Household.head and its members, also for
    a dead or merged head and a household without members."""
    from sqlalchemy import select

    from portal.devdata import registry as registry_demo
    from portal.registry.models import Household

    registry_demo.generate(40, seed=3)
    households = list(db.session.scalars(select(Household).order_by(Household.id)))
    with_head = [h for h in households if h.head is not None and len(h.members) > 1]
    with_head[0].head.status = "dead"
    with_head[1].head.merged_into_id = with_head[2].members[0].id
    households.append(household(rt=9, rw=9))
    db.session.flush()
    db.session.expire_all()

    found = services.member_summaries(households)
    for h in households:
        head = h.head
        living = [p for p in h.members if p.status == "alive" and p.merged_into_id is None]
        assert found[h.id] == services.MemberSummary(
            head.name if head else None, head.status if head else None, len(living)
        ), h.id
    assert found[with_head[0].id].head_status == "dead"


def test_the_list_page_reads_households_and_members_as_the_two_services_did():
    """households_page (one statement, the count inside it for the unfiltered list) gives
    the rows, totals and member summaries of search_households and member_summaries,
    with and without filters, on every page and past the last."""
    from portal.devdata import registry as registry_demo

    registry_demo.generate(40, seed=3)
    empty = household(rt=9, rw=9)  # no members
    db.session.flush()
    filters = [Filters(), Filters(rt=9), Filters(q="a"), Filters(rw=1), Filters(q="zzz")]
    for wanted in filters:
        for page, per_page in ((1, 25), (2, 25), (1, 7), (3, 7), (99, 7), (1, 500)):
            old = services.search_households(wanted, page=page, per_page=per_page)
            new, members = services.households_page(wanted, page=page, per_page=per_page)
            assert new.items == old.items, (wanted, page)
            assert new.total == old.total and new.pages == old.pages, (wanted, page)
            assert members == services.member_summaries(old.items), (wanted, page)
    _page, members = services.households_page(Filters(rt=9, rw=9))
    assert members[empty.id] == services.MemberSummary(None, None, 0)


def _plan(stmt, params) -> str:
    compiled = stmt.compile(db.engine)
    values = compiled.construct_params(params)
    ordered = tuple(values[name] for name in compiled.positiontup)
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), ordered)
    return " ".join(row[3] for row in rows)


@pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's query plan")
def test_the_warnings_page_reads_its_person_lists_from_indexes():
    from portal.registry.services import duplicates, enrolment_warnings

    home = household()
    person(home, "Siti Aminah", sex="female")
    # The NIK mismatches from the partial index, already in the page's order.
    nik = _plan(enrolment_warnings._nik_mismatch_statement(), {"limit": 200})
    assert "ix_person_nik_warning" in nik and "TEMP B-TREE" not in nik
    # The likely-duplicate pairs without reading a person's row (a covering index).
    pairs = _plan(duplicates._pair_count_statement(), {"limit": 200})
    assert pairs.count("USING COVERING INDEX ix_person_name_birth") == 2, pairs
