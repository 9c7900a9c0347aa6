"""Objections (sanggah) and the self-check: open to anyone, limited, and saying no more
than they must."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.lists import services
from portal.lists.models import ListEntry, ListObjection, ListVersionRow
from portal.lists.services import objections
from portal.registry.models import Household, Person
from tests.test_lists import published, village  # noqa: F401  (fixture)


@pytest.fixture
def board(village, make_user):  # noqa: F811
    return published(village, make_user)


def _row(version, n=0):
    return services.version_rows(version)[n]


def test_objections_are_refused_after_the_period_closes(board, client, app, monkeypatch):
    period, version, *_ = board
    row = _row(version)
    closing = version.objection_until
    item = services.file_objection(version, "remove", "Sudah mampu", row_id=row.id, today=closing)
    assert item.status == "open"
    with pytest.raises(services.ListError) as error:
        services.file_objection(
            version, "remove", "Terlambat", row_id=row.id, today=closing + timedelta(days=1)
        )
    with app.test_request_context("/?lang=en"):
        assert str(error.value.message) == "The objection period for this list has closed."

    # the objection rules read the village day where they are used
    monkeypatch.setattr(objections, "village_today", lambda: closing + timedelta(days=1))
    response = client.post(
        f"/daftar-penerima/{period.id}/sanggah?lang=en",
        data={"kind": "include", "subject_name": "Ani", "rt": "1", "reason": "Layak"},
    )
    assert response.status_code == 409
    assert "The objection period for this list ended" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(ListObjection)) == 1
    board_page = client.get(f"/daftar-penerima/{period.id}?lang=en").get_data(as_text=True)
    assert "The objection period ended on" in board_page
    assert f"sanggah?baris={row.id}" not in board_page


def test_the_last_day_to_object_is_the_villages_day(board, app, monkeypatch):
    """At 18:00 UTC on the last day it is already 01:00 the next day in the village
    (WIB): the period has closed there, whatever the server's clock zone."""
    from datetime import UTC, datetime, time

    from portal import models_base

    _period, version, *_ = board
    last_day = version.objection_until
    evening_utc = datetime.combine(last_day, time(18, 0), UTC)
    morning_utc = datetime.combine(last_day, time(9, 0), UTC)
    assert models_base.village_today(evening_utc) == last_day + timedelta(days=1)
    assert models_base.village_today(morning_utc) == last_day
    app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"  # a village on UTC: still the last day
    assert models_base.village_today(evening_utc) == last_day
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Jakarta"
    monkeypatch.setattr(models_base, "utcnow", lambda: evening_utc)
    assert not services.objections_open(version)
    monkeypatch.setattr(models_base, "utcnow", lambda: morning_utc)
    assert services.objections_open(version)


def test_anyone_objects_without_an_account_and_bad_input_is_explained(board, client):
    period, version, *_ = board
    row = _row(version)
    page = client.get(f"/daftar-penerima/{period.id}/sanggah?baris={row.id}&lang=en")
    assert page.status_code == 200 and row.masked_name in page.get_data(as_text=True)
    empty = client.post(
        f"/daftar-penerima/{period.id}/sanggah?lang=en",
        data={"kind": "include", "subject_name": "Ani Suryani", "rt": "abc", "reason": ""},
    )
    text = empty.get_data(as_text=True)
    assert empty.status_code == 200
    assert "Enter a whole number." in text and "Please fill in this field." in text
    assert 'value="Ani Suryani"' in text
    done = client.post(
        f"/daftar-penerima/{period.id}/sanggah",
        data={"kind": "remove", "row_id": str(row.id), "reason": "Rumahnya besar"},
    )
    assert done.status_code == 200
    item = db.session.scalar(select(ListObjection))
    assert item.kind == "remove" and item.row_id == row.id and item.reason == "Rumahnya besar"
    assert f"{item.id}" in done.get_data(as_text=True)


def test_objection_form_is_csrf_protected(board, app, client):
    period, *_ = board
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        f"/daftar-penerima/{period.id}/sanggah",
        data={"kind": "include", "subject_name": "Ani", "rt": "1", "reason": "Layak"},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(db.func.count()).select_from(ListObjection)) == 0


