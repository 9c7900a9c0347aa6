"""The warnings and household pages' reads kept while the registry is unchanged (SQLite,
migration 0038's stamp): a change by any route (the portal, another connection, a
rolled-back transaction, a new day) shows on the next view; on PostgreSQL every view
reads."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.models_base import village_today
from portal.registry import services
from portal.registry.models import DuplicateDecision
from portal.registry.services import warnings_page
from tests import factories
from tests.registry_helpers import household, person
from tests.test_query_counts import counting

TODAY = village_today()
TABLES = (
    "household",
    "household_kk_number",
    "household_membership",
    "person",
    "enrolment",
    "external_enrolment",
    "programme",
    "duplicate_decision",
)


def sqlite_only():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the stamp is SQLite's (PostgreSQL counts on every view)")


@pytest.fixture
def food_twice(app):
    """A household in a village food programme and in BPNT (food too): one overlap."""
    home = household(kk_number="3201012503100004")
    head = person(home, "Budi Santoso", born=date(1970, 1, 5))
    food = factories.programme(aid_type="food")
    db.session.flush()
    enrolment, errors = services.enrol(home, food.id, date(TODAY.year, 1, 1), actor=None)
    assert errors == {}
    services.add_external(home, "BPNT", date(TODAY.year, 1, 1), actor=None)
    db.session.commit()
    return home, head, enrolment


def statements_of(call) -> tuple[object, list[str]]:
    with counting(db.engine) as seen:
        return call(), seen


def fresh_read(app):
    """The overview as a new request reads it (its own session and transaction)."""
    with app.app_context():
        try:
            return warnings_page.warnings_overview()
        finally:
            db.session.remove()


def stamp_now() -> int:
    return db.session.execute(text("SELECT stamp FROM registry_stamp")).scalar()


def test_a_second_view_reads_the_stamp_only_and_the_same_figures(app, food_twice):
    first, counted = statements_of(lambda: fresh_read(app))
    again, read = statements_of(lambda: fresh_read(app))
    assert len(first["overlaps"]) == 1 and again == first
    assert len(counted) >= 4 and any("entries" in s for s in counted)
    if db.engine.dialect.name == "sqlite":
        assert len(read) == 1 and "registry_stamp" in read[0]
    else:  # no stamp: every view counts
        assert len(read) == len(counted) and not any("registry_stamp" in s for s in read)


def test_the_page_shows_a_change_made_through_the_portal_after_a_view(
    app, client, login_as, food_twice
):
    home, _head, enrolment = food_twice
    login_as("operator")
    assert "Same kind of aid twice in one period (1)" in client.get(
        "/staf/registrasi/peringatan?lang=en"
    ).get_data(as_text=True)
    response = client.post(f"/staf/registrasi/kepesertaan/desa/{enrolment.id}/akhiri")
    assert response.status_code == 302
    page = client.get("/staf/registrasi/peringatan?lang=en").get_data(as_text=True)
    assert "Same kind of aid twice in one period (0)" in page


def test_a_change_by_another_connection_is_seen_at_once(app, food_twice):
    sqlite_only()
    home, head, _enrolment = food_twice
    assert len(fresh_read(app)["overlaps"]) == 1
    # An import or the sqlite3 shell: another connection, around the portal.
    other = sqlite3.connect(db.engine.url.database)
    try:
        other.execute("DELETE FROM external_enrolment")
        other.commit()
        assert fresh_read(app)["overlaps"] == ()
        other.execute("UPDATE person SET status = 'dead' WHERE id = ?", (head.id,))
        other.commit()
        assert [s.person_id for s in fresh_read(app)["stale"]] == [head.id]
    finally:
        other.close()


def test_a_rolled_back_change_leaves_the_kept_figures_true(app, food_twice):
    sqlite_only()
    before = stamp_now()
    db.session.commit()
    kept = fresh_read(app)
    db.session.execute(text("DELETE FROM external_enrolment"))
    inside = stamp_now()
    # Counted inside the uncommitted change: kept under a stamp no one else will read.
    assert inside != before and warnings_page.warnings_overview()["overlaps"] == ()
    db.session.rollback()
    assert stamp_now() == before
    assert fresh_read(app) == kept and len(kept["overlaps"]) == 1


def test_every_write_to_a_registry_table_changes_the_stamp(app, food_twice):
    sqlite_only()
    home, head, _enrolment = food_twice
    other = person(home, "Budi Santoso", born=date(1970, 1, 5), relation="other")
    db.session.commit()
    a, b = sorted((head.id, other.id))
    db.session.add(DuplicateDecision(person_a_id=a, person_b_id=b, decision="not_duplicate"))
    db.session.commit()
    for table in TABLES:
        before = stamp_now()
        db.session.execute(text(f"UPDATE {table} SET id = id"))  # noqa: S608 (names above)
        assert stamp_now() != before, f"UPDATE {table}"
        db.session.rollback()
        before = stamp_now()
        db.session.execute(text("PRAGMA defer_foreign_keys = ON"))
        db.session.execute(text(f"DELETE FROM {table}"))  # noqa: S608
        assert stamp_now() != before, f"DELETE {table}"
        db.session.rollback()
    # INSERT: each table's trigger, and a row added to the first and last tables.
    triggers = set(
        db.session.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE :s"),
            {"s": "%registry_stamp%"},
        ).scalars()
    )
    assert triggers == {f"{t}_stamp_{a}" for t in TABLES for a in ("insert", "update", "delete")}
    before = stamp_now()
    household(kk_number="3201012503100005")
    db.session.flush()
    assert stamp_now() != before
    db.session.rollback()


def test_the_figures_are_counted_again_on_a_new_day(app, food_twice, monkeypatch):
    home, _head, enrolment = food_twice
    # The page's day fixed by the test (the village's midnight may pass while it runs).
    day = village_today()
    monkeypatch.setattr(warnings_page, "village_today", lambda: day)
    enrolment.period_end = day
    db.session.commit()
    assert len(fresh_read(app)["overlaps"]) == 1
    monkeypatch.setattr(warnings_page, "village_today", lambda: day + timedelta(days=1))
    assert fresh_read(app)["overlaps"] == ()


def test_the_household_page_reads_its_record_once_and_shows_every_change(
    app, client, login_as, food_twice
):
    home, head, enrolment = food_twice
    login_as("operator")
    url = f"/staf/registrasi/rumah-tangga/{home.id}?lang=en"
    first, read_first = statements_of(lambda: client.get(url).get_data(as_text=True))
    again, read_again = statements_of(lambda: client.get(url).get_data(as_text=True))
    assert "Budi Santoso" in first and again == first
    selects = [s for s in read_again if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    if db.engine.dialect.name == "sqlite":
        # The user, the stamp; the record (two statements on the first view) is kept.
        assert (
            len(selects)
            == len([s for s in read_first if s.lstrip().upper().startswith(("SELECT", "WITH"))]) - 2
        )
        assert any("registry_stamp" in s for s in selects)
    # Every opening is still written to the audit log.
    assert sum("INSERT INTO audit_entry" in s for s in read_again) == 1
    # A change by the portal: the member's name.
    services.save_person(
        head,
        {
            "name": "Budi Santosa",
            "birth_date": head.birth_date,
            "sex": "male",
            "relation": "head",
            "nik": head.nik,
        },
        actor=None,
        household=home,
    )
    db.session.commit()
    assert "Budi Santosa" in client.get(url).get_data(as_text=True)
    if db.engine.dialect.name != "sqlite":
        return
    # Changes around the portal, one table each: a KK number and the membership history.
    other = sqlite3.connect(db.engine.url.database)
    try:
        other.execute(
            "UPDATE household_kk_number SET kk_number = '3201012503109999' WHERE household_id = ?",
            (home.id,),
        )
        other.commit()
        assert "3201012503109999" in client.get(url).get_data(as_text=True)
        other.execute(
            "UPDATE household_membership SET start_date = '2001-02-03' WHERE household_id = ?",
            (home.id,),
        )
        other.commit()
        page = client.get(url).get_data(as_text=True)
        joining = page.split('<h2 id="history-title">', 1)[1]
        assert "2001" in joining and "2001" not in first.split('<h2 id="history-title">', 1)[1]
    finally:
        other.close()
