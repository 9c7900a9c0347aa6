"""Registry services: people and NIKs, moves, KK history, duplicates, overlaps, stale
enrolments, merging, search."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.models_base import village_today
from portal.registry import services
from portal.registry.models import (
    DuplicateDecision,
    Enrolment,
    ExternalEnrolment,
    Household,
    KKNumber,
    Membership,
    Person,
)
from portal.registry.services import Filters, normalise_name
from tests import factories
from tests.registry_helpers import household, person

TODAY = village_today()  # the services' today (WIB), also after 17:00 UTC
YEAR_START, YEAR_END = date(TODAY.year, 1, 1), date(TODAY.year, 12, 31)


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context("/?lang=en"):
        yield


def audit(action, object_type=None):
    stmt = select(AuditEntry).where(AuditEntry.action == action)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    return list(db.session.scalars(stmt.order_by(AuditEntry.id)))


# ------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hj. Siti Djoeariah, S.Pd.", "Siti Juariyah"),
        ("Drs. H. Moch. Tjiptono", "Muhammad Ciptono"),
        ("BAPAK  SOEKARNO", "Sukarno"),
        ("Ibu Nyoman Sujati", "Nyoman Soejati"),
        ("Jusuf Abdullah", "Yusuf Abdulah"),
        ("Ny. Tjut Nja Dhien", "Cut Nya Dhien"),
    ],
)
def test_spelling_variants_and_titles_normalise_alike(a, b):
    assert normalise_name(a) == normalise_name(b)


def test_different_names_stay_different():
    assert normalise_name("Siti Aminah") != normalise_name("Siti Rahmah")
    assert normalise_name("  Agus   Salim ") == "agus salim"


# ------------------------------------------------------------------ people


def test_new_household_and_person_are_scored_and_audited():
    home = household(kk_number="3201012503100004", desil=1)
    head = person(home, "Budi Santoso")
    db.session.refresh(home)
    assert home.need_level == "sangat_miskin" and home.score == 20
    assert head.memberships[0].end_date is None and head.memberships[0].household_id == home.id
    created = audit("create", "household")[0]
    assert created.after["kk_number"] == "3201********0004"  # masked in the log
    assert audit("create", "person")[0].after["nik"].count("*") == 8


def test_bad_nik_is_refused_with_a_message_and_nothing_is_saved():
    home = household()
    _p, errors, _w = services.save_person(
        None,
        {"name": "Ani", "sex": "female", "relation": "head", "nik": "3201013102900001"},
        actor=None,
        household=home,
    )
    assert "does not exist" in str(errors["nik"])
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_nik_mismatch_is_saved_with_a_warning():
    home = household()
    item, errors, warnings = services.save_person(
        None,
        {
            "name": "Ani",
            "sex": "female",
            "relation": "head",
            "nik": "3201015708900002",
            "birth_date": date(1991, 8, 17),
        },
        actor=None,
        household=home,
    )
    assert errors == {} and len(warnings) == 1
    assert item.nik_warning == "birth_date"
    assert services.nik_mismatches() == [(item.id, item.name, item.household_id)]


def test_same_nik_twice_is_refused_by_the_database_even_in_two_households():
    first, second = household(), household(rt=2)
    someone = person(first, "Budi Santoso")
    db.session.commit()
    db.session.add(
        Person(
            nik=someone.nik, name="Budi S.", name_norm="budi s", sex="male", household_id=second.id
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # The service says so beside the field instead.
    _p, errors, _w = services.save_person(
        None,
        {"name": "Budi S.", "sex": "male", "relation": "head", "nik": someone.nik},
        actor=None,
        household=second,
    )
    assert "already has this NIK" in str(errors["nik"])


def test_one_household_at_a_time_is_a_database_rule():
    first, second = household(), household(rt=2)
    someone = person(first, "Budi Santoso")
    db.session.add(Membership(person_id=someone.id, household_id=second.id, start_date=TODAY))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_moves_are_recorded_not_overwritten():
    first, second = household(), household(rt=2)
    person(first, "Budi Santoso")
    child = person(first, "Rina", born=date(2000, 2, 3), sex="female", relation="child")
    services.move_person(child, second, actor=None, relation="wife", reason="marriage", on=TODAY)
    stays = sorted(child.memberships, key=lambda m: m.id)
    assert [(m.household_id, m.end_date is None) for m in stays] == [
        (first.id, False),
        (second.id, True),
    ]
    assert stays[0].end_reason == "moved_out" and stays[1].start_reason == "marriage"
    assert child.household_id == second.id and child.relation == "wife"
    history = services.household_record(first.id).history
    assert [m.person_id for m in history] == [child.id, child.id - 1]
    assert audit("move", "person")[0].after["household_id"] == second.id


def test_new_kk_number_closes_the_old_one_and_both_find_the_household():
    home = household(kk_number="3201012503100004")
    services.save_household(home, {"kk_number": "3201010107200011"}, actor=None, kk_reason="split")
    rows = db.session.scalars(select(KKNumber).order_by(KKNumber.id)).all()
    assert [(r.kk_number, r.valid_to is None, r.reason) for r in rows] == [
        ("3201012503100004", False, "first"),
        ("3201010107200011", True, "split"),
    ]
    for number in ("3201012503100004", "3201010107200011"):
        assert db.session.scalars(services.search_query(Filters(q=number))).all() == [home]


def test_kk_number_of_another_household_is_refused():
    household(kk_number="3201012503100004")
    _h, errors = services.save_household(
        None, {"address": "x", "rt": 1, "rw": 1, "kk_number": "3201012503100004"}, actor=None
    )
    assert "Another household" in str(errors["kk_number"])
    _h, errors = services.save_household(
        None, {"address": "x", "rt": 1, "rw": 1, "kk_number": "12345"}, actor=None
    )
    assert "16 digits" in str(errors["kk_number"])


def test_changes_to_members_rescore_the_household():
    home = household(
        **{
            f"bps_{k}": True
            for k in ("floor_area", "floor", "wall", "toilet", "electricity", "water")
        }
    )
    person(home, "Budi Santoso")
    db.session.refresh(home)
    assert home.need_level == "rentan" and "food" not in home.aid_type_list
    for i in range(3):
        person(home, f"Anak {i}", born=date(TODAY.year - 8 - i, 1, 1), relation="child")
    db.session.refresh(home)
    assert home.score == 6 * 4 + 3 * 2  # criteria + three children
    assert "education" in home.aid_type_list


# --------------------------------------------------------------- duplicates


def test_duplicate_finder_finds_spelling_variants_with_the_same_birth_date():
    first, second = household(), household(rt=2)
    a = person(first, "Soekarno Djojohadi", born=date(1950, 6, 6))
    b = person(second, "H. SUKARNO JOYOHADI, S.Pd.", born=date(1950, 6, 6), relation="parent")
    person(second, "Sukarno Joyohadi", born=date(1951, 6, 6), relation="other")  # other date
    pairs = services.likely_duplicates()
    assert [(p.a.id, p.b.id) for p in pairs] == [(a.id, b.id)]
    assert not pairs[0].same_household
    assert [(p.a.id, p.b.id) for p in services.duplicates_of(first)] == [(a.id, b.id)]
    services.decide_not_duplicate(a, b, actor=None, reason="Two different men, checked at home")
    assert services.likely_duplicates() == []
    assert db.session.scalar(select(DuplicateDecision.decision)) == "not_duplicate"


def test_duplicate_finder_finds_the_planted_demo_duplicates():
    from portal.devdata.registry import generate

    factories.programme()
    counts = generate(300, seed=11)
    db.session.commit()
    pairs = services.likely_duplicates()
    assert counts["duplicates"] >= 3
    assert len(pairs) >= counts["duplicates"]
    spelled_differently = [p for p in pairs if p.a.name != p.b.name]
    assert len(spelled_differently) >= counts["duplicates"] * 0.9
    # Bulk inserts chose their own ids: new rows still get fresh ones (PostgreSQL sequences).
    assert household().id == counts["households"] + 1


# ---------------------------------------------------------------- overlaps


def test_same_kind_of_aid_twice_in_one_period_is_an_overlap():
    food = factories.programme()
    home = household()
    person(home, "Budi Santoso")
    services.enrol(home, food.id, YEAR_START, YEAR_END, actor=None)
    assert services.overlaps(home.id) == []
    services.add_external(home, "BPNT", YEAR_START, YEAR_END, actor=None, source="DTKS")
    found = services.overlaps(home.id)
    assert len(found) == 1 and found[0].aid_type == "food"
    assert {found[0].first, found[0].second} == {"Paket Pangan", "BPNT"}
    assert services.overlaps() == found


def test_different_periods_kinds_or_members_are_no_overlap():
    food = factories.programme()
    health = factories.programme(slug="lansia", name_id="Lansia", aid_type="health")
    home = household()
    grandma = person(home, "Sumi", born=date(1940, 1, 1), sex="female")
    grandpa = person(home, "Karto", born=date(1938, 1, 1), relation="husband")
    services.enrol(home, food.id, YEAR_START, YEAR_START + timedelta(days=90), actor=None)
    services.add_external(home, "BPNT", YEAR_START + timedelta(days=91), YEAR_END, actor=None)
    services.add_external(home, "PKH", YEAR_START, YEAR_END, actor=None)  # cash, not food
    services.add_external(None, "PBI", YEAR_START, actor=None, person=grandma)
    services.enrol(home, health.id, YEAR_START, actor=None, person=grandpa)
    assert services.overlaps(home.id) == []
    services.enrol(home, health.id, YEAR_START, actor=None, person=grandma)
    (found,) = services.overlaps(home.id)
    assert found.aid_type == "health"


def test_ended_enrolments_are_not_compared():
    food = factories.programme()
    home = household()
    last_year = date(TODAY.year - 1, 1, 1)
    services.enrol(home, food.id, last_year, date(TODAY.year - 1, 12, 31), actor=None)
    services.add_external(home, "BPNT", last_year, date(TODAY.year - 1, 12, 31), actor=None)
    assert services.overlaps(home.id) == []


# ------------------------------------------------------- dead still enrolled


def test_dead_head_of_an_enrolled_household_is_flagged():
    food = factories.programme()
    home = household()
    head = person(home, "Budi Santoso")
    person(home, "Ani", sex="female", relation="wife")
    services.enrol(home, food.id, YEAR_START, YEAR_END, actor=None)
    assert services.stale_enrolments() == []
    _p, _e, warnings = services.save_person(
        head, {"status": "dead", "status_date": TODAY}, actor=None
    )
    assert [str(w) for w in warnings] == [
        "Budi Santoso is still enrolled in Paket Pangan: end that enrolment."
    ]
    (flag,) = services.stale_enrolments()
    assert (flag.person_id, flag.status, flag.as_head, flag.programme) == (
        head.id,
        "dead",
        True,
        "Paket Pangan",
    )
    assert services.household_record(home.id).warnings["stale"] == [flag]


def test_moved_person_with_own_enrolment_is_flagged_and_alive_members_are_not():
    health = factories.programme(slug="lansia", name_id="Lansia", aid_type="health")
    home = household()
    person(home, "Budi Santoso")
    grandma = person(home, "Sumi", born=date(1940, 1, 1), sex="female", relation="parent")
    services.enrol(home, health.id, YEAR_START, actor=None, person=grandma)
    services.add_external(None, "PBI", YEAR_START, actor=None, person=grandma)
    assert services.stale_enrolments(home.id) == []
    services.save_person(grandma, {"status": "moved", "status_date": TODAY}, actor=None)
    flags = services.stale_enrolments(home.id)
    assert {(f.person_id, f.programme, f.as_head) for f in flags} == {
        (grandma.id, "Lansia", False),
        (grandma.id, "PBI", False),
    }


def test_enrolment_that_has_ended_is_not_flagged():
    food = factories.programme()
    home = household()
    head = person(home, "Budi Santoso", status="dead")
    services.enrol(home, food.id, date(2020, 1, 1), date(2020, 12, 31), actor=None)
    assert head.status == "dead" and services.stale_enrolments() == []


# ------------------------------------------------------------------- merge


def test_merge_keeps_every_enrolment_and_membership_and_writes_the_audit_trail(make_user):
    operator = make_user("operator")
    health = factories.programme(slug="lansia", name_id="Lansia", aid_type="health")
    first, second = household(), household(rt=2)
    person(first, "Karto")
    keep = person(
        first, "Siti Juariyah", born=date(1950, 3, 4), sex="female", nik=None, relation="parent"
    )
    person(second, "Joko")
    drop = person(
        second,
        "Hj. Siti Djoeariah",
        born=date(1950, 3, 4),
        sex="female",
        relation="parent",
        disability="Cacat Fisik",
    )
    dropped_nik = drop.nik
    village = services.enrol(second, health.id, YEAR_START, actor=None, person=drop)[0]
    national = services.add_external(None, "PBI", YEAR_START, actor=None, person=drop)
    own = services.enrol(
        first,
        health.id,
        date(TODAY.year - 1, 1, 1),
        date(TODAY.year - 1, 12, 31),
        actor=None,
        person=keep,
    )[0]

    services.merge_persons(keep, drop, operator, "Same woman, KK checked at the office")

    db.session.expire_all()
    keep, drop = db.session.get(Person, keep.id), db.session.get(Person, drop.id)
    assert db.session.get(Enrolment, village.id).person_id == keep.id
    assert db.session.get(Enrolment, own.id).person_id == keep.id
    assert db.session.get(ExternalEnrolment, national.id).person_id == keep.id
    stays = db.session.scalars(select(Membership).where(Membership.person_id == keep.id)).all()
    assert {m.household_id for m in stays} == {first.id, second.id}
    assert sum(1 for m in stays if m.end_date is None) == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(Membership).where(Membership.person_id == drop.id)
        )
        == 0
    )
    assert drop.merged_into_id == keep.id and drop.household_id is None
    assert keep.household_id == first.id
    assert keep.nik == dropped_nik and drop.nik is None  # the NIK the kept record lacked
    assert keep.disability == "Cacat Fisik"
    decision = db.session.scalar(select(DuplicateDecision))
    assert (decision.decision, decision.decided_by_id) == ("merge", operator.id)
    merge = audit("merge", "person")[0]
    assert merge.actor_id == operator.id and merge.object_id == str(keep.id)
    assert merge.after["enrolments_moved"] == [village.id]
    assert merge.after["external_enrolments_moved"] == [national.id]
    assert dropped_nik not in str(merge.after) and dropped_nik[:4] in str(merge.after)
    assert audit("merged_into", "person")[0].object_id == str(drop.id)
    # The merged record is no longer a duplicate candidate nor on a household page.
    assert services.likely_duplicates() == []
    assert drop not in db.session.get(Household, second.id).members


def test_merge_refuses_the_same_record_or_one_already_merged():
    home = household()
    a = person(home, "Ani", sex="female")
    b = person(home, "Ani", sex="female", relation="other")
    with pytest.raises(ValueError):
        services.merge_persons(a, a, None, "x")
    services.merge_persons(a, b, None, "same")
    with pytest.raises(ValueError):
        services.merge_persons(a, b, None, "again")


# ------------------------------------------------------------------ search


def ids(filters: Filters) -> list[int]:
    return [h.id for h in db.session.scalars(services.search_query(filters))]


def test_search_by_name_nik_kk_and_rt_rw():
    a = household(kk_number="3201012503100004", rt=3, rw=2)
    b = household(rt=5, rw=1)
    budi = person(a, "Djoko Susilo")
    person(b, "Siti Aminah", sex="female")
    assert ids(Filters(q="joko")) == [a.id]  # old spelling found with the new one
    assert ids(Filters(q="susilo djoko")) == [a.id]
    assert ids(Filters(q="aminah")) == [b.id]
    assert ids(Filters(q="usilo")) == []  # words match from their start
    assert ids(Filters(q=budi.nik)) == [a.id]
    assert ids(Filters(q=budi.nik[:8])) == [a.id]
    assert ids(Filters(q="3201 0125 0310 0004")) == [a.id]
    assert ids(Filters(q="RT 3 RW 2")) == [a.id]
    assert ids(Filters(q="rt05/rw01")) == [b.id]
    assert ids(Filters(q="5/1")) == [b.id]
    assert ids(Filters(rw=1)) == [b.id]
    assert ids(Filters(q="Bapak")) == []  # only a title: nothing to look for
    assert ids(Filters(q="%")) == []


def test_search_filters_by_need_aid_type_and_programme():
    food = factories.programme()
    poor = household(desil=1)
    person(poor, "Budi Santoso")
    rich = household(desil=10)
    person(rich, "Ani", sex="female")
    services.enrol(poor, food.id, YEAR_START, YEAR_END, actor=None)
    assert ids(Filters(need_level="sangat_miskin")) == [poor.id]
    assert ids(Filters(need_level="tidak_prioritas")) == [rich.id]
    assert ids(Filters(aid_type="food")) == [poor.id]
    assert ids(Filters(aid_type="cash")) == [poor.id]
    assert ids(Filters(programme_id=food.id)) == [poor.id]
    assert ids(Filters(q="ani", aid_type="food")) == []


# ------------------------------------------------------------ household page


def _page_facts(record) -> dict:
    return {
        # The order within one person or one start day is the database's own: compare sets.
        "stale": sorted(record.warnings["stale"], key=repr),
        "overlaps": sorted(record.warnings["overlaps"], key=repr),
        "nik": [p.id for p in record.warnings["nik"]],
        "duplicates": sorted((p.a.id, p.b.id) for p in record.warnings["duplicates"]),
        "no_head": bool(record.warnings["no_head"]),
        "village": [e.id for e in record.enrolments["village"]],
        "national": [e.id for e in record.enrolments["national"]],
        "history": [m.id for m in record.history],
    }


# What the household page showed when each part asked the database itself: the
# reference `services.household_record` is checked against.


def _enrolments_by_query(household: Household) -> dict[str, list]:
    member_ids = [p.id for p in household.members]
    village = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.household_id == household.id)
        .order_by(Enrolment.period_start.desc())
    )
    conditions = [ExternalEnrolment.household_id == household.id]
    if member_ids:
        conditions.append(ExternalEnrolment.person_id.in_(member_ids))
    national = db.session.scalars(
        select(ExternalEnrolment)
        .where(or_(*conditions))
        .order_by(ExternalEnrolment.period_start.desc())
    )
    return {"village": list(village), "national": list(national)}


def _history_by_query(household: Household) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.household_id == household.id)
            .order_by(Membership.start_date.desc(), Membership.id.desc())
        )
    )


def _one_by_one(home) -> dict:
    """What the household page showed when each part asked the database itself."""
    enrolments = _enrolments_by_query(home)
    by_start = {"village": Enrolment.period_start, "national": ExternalEnrolment.period_start}
    return {
        "stale": sorted(services.stale_enrolments(home.id), key=repr),
        "overlaps": sorted(services.overlaps(home.id), key=repr),
        "nik": [p.id for p in home.members if p.nik_warning and p.merged_into_id is None],
        "duplicates": sorted((p.a.id, p.b.id) for p in services.duplicates_of(home)),
        "no_head": home.head is None,
        # Same start: oldest record first (what SQLite gave; the page now says so).
        **{
            kind: [
                e.id
                for e in sorted(
                    enrolments[kind],
                    key=lambda e: (-getattr(e, by_start[kind].key).toordinal(), e.id),
                )
            ]
            for kind in ("village", "national")
        },
        "history": [m.id for m in _history_by_query(home)],
    }


def test_household_record_agrees_with_the_warnings_queries_on_a_demo_village():
    """The page works out one household's stale enrolments and overlaps in Python from
    the rows it reads; the warnings page asks SQL. Both must say the same."""
    from portal.devdata.registry import generate

    factories.programme()
    factories.programme(slug="blt", name_id="BLT Dana Desa", aid_type="cash")
    factories.programme(slug="lansia", name_id="Lansia", aid_type="health")
    generate(300, seed=5)
    db.session.commit()
    flagged = {f.household_id for f in services.stale_enrolments()}
    overlapping = {o.household_id for o in services.overlaps()}
    assert flagged and overlapping  # the demo village plants both
    for home in db.session.scalars(select(Household).order_by(Household.id)):
        assert _page_facts(services.household_record(home.id)) == _one_by_one(home), home.id


def test_household_record_flags_a_member_enrolled_on_another_household():
    health = factories.programme(slug="lansia", name_id="Lansia", aid_type="health")
    first, second = household(), household(rt=2)
    person(first, "Budi Santoso")
    grandma = person(first, "Sumi", born=date(1940, 1, 1), sex="female", relation="parent")
    person(second, "Joko Santoso")
    services.enrol(first, health.id, YEAR_START, actor=None, person=grandma)
    services.add_external(first, "PBI", YEAR_START, actor=None, person=grandma)
    services.move_person(grandma, second, actor=None, relation="parent")
    services.save_person(grandma, {"status": "dead", "status_date": TODAY}, actor=None)
    found = services.household_record(second.id)
    # Both enrolments are still booked on the first household. The page lists national
    # enrolments of its members and village ones of the household (as before), and flags
    # the dead member still enrolled in both, as the warnings page does.
    assert found.enrolments["village"] == []
    assert [e.programme_code for e in found.enrolments["national"]] == ["PBI"]
    assert {(f.person_id, f.programme) for f in found.warnings["stale"]} == {
        (grandma.id, "Lansia"),
        (grandma.id, "PBI"),
    }
    assert _page_facts(found) == _one_by_one(second)
    assert services.household_record(10**6) is None


def test_member_names_are_the_members_not_merged_in_the_households_order():
    """services.member_names (the enrolment form's menu) names what
    `Household.members` without the merged names, in its order; None for no household."""
    home = household()
    empty = household(rt=2)
    head = person(home, "Budi Santoso")
    child = person(home, "Ani <Santoso>", born=date(2010, 3, 4), relation="child")
    merged = person(home, "Budi Santosa", relation="child", born=date(2011, 3, 4))
    merged.merged_into_id = head.id
    db.session.commit()
    expected = [(p.id, p.name) for p in home.members if p.merged_into_id is None]
    assert (
        services.member_names(home.id) == expected == [(head.id, head.name), (child.id, child.name)]
    )
    assert services.member_names(empty.id) == []
    assert services.member_names(empty.id + 1000) is None