def test_objections_are_rate_limited(board, app, client):
    period, *_ = board
    app.config["RATELIMIT_OBJECTION"] = "2 per minute"
    data = {"kind": "include", "subject_name": "Ani", "rt": "1", "reason": "Layak"}
    codes = [
        client.post(f"/daftar-penerima/{period.id}/sanggah", data=data).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    assert db.session.scalar(select(db.func.count()).select_from(ListObjection)) == 2


def test_each_decision_appears_in_the_next_version_summary(board, make_user, client):
    period, version, decision, operator, head = board
    rows = services.version_rows(version)
    upheld = services.file_objection(version, "remove", "Sudah mampu", row_id=rows[0].id)
    rejected = services.file_objection(version, "remove", "Iri saja", row_id=rows[1].id)
    outsider = db.session.scalar(
        select(Household.id)
        .where(
            Household.id.not_in(select(ListEntry.household_id)), Household.need_level == "miskin"
        )
        .limit(1)
    )
    include = services.file_objection(
        version, "include", "Tidak tercantum", subject_name="Ani Suryani", rt=3, rw=1
    )
    waiting = services.file_objection(version, "include", "Belum diputus", subject_name="X", rt=1)
    with pytest.raises(services.ListError):
        services.decide_objection(upheld, "upheld", "  ", actor=operator)
    with pytest.raises(services.ListError):  # upholding an "include" needs the household
        services.decide_objection(include, "upheld", "Layak", actor=operator)
    services.decide_objection(upheld, "upheld", "Terbukti punya mobil", actor=operator)
    services.decide_objection(rejected, "rejected", "Tidak terbukti", actor=operator)
    services.decide_objection(include, "upheld", "Layak", actor=operator, household_id=outsider)
    with pytest.raises(services.ListError):
        services.decide_objection(rejected, "upheld", "lagi", actor=operator)
    # The upheld ones changed the working list, with the objection as the reason.
    assert not db.session.scalar(
        select(ListEntry.active).where(ListEntry.household_id == rows[0].household_id)
    )
    added = db.session.scalar(select(ListEntry).where(ListEntry.household_id == outsider))
    assert added.active and added.source == "objection"
    assert (
        db.session.scalar(select(db.func.count()).where(AuditEntry.action == "decide_objection"))
        == 3
    )
    services.approve(period, actor=head)
    v2 = services.publish(period, actor=operator)
    summary = v2.summary
    assert {(o["id"], o["kind"], o["status"]) for o in summary["objections"]} == {
        (upheld.id, "remove", "upheld"),
        (rejected.id, "remove", "rejected"),
        (include.id, "include", "upheld"),
    }
    assert summary["objection_counts"]["upheld"] == 2
    assert summary["objection_counts"]["rejected"] == 1
    assert summary["objections_open"] == 1
    assert summary["removed"] == 1 and summary["added"] == 1
    page = client.get(f"/daftar-penerima/{period.id}?lang=en").get_data(as_text=True)
    assert "Objections decided: 2 upheld, 1 rejected." in page
    assert f"Objection no. {rejected.id}" in page
    # Counts and numbers only: nothing the objectors wrote, nor whom they named.
    for secret in ("Iri saja", "Tidak terbukti", "Ani Suryani", "Sudah mampu"):
        assert secret not in page
    # A later decision shows in the version after, once only.
    services.decide_objection(waiting, "rejected", "Tidak ada data", actor=operator)
    services.remove_household(period, outsider, "Koreksi", actor=operator)
    services.approve(period, actor=head)
    v3 = services.publish(period, actor=operator)
    assert [o["id"] for o in v3.summary["objections"]] == [waiting.id]
    # The newest version's board (plain rows, services.board_head and version_list) is
    # the board of that version asked by its number (the records, through the ORM).
    for lang in ("id", "en"):
        latest = client.get(f"/daftar-penerima/{period.id}?lang={lang}").get_data(as_text=True)
        asked = client.get(f"/daftar-penerima/{period.id}?versi=3&lang={lang}")
        assert latest == asked.get_data(as_text=True).replace("versi=3&amp;", "")
        assert latest.count("?versi=") == 3  # the list of the three versions


def _listed_person(version):
    row = db.session.scalar(select(ListVersionRow).where(ListVersionRow.version_id == version.id))
    return db.session.scalar(
        select(Person).where(
            Person.household_id == row.household_id,
            Person.status == "alive",
            Person.merged_into_id.is_(None),
        )
    )


def test_self_check_answers_yes_with_what_is_due(board, client):
    period, version, *_ = board
    person = _listed_person(version)
    response = client.post(
        "/cek-bansos?lang=en", data={"nik": person.nik, "name": person.name.upper()}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your household is on a current list" in text
    assert "IDR 300,000 a month" in text and "BLT January to March" in text
    assert person.nik not in text
    assert response.headers["Cache-Control"] == "no-store"


def test_self_check_says_the_same_for_unknown_and_for_a_wrong_name(board, client):
    period, version, *_ = board
    person = _listed_person(version)
    outsider = db.session.scalar(
        select(Person).where(
            Person.household_id.not_in(select(ListEntry.household_id)), Person.status == "alive"
        )
    )

    def answer(nik, name):
        html = client.post("/cek-bansos?lang=en", data={"nik": nik, "name": name}).get_data(
            as_text=True
        )
        start = html.index('<section class="lists-result"')
        return html[start : html.index("</section>", start)]

    wrong_name = answer(person.nik, "Nama Lain Sekali")
    unknown = answer("1403090101010001", person.name)
    not_listed = answer(outsider.nik, outsider.name)
    assert wrong_name == unknown == not_listed
    assert "No current list found for this NIK and name" in wrong_name
    assert f"/daftar-penerima/{period.id}/sanggah" in wrong_name  # how to object


def test_self_check_logs_and_audits_no_nik(board, client, app, caplog):
    period, version, *_ = board
    person = _listed_person(version)
    before = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
    with caplog.at_level(logging.DEBUG):
        for nik in (person.nik, "1403090101010001"):
            client.post("/cek-bansos", data={"nik": nik, "name": person.name})
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert person.nik not in logged and "1403090101010001" not in logged
    assert person.nik[:6] + person.nik[-4:] not in logged
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == before
    for entry in db.session.scalars(select(AuditEntry)):
        assert person.nik not in f"{entry.summary} {entry.before} {entry.after}"


def test_self_check_holds_its_rate_limit_and_the_site_does_not(board, app, client):
    period, *_ = board
    app.config["RATELIMIT_SELF_CHECK"] = "3 per minute"
    codes = [
        client.post("/cek-bansos", data={"nik": "1403090101010001", "name": "Ani"}).status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    assert client.get("/cek-bansos").status_code == 200
    assert client.get(f"/daftar-penerima/{period.id}").status_code == 200


def test_the_objection_form_shows_only_what_applies(board, client):
    """About a listed household: only the reason (no name, RT or RW to fill in, no choice
    of the other kind). About a household left out: its name, RT, RW and the reason.
    Chosen by the server, so it is the same without JavaScript."""
    period, version, *_ = board
    row = _row(version)
    listed = client.get(f"/daftar-penerima/{period.id}/sanggah?baris={row.id}&lang=en")
    page = listed.get_data(as_text=True)
    assert row.masked_name in page and 'name="reason"' in page
    for absent in ('name="subject_name"', 'name="rt"', 'name="rw"', 'value="include"'):
        assert absent not in page
    assert (
        'name="kind" value="remove"' in page
        and f'name="row_id" type="hidden" value="{row.id}"' in page
    )
    left_out = client.get(f"/daftar-penerima/{period.id}/sanggah?lang=en").get_data(as_text=True)
    for present in ('name="subject_name"', 'name="rt"', 'name="rw"', 'name="reason"'):
        assert present in left_out
    assert 'name="kind" value="include"' in left_out and 'value="remove"' not in left_out
    assert "Listed household:" not in left_out
    # What the server decides holds even if the posted kind says otherwise.
    done = client.post(
        f"/daftar-penerima/{period.id}/sanggah",
        data={"kind": "include", "row_id": str(row.id), "reason": "Rumahnya besar"},
    )
    assert done.status_code == 200
    item = db.session.scalar(select(ListObjection))
    assert item.kind == "remove" and item.row_id == row.id and item.subject_name is None
    # An error on the short form keeps it short.
    again = client.post(
        f"/daftar-penerima/{period.id}/sanggah?lang=en",
        data={"row_id": str(row.id), "reason": ""},
    ).get_data(as_text=True)
    assert "Please fill in this field." in again and 'name="subject_name"' not in again


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_blank_objection_form_is_the_wtforms_form(board, app, lang, monkeypatch):
    """A GET writes the objection form's fields from kept markup (form=None): the same
    page as the template writes from a WTForms form, for a listed household and for one
    left out, the first time (the fragments made) and the second (kept)."""
    from flask import render_template

    from portal.lists.forms import ObjectionForm
    from portal.lists.views import _blank_objection_form

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production
    period, version, *_ = board
    for row in (_row(version), None):
        url = f"/daftar-penerima/{period.id}/sanggah" + (f"?baris={row.id}" if row else "")
        for _round in range(2):
            with app.test_request_context(url, headers={"Accept-Language": lang}):
                form = ObjectionForm()
                form.kind.data = "remove" if row else "include"
                form.row_id.data = str(row.id) if row else ""
                values = dict(period=period, version=version, row=row, closed=False)
                old = render_template(
                    "lists/objection.html", form=form, kind=form.kind.data, **values
                )
                new = render_template(
                    "lists/objection.html",
                    form=None,
                    kind=form.kind.data,
                    blank_form=_blank_objection_form,
                    **values,
                )
                assert new == old
                assert ('name="subject_name"' in new) == (row is None)
                assert 'name="reason"' in new and 'name="csrf_token"' in new
