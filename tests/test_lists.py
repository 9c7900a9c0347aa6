"""Recipient lists: the draft follows the rules, changes need reasons and are audited,
the meeting and the village head's approval, publishing, what the public may see."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache
from typing import Any

import pytest
from sqlalchemy import bindparam, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from portal.audit.models import AuditEntry
from portal.database import read
from portal.devdata import registry as registry_demo
from portal.extensions import db
from portal.lists import services
from portal.lists.models import (
    ListApproval,
    ListAttendee,
    ListChange,
    ListDecision,
    ListEntry,
    ListObjection,
    ListPeriod,
    ListVersionRow,
)
from portal.lists.services import period_page
from portal.models_base import village_today
from portal.programmes.models import Programme
from portal.registry import scoring
from portal.registry.models import (
    NATIONAL_PROGRAMMES,
    Enrolment,
    ExternalEnrolment,
    Household,
    Person,
)
from tests import factories

ATTENDEES = "Hendra Saputra; Kepala Desa\nSiti Aminah; Ketua BPD\nBudi; Warga"
SIXTEEN = re.compile(rb"(?<!\d)\d{16}(?!\d)")
# Dates written with digits: 1980-05-17, 17-05-1980, 17/5/1980, 17.05.1980.
NUMERIC_DATE = re.compile(
    rb"(?<!\d)(\d{4}[-/]\d{1,2}[-/]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})(?!\d)"
)


@pytest.fixture
def village(app):
    """Programmes (one per aid type) and a demo registry of 300 households."""
    for slug, aid in (("pangan", "food"), ("blt", "cash"), ("sekolah", "education")):
        factories.programme(slug=slug, aid_type=aid, name_id=f"Program {slug}")
    registry_demo.generate(300, seed=7)
    db.session.commit()
    return {p.aid_type: p for p in db.session.scalars(select(Programme))}


def _period(programme, actor, **rules):
    start = village_today() + timedelta(days=30)
    data = dict(
        programme_id=programme.id,
        title_id="BLT Januari-Maret",
        title_en="BLT January to March",
        starts_on=start,
        ends_on=start + timedelta(days=89),
        budget=50_000_000,
        amount=900_000,
        benefit_id="Rp300.000 per bulan",
        benefit_en="IDR 300,000 a month",
        rule_need_levels="sangat_miskin miskin",
        rule_max_desil=None,
        rule_min_members=None,
        rule_composition="",
        rule_aid_fit=True,
        rule_not_covered=True,
        objection_days=7,
    )
    data.update(rules)
    return services.save_period(None, data, actor=actor)


def _covered_independently(aid_type, start, end) -> set[int]:
    """Coverage worked out here from the rows, not through the registry's function."""
    out = set()
    for e in db.session.scalars(select(Enrolment)):
        programme = db.session.get(Programme, e.programme_id)
        if programme.aid_type != aid_type:
            continue
        if e.period_start <= end and (e.period_end is None or e.period_end >= start):
            out.add(e.household_id)
    for x in db.session.scalars(select(ExternalEnrolment)):
        if NATIONAL_PROGRAMMES[x.programme_code][0] != aid_type:
            continue
        if x.period_start <= end and (x.period_end is None or x.period_end >= start):
            hid = x.household_id or db.session.get(Person, x.person_id).household_id
            out.add(hid)
    return out


def _living(h, day):
    return [m for m in scoring.members_of(h, day) if m.alive]


@pytest.mark.parametrize(
    "aid,rules",
    [
        ("cash", {}),
        ("food", {"rule_max_desil": 4}),
        (
            "education",
            {"rule_need_levels": "sangat_miskin miskin rentan", "rule_composition": "school_age"},
        ),
        ("food", {"rule_composition": "elderly", "rule_aid_fit": False, "rule_min_members": 2}),
        ("cash", {"rule_min_members": 3}),  # any household: the living counted, no ages
    ],
)
def test_draft_follows_the_programme_rules_on_the_demo_registry(village, make_user, aid, rules):
    operator = make_user("operator")
    period = _period(village[aid], operator, **rules)
    chosen = {h.id for h in services.draft_candidates(period)}
    covered = _covered_independently(aid, period.starts_on, period.ends_on)
    expected = set()
    for h in db.session.scalars(select(Household)):
        living = _living(h, period.starts_on)
        if not living or h.need_level not in period.need_levels:
            continue
        if period.rule_max_desil and (h.desil is None or h.desil > period.rule_max_desil):
            continue
        if period.rule_aid_fit and aid not in h.aid_type_list:
            continue
        if period.rule_min_members and len(living) < period.rule_min_members:
            continue
        ages = [m.age for m in living if m.age is not None]
        if period.rule_composition == "school_age" and not any(6 <= a <= 15 for a in ages):
            continue
        if period.rule_composition == "elderly" and not any(a >= 60 for a in ages):
            continue
        if h.id in covered:
            continue
        expected.add(h.id)
    assert chosen == expected
    assert chosen, "the demo registry should give a non-empty list"
    # A national enrolment of the same kind for one member (not the household) during
    # the period takes the household off the draft: the registry's person rule.
    code = {"cash": "PKH", "food": "BPNT", "education": "PIP"}[aid]
    victim = db.session.get(Household, sorted(chosen)[0])
    member = next(p for p in victim.members if p.status == "alive")
    db.session.add(
        ExternalEnrolment(
            person_id=member.id,
            programme_code=code,
            period_start=period.ends_on,
            source="test",
        )
    )
    db.session.commit()
    again = {h.id for h in services.draft_candidates(period)}
    assert again == chosen - {victim.id}

    n = services.propose_draft(period, actor=operator)
    assert n == len(again)
    entries = set(db.session.scalars(select(ListEntry.household_id)))
    assert entries == again
    with pytest.raises(services.ListError):
        services.propose_draft(period, actor=operator)


def test_manual_changes_need_a_reason_and_are_audited(village, make_user):
    operator = make_user("operator")
    period = _period(village["cash"], operator)
    services.propose_draft(period, actor=operator)
    listed = db.session.scalar(select(ListEntry.household_id).where(ListEntry.active.is_(True)))
    outside = db.session.scalar(
        select(Household.id)
        .where(
            Household.id.not_in(select(ListEntry.household_id)),
            Household.need_level != "tidak_prioritas",
        )
        .limit(1)
    )
    for reason in ("", "   ", None):
        with pytest.raises(services.ListError) as error:
            services.remove_household(period, listed, reason, actor=operator)
        assert error.value.field == "reason"
        with pytest.raises(services.ListError):
            services.add_household(period, outside, reason, actor=operator)
    assert db.session.scalar(select(db.func.count()).select_from(ListChange)) == 0

    services.remove_household(period, listed, "Pindah ke desa lain", actor=operator)
    services.add_household(period, outside, "Kepala keluarga baru meninggal", actor=operator)
    changes = db.session.scalars(select(ListChange).order_by(ListChange.id)).all()
    assert [(c.action, c.household_id, c.actor_id) for c in changes] == [
        ("remove", listed, operator.id),
        ("add", outside, operator.id),
    ]
    audit = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.in_(("list_add", "list_remove")))
    ).all()
    assert {(a.action, a.summary, a.actor_id) for a in audit} == {
        ("list_remove", "Pindah ke desa lain", operator.id),
        ("list_add", "Kepala keluarga baru meninggal", operator.id),
    }
    # Adding twice is refused; the database also refuses a change without a reason.
    with pytest.raises(services.ListError):
        services.add_household(period, outside, "lagi", actor=operator)
    with pytest.raises(IntegrityError):
        db.session.add(
            ListChange(period_id=period.id, household_id=outside, action="add", reason="")
        )
        db.session.flush()
    db.session.rollback()


def test_staff_pages_change_the_list_with_reason(village, client, login_as):
    operator = login_as("operator")
    period = _period(village["cash"], operator)
    assert client.post(f"/staf/daftar-penerima/{period.id}/usulkan").status_code == 302
    hid = db.session.scalar(select(ListEntry.household_id).limit(1))
    page = client.post(f"/staf/daftar-penerima/{period.id}/hapus/{hid}", data={"reason": ""})
    assert page.status_code == 200
    assert "Please fill in this field." in page.get_data(as_text=True) or "Mohon" in page.get_data(
        as_text=True
    )
    assert db.session.scalar(select(ListEntry.active).where(ListEntry.household_id == hid))
    page = client.post(
        f"/staf/daftar-penerima/{period.id}/hapus/{hid}", data={"reason": "Sudah mampu"}
    )
    assert page.status_code == 302
    assert not db.session.scalar(select(ListEntry.active).where(ListEntry.household_id == hid))
    page = client.get(f"/staf/daftar-penerima/{period.id}")
    assert page.status_code == 200 and "Dikeluarkan: Sudah mampu" in page.get_data(as_text=True)


def test_the_rule_check_shows_what_a_fresh_draft_would_change(village, client, login_as):
    """After the rules change (or the registry does), the check lists the households the
    rules no longer propose and those they now propose; staff change the list from it,
    one household at a time with a reason; nothing changes by itself."""
    operator = login_as("operator")
    period = _period(village["cash"], operator, rule_need_levels="sangat_miskin miskin")
    services.propose_draft(period, actor=operator)
    assert services.rule_check(period).agrees
    listed = {e.household_id for e in db.session.scalars(select(ListEntry))}
    removed = sorted(listed)[0]
    services.remove_household(period, removed, "Pindah ke desa lain", actor=operator)

    data = {name: getattr(period, name) for name in services.PERIOD_FIELDS}
    services.save_period(period, {**data, "rule_need_levels": "miskin"}, actor=operator)
    now = {h.id for h in services.draft_candidates(period)}
    check = services.rule_check(period)
    assert {e.household_id for e in check.unmatched} == (listed - {removed}) - now
    assert check.unmatched and not check.agrees
    assert {h.id for h in check.missing} == now - (listed - {removed})
    assert check.taken_off == {removed}
    assert {e.household_id for e in db.session.scalars(select(ListEntry))} == listed

    services.save_period(period, {**data, "rule_aid_fit": False}, actor=operator)
    check = services.rule_check(period)
    newcomer = next(h for h in check.missing if h.id not in check.taken_off)
    page = client.get(f"/staf/daftar-penerima/{period.id}/aturan?lang=en").get_data(as_text=True)
    assert "Proposed by the rules, not on the list" in page
    assert f'name="household_id" value="{newcomer.id}"' in page and "taken off earlier" in page
    # Adding from the check needs a reason, like any change.
    empty = client.post(
        f"/staf/daftar-penerima/{period.id}/tambah?lang=en",
        data={"household_id": newcomer.id, "reason": ""},
    )
    assert empty.status_code == 200 and "Please fill in this field." in empty.get_data(as_text=True)
    assert f'value="{newcomer.id}"' in empty.get_data(as_text=True)  # the typed number kept
    assert newcomer.id not in {e.household_id for e in db.session.scalars(select(ListEntry))}
    done = client.post(
        f"/staf/daftar-penerima/{period.id}/tambah",
        data={"household_id": newcomer.id, "reason": "Rentan, diusulkan aturan baru"},
    )
    assert done.status_code == 302
    assert newcomer.id not in {h.id for h in services.rule_check(period).missing}


def test_an_approved_list_still_agrees_with_its_rules(village, make_user):
    """Approval enrols the listed households in the registry; that enrolment is this
    list's own and does not make them "covered by the same kind of aid"."""
    period, *_ = published(village, make_user)
    assert services.rule_check(period).agrees


def test_the_rule_check_is_for_staff_and_only_editors_get_the_buttons(
    village, client, login_as, make_user
):
    operator = make_user("operator")
    period = _period(village["cash"], operator)
    services.propose_draft(period, actor=operator)
    data = {name: getattr(period, name) for name in services.PERIOD_FIELDS}
    # Fewer need levels and no aid-type fit: some listed households drop out, others come in.
    services.save_period(
        period, {**data, "rule_need_levels": "miskin", "rule_aid_fit": False}, actor=operator
    )
    check = services.rule_check(period)
    assert check.unmatched and check.missing
    url = f"/staf/daftar-penerima/{period.id}/aturan"
    assert client.get(url).status_code == 302  # to the login
    login_as("auditor")
    page = client.get(url).get_data(as_text=True)
    assert "Periksa terhadap aturan" in page
    assert f"/staf/registrasi/rumah-tangga/{check.unmatched[0].household_id}" in page
    assert "Keluarkan" not in page and 'name="household_id"' not in page
    login_as("operator")
    page = client.get(url).get_data(as_text=True)
    assert "Keluarkan" in page and 'name="household_id"' in page


def _decide(period, operator, **over):
    data = dict(
        held_on=village_today() - timedelta(days=1),
        place="Balai Desa",
        attendees_count=50,
        quorum_required=30,
        decisions="Daftar ditetapkan.",
        minutes="Notulen rapat.",
    )
    data.update(over)
    return services.record_decision(period, data, over.pop("attendees", ATTENDEES), actor=operator)


def published(village, make_user, **rules):
    operator = make_user("operator")
    head = make_user("auditor")
    period = _period(village["cash"], operator, **rules)
    services.propose_draft(period, actor=operator)
    decision = _decide(period, operator)
    services.approve(period, actor=head)
    version = services.publish(period, actor=operator)
    return period, version, decision, operator, head


def test_meeting_needs_the_bpd_and_a_quorum_and_only_the_head_approves(village, make_user):
    operator, head, admin = make_user("operator"), make_user("auditor"), make_user("admin")
    period = _period(village["cash"], operator)
    services.propose_draft(period, actor=operator)
    with pytest.raises(services.ListError) as error:
        _decide(period, operator, attendees="Hendra; Kepala Desa\nBudi; Warga")
    assert error.value.field == "attendees"
    with pytest.raises(services.ListError):
        _decide(period, operator, attendees="Tanpa peran")
    with pytest.raises(services.ListError):
        services.approve(period, actor=head)  # no meeting yet
    low = _decide(period, operator, attendees_count=10, quorum_required=30)
    assert not low.quorum_met
    with pytest.raises(services.ListError):
        services.approve(period, actor=head)
    decision = _decide(period, operator, held_on=village_today())
    assert decision.bpd_present and decision.quorum_met
    with pytest.raises(services.ListError):
        services.approve(period, actor=operator)  # the operator prepares, never approves
    with pytest.raises(services.ListError):
        services.publish(period, actor=operator)  # not approved yet
    approval = services.approve(period, actor=head)
    assert approval.approver_role == "auditor" and approval.households == services.active_count(
        period
    )
    active = db.session.scalars(select(ListEntry).where(ListEntry.active.is_(True))).all()
    assert active and all(e.decision_id == decision.id for e in active)
    # A change afterwards needs a new approval (an admin may be the village head).
    services.remove_household(period, active[0].household_id, "Salah data", actor=operator)
    assert not services.approval_holds(period)
    with pytest.raises(services.ListError):
        services.publish(period, actor=operator)
    services.approve(period, actor=admin)
    version = services.publish(period, actor=operator)
    assert version.number == 1 and version.households == len(active) - 1
    assert (
        db.session.scalar(
            select(db.func.count()).where(AuditEntry.action.in_(("approve_list", "publish_list")))
        )
        == 3
    )


def test_published_versions_cannot_be_changed(village, make_user):
    _period_, version, *_ = published(village, make_user)
    with pytest.raises((IntegrityError, DBAPIError)):
        db.session.execute(text("UPDATE recipient_version_row SET masked_name = 'x'"))
        db.session.flush()
    db.session.rollback()
    with pytest.raises((IntegrityError, DBAPIError)):
        db.session.execute(text("DELETE FROM recipient_version"))
    db.session.rollback()


def _private_values(version) -> dict[str, set]:
    rows = db.session.scalars(
        select(ListVersionRow).where(ListVersionRow.version_id == version.id)
    ).all()
    households = [db.session.get(Household, r.household_id) for r in rows]
    people = [p for h in households for p in h.members]
    return {
        "nik": {p.nik for p in people if p.nik},
        "kk": {h.kk_number for h in households if h.kk_number},
        "address": {h.address for h in households if h.address},
        "birth": {p.birth_date for p in people if p.birth_date},
        "full": {r.full_name for r in rows},
    }


def _scan(body: bytes, private: dict, *, full_names_ok: bool = False) -> None:
    assert not SIXTEEN.search(body), SIXTEEN.search(body)
    assert not NUMERIC_DATE.search(body), NUMERIC_DATE.search(body)
    for key in ("nik", "kk", "address"):
        for value in private[key]:
            assert value.encode() not in body, (key, value)
    from flask_babel import force_locale, format_date

    for born in private["birth"]:
        for lang in ("id", "en"):
            with force_locale(lang):
                for fmt in ("long", "medium"):
                    assert format_date(born, fmt).encode() not in body, born
        for form in (born.strftime("%d%m%Y"), born.strftime("%Y%m%d"), born.strftime("%d%m%y")):
            assert form.encode() not in body, born
    if not full_names_ok:
        for name in private["full"]:
            if len(name.split()[0]) > 2:
                assert name.encode() not in body, name


@pytest.mark.parametrize("lang", ["id", "en"])
def test_published_list_holds_no_personal_data_in_any_form(village, make_user, client, app, lang):
    app.config["LISTS_PDF_COMPRESS"] = False
    period, version, *_ = published(village, make_user)
    private = _private_values(version)
    assert private["nik"] and private["birth"]
    pages = [f"/daftar-penerima?lang={lang}", f"/daftar-penerima/{period.id}?lang={lang}"]
    last = -(-version.households // 100)
    pages += [f"/daftar-penerima/{period.id}?halaman={p}" for p in range(1, last + 1)]
    pages += [
        f"/daftar-penerima/{period.id}/versi/1.pdf?lang={lang}",
        f"/daftar-penerima/{period.id}/versi/1.csv",
        f"/daftar-penerima/{period.id}/sanggah",
    ]
    first = db.session.scalar(select(ListVersionRow).where(ListVersionRow.version_id == version.id))
    pages.append(f"/daftar-penerima/{period.id}/sanggah?baris={first.id}")
    seen_pdf = False
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data()
        if url.endswith(".pdf") or ".pdf?" in url:
            assert body.startswith(b"%PDF")
            assert first.masked_name.encode("latin-1") in body  # text is readable: not compressed
            seen_pdf = True
        _scan(body, private)
    assert seen_pdf
    assert first.masked_name.encode() in client.get(f"/daftar-penerima/{period.id}").get_data()


def test_public_print_is_masked_whatever_the_village_setting(village, make_user, client, app):
    """The full-name print is a staff download (tests/test_lists_downloads.py): the public
    PDF, page and CSV stay masked even where the village prints full names."""
    app.config["LISTS_PDF_COMPRESS"] = False
    app.config["LISTS_PRINT_FULL_NAMES"] = True
    period, version, *_ = published(village, make_user)
    row = db.session.scalar(select(ListVersionRow).where(ListVersionRow.version_id == version.id))
    url = f"/daftar-penerima/{period.id}/versi/1.pdf"
    body = client.get(url).get_data()
    assert row.masked_name.encode("latin-1") in body
    assert row.full_name.encode("latin-1") not in body
    _scan(body, _private_values(version))
    assert row.full_name.encode() not in client.get(f"/daftar-penerima/{period.id}").get_data()
    csv_body = client.get(f"/daftar-penerima/{period.id}/versi/1.csv").get_data()
    assert row.full_name.encode() not in csv_body


def test_board_shows_totals_per_rt_rw_and_changes_between_versions(village, make_user, client):
    period, version, decision, operator, head = published(village, make_user)
    totals = services.totals(version, period.amount)
    assert sum(t.households for t in totals) == version.households
    assert all(t.amount == t.households * 900_000 for t in totals)
    rows = services.version_rows(version)
    gone = rows[0]
    services.remove_household(period, gone.household_id, "Pindah domisili", actor=operator)
    newcomer = db.session.scalar(
        select(Household.id)
        .where(
            Household.id.not_in(select(ListEntry.household_id)), Household.need_level == "miskin"
        )
        .limit(1)
    )
    services.add_household(period, newcomer, "Hasil musyawarah", actor=operator)
    services.approve(period, actor=head)
    v2 = services.publish(period, actor=operator)
    assert v2.number == 2
    assert v2.summary["added"] == 1 and v2.summary["removed"] == 1
    assert v2.summary["removed_names"] == [gone.masked_name]
    page = client.get(f"/daftar-penerima/{period.id}?lang=en").get_data(as_text=True)
    assert "Changes since version 1" in page and gone.masked_name in page
    old = client.get(f"/daftar-penerima/{period.id}?versi=1&lang=en").get_data(as_text=True)
    assert "replaced by a later version" in old
    # Version 1 is kept as it was.
    assert len(services.version_rows(version)) == version.households


def test_scan_upload_is_checked_by_content(village, client, login_as, app, tmp_path):
    import io

    app.config["LISTS_UPLOAD_DIR"] = str(tmp_path / "scans")
    operator = login_as("operator")
    period = _period(village["cash"], operator)
    form = dict(
        held_on="2026-11-20",
        place="Balai Desa",
        attendees_count="40",
        quorum_required="30",
        attendees=ATTENDEES,
        decisions="Ditetapkan",
        minutes="Notulen",
    )
    bad = client.post(
        f"/staf/daftar-penerima/{period.id}/musdesus",
        data={**form, "scan": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "berita-acara.pdf")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 200
    assert services.latest_decision(period) is None
    assert 'value="Balai Desa"' in bad.get_data(as_text=True)  # typed values kept
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    ok = client.post(
        f"/staf/daftar-penerima/{period.id}/musdesus",
        data={**form, "scan": (io.BytesIO(pdf), "scan.pdf")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    decision = services.latest_decision(period)
    assert decision.scan_mimetype == "application/pdf"
    assert (tmp_path / "scans" / decision.scan_file).read_bytes() == pdf
    got = client.get(f"/staf/daftar-penerima/musdesus/{decision.id}/pindaian")
    assert got.status_code == 200 and got.get_data() == pdf


def test_auditor_reads_and_approves_but_does_not_edit(village, client, login_as, make_user):
    operator = make_user("operator")
    period = _period(village["cash"], operator)
    services.propose_draft(period, actor=operator)
    _decide(period, operator)
    login_as("auditor")
    assert client.get(f"/staf/daftar-penerima/{period.id}").status_code == 200
    hid = db.session.scalar(select(ListEntry.household_id).limit(1))
    assert (
        client.post(f"/staf/daftar-penerima/{period.id}/hapus/{hid}", data={"reason": "x"})
    ).status_code == 403
    assert client.post(f"/staf/daftar-penerima/{period.id}/setujui").status_code == 302
    assert services.latest_approval(period).approver_role == "auditor"


# ------------------------------------------------------------- approval enrols in the registry


def _enrolments(period) -> dict[int, Enrolment]:
    """The village enrolments in the period's programme from its first day (the demo
    registry has enrolments of its own, from other days)."""
    rows = db.session.scalars(
        select(Enrolment).where(
            Enrolment.programme_id == period.programme_id,
            Enrolment.period_start == period.starts_on,
        )
    )
    return {e.household_id: e for e in rows}


def _active_ids(period) -> set[int]:
    return {e.household_id for e in db.session.scalars(services.entries_query(period))}


def test_approval_enrols_the_listed_households_once_and_follows_changes(village, make_user):
    from portal.registry.services import covered_households, overlaps

    operator, head = make_user("operator"), make_user("auditor")
    cash = village["cash"]
    period = _period(cash, operator)
    services.propose_draft(period, actor=operator)
    listed = sorted(_active_ids(period))
    # An operator enrolled one listed household by hand already: the list leaves it alone.
    by_hand = Enrolment(
        household_id=listed[0],
        programme_id=cash.id,
        period_start=period.starts_on,
        period_end=period.starts_on + timedelta(days=30),
    )
    db.session.add(by_hand)
    db.session.commit()
    before = len(db.session.scalars(select(Enrolment.id)).all()) - 1
    _decide(period, operator)
    assert _enrolments(period).keys() == {listed[0]}  # nothing before the approval
    services.approve(period, actor=head)

    made = _enrolments(period)
    assert made.keys() == set(listed)
    assert made[listed[0]].id == by_hand.id and made[listed[0]].period_end != period.ends_on
    for hid in listed[1:]:
        e = made[hid]
        assert (e.period_start, e.period_end, e.person_id) == (
            period.starts_on,
            period.ends_on,
            None,
        )
    entries = {e.household_id: e for e in db.session.scalars(select(ListEntry))}
    assert entries[listed[0]].enrolment_id is None
    assert all(entries[h].enrolment_id == made[h].id for h in listed[1:])
    # The registry now sees them: covered for cash in the period, and a national cash
    # programme for one of them is an overlap.
    assert set(listed) <= covered_households("cash", period.starts_on, period.ends_on)
    db.session.add(
        ExternalEnrolment(
            household_id=listed[1], programme_code="PKH", period_start=village_today()
        )
    )
    db.session.commit()
    assert any(o.household_id == listed[1] for o in overlaps(listed[1]))
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "approve_list"))
    assert len(entry.after["enrolments"]["enrolled"]) == len(listed) - 1

    # Taken off before the period begins: the enrolment the list made goes; the one made
    # by hand stays. Re-approving twice changes nothing more.
    services.remove_household(period, listed[1], "Pindah desa", actor=operator)
    services.remove_household(period, listed[0], "Sudah mampu", actor=operator)
    services.approve(period, actor=head)
    with pytest.raises(services.ListError):
        services.approve(period, actor=head)
    now = _enrolments(period)
    assert listed[1] not in now and now[listed[0]].id == by_hand.id
    assert set(now) == set(listed) - {listed[1]}
    # Put back: enrolled again, exactly once.
    services.add_household(period, listed[1], "Keberatan diterima", actor=operator)
    services.approve(period, actor=head)
    assert set(_enrolments(period)) == set(listed)
    assert len(db.session.scalars(select(Enrolment.id)).all()) == before + len(listed)


def test_a_household_taken_off_during_the_period_stops_the_day_before(village, make_user):
    operator, head = make_user("operator"), make_user("auditor")
    period = _period(village["cash"], operator)
    services.propose_draft(period, actor=operator)
    _decide(period, operator)
    services.approve(period, actor=head)
    hid = sorted(_active_ids(period))[0]
    services.remove_household(period, hid, "Meninggal dunia, tanpa ahli waris", actor=operator)
    later = period.starts_on + timedelta(days=10)
    services.approve(period, actor=head, today=later)
    item = _enrolments(period)[hid]
    assert item.period_end == later - timedelta(days=1)
    services.add_household(period, hid, "Ahli waris ditemukan", actor=operator)
    services.approve(period, actor=head, today=later)
    item = _enrolments(period)[hid]
    assert item.period_end == period.ends_on


def test_changing_what_was_approved_needs_a_new_approval_that_moves_the_enrolments(
    village, make_user
):
    operator, head = make_user("operator"), make_user("auditor")
    period = _period(village["cash"], operator)
    services.propose_draft(period, actor=operator)
    _decide(period, operator)
    services.approve(period, actor=head)
    listed = _active_ids(period)
    data = {name: getattr(period, name) for name in services.PERIOD_FIELDS}
    # A new title is only a name; saving the same values again changes nothing either.
    services.save_period(period, {**data, "title_en": "BLT, first quarter"}, actor=operator)
    services.save_period(period, dict(data), actor=operator)
    assert services.approval_holds(period)

    start = period.starts_on + timedelta(days=14)
    end = start + timedelta(days=89)
    services.save_period(period, {**data, "starts_on": start, "ends_on": end}, actor=operator)
    assert not services.approval_holds(period)
    with pytest.raises(services.ListError):
        services.publish(period, actor=operator)
    services.approve(period, actor=head)
    moved = _enrolments(period)
    assert set(moved) == listed
    assert {(e.period_start, e.period_end) for e in moved.values()} == {(start, end)}
    services.publish(period, actor=operator)

    services.save_period(period, {**data, "amount": 600_000}, actor=operator)
    assert not services.approval_holds(period)


def test_the_edit_form_says_when_a_new_approval_is_needed(village, client, login_as, make_user):
    head = make_user("auditor")
    operator = login_as("operator")
    period = _period(village["cash"], operator)
    services.propose_draft(period, actor=operator)
    _decide(period, operator)
    services.approve(period, actor=head)
    url = f"/staf/daftar-penerima/{period.id}/ubah"
    form = {
        "programme_id": period.programme_id,
        "title_id": period.title_id,
        "title_en": period.title_en,
        "starts_on": period.starts_on.isoformat(),
        "ends_on": period.ends_on.isoformat(),
        "budget": "50000000",
        "amount": "900000",
        "benefit_id": period.benefit_id,
        "benefit_en": period.benefit_en,
        "rule_need_levels": ["sangat_miskin", "miskin"],
        "rule_composition": "",
        "rule_aid_fit": "y",
        "rule_not_covered": "y",
        "objection_days": "7",
    }
    same = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "Perubahan Anda sudah disimpan." in same and "menyetujui daftar ini lagi" not in same
    assert services.approval_holds(period)
    later = {**form, "ends_on": (period.ends_on + timedelta(days=31)).isoformat()}
    page = client.post(url, data=later, follow_redirects=True).get_data(as_text=True)
    assert "menyetujui daftar ini lagi" in page
    assert not services.approval_holds(period)


# The period page's three reads each alone (portal/lists/services/period_page.py reads
# them in one statement, `period_records`): what that statement is compared with.


def _recent_changes(period_id: int, limit: int = 50) -> list[Any]:
    """The `limit` newest changes (as `changes`), as rows of the columns the page shows."""
    return read(db.session, _changes_statement(), {"period_id": period_id, "limit": limit}).all()


@cache
def _changes_statement():
    return (
        select(
            ListChange.at,
            ListChange.actor_name,
            ListChange.household_id,
            ListChange.action,
            ListChange.reason,
        )
        .where(ListChange.period_id == bindparam("period_id"))
        .order_by(ListChange.at.desc(), ListChange.id.desc())
        .limit(bindparam("limit"))
    )


def _meetings(period_id: int) -> list:
    """The period's meetings newest first (as `decisions`), each with its attendees in
    their order: one statement."""
    found: dict[int, period_page.DecisionRow] = {}
    for row in read(db.session, _meetings_statement(), {"period_id": period_id}):
        meeting = found.get(row.id)
        if meeting is None:
            meeting = found[row.id] = period_page.DecisionRow(*row[:7])
        if row.attendee_id is not None:
            meeting.attendees.append(row)
    return list(found.values())


@cache
def _meetings_statement():
    return (
        select(
            ListDecision.id,
            ListDecision.held_on,
            ListDecision.place,
            ListDecision.attendees_count,
            ListDecision.quorum_required,
            ListDecision.decisions,
            ListDecision.scan_file,
            ListAttendee.id.label("attendee_id"),
            ListAttendee.name,
            ListAttendee.role,
            ListAttendee.is_bpd,
            ListAttendee.user_id,
        )
        .outerjoin(ListAttendee, ListAttendee.decision_id == ListDecision.id)
        .where(ListDecision.period_id == bindparam("period_id"))
        .order_by(ListDecision.held_on.desc(), ListDecision.id.desc(), ListAttendee.id)
    )


def _objection_rows(period_id: int) -> list[Any]:
    """The period's objections in their order (as `period_objections`): id, kind, status."""
    return read(db.session, _objections_statement(), {"period_id": period_id}).all()


@cache
def _objections_statement():
    return (
        select(ListObjection.id, ListObjection.kind, ListObjection.status)
        .where(ListObjection.period_id == bindparam("period_id"))
        .order_by(ListObjection.id)
    )


def test_the_period_page_reads_the_same_entries_names_and_counts(village, make_user):
    """The period page's own reads (lists.services.period_page) give what the general
    services give: a page of entries with its count and names (also the entries taken
    off and a page past the end), the newest changes, the meetings, the objections."""
    from portal.lists.services import period_page
    from portal.lists.services.draft import EntryRow

    operator = make_user("operator")
    period = _period(village["cash"], operator)
    services.propose_draft(period, actor=operator)
    listed = list(db.session.scalars(select(ListEntry.household_id).where(ListEntry.active)))
    for household_id in listed[:3]:
        services.remove_household(period, household_id, "Pindah", actor=operator)
    for active in (True, False):
        entries = db.session.scalars(services.entries_query(period, active=active)).all()
        for page in (1, 2, 99):
            expected = [
                EntryRow(
                    e.household_id,
                    e.source,
                    e.decision_id,
                    e.household.rt_rw,
                    e.household.need_level,
                    e.household.desil,
                )
                for e in entries[(page - 1) * 7 : page * 7]
            ]
            found, names = period_page.named_entries_page(period.id, page, 7, active=active)
            assert found.items == expected
            assert found.total == len(entries)
            shown = [e.household_id for e in expected]
            assert names == (services.recipient_names(shown) if shown else {})
    head = period_page.period_head(period.id)
    # The period as a plain object of its columns, named as the model's attributes.
    assert head.period.id == period.id and head.programme_name == period.programme.name_id
    for key in period_page._columns(ListPeriod):
        assert getattr(head.period, key) == getattr(period, key), key
    assert head.approval is None and head.version_number is None
    assert period_page.period_head(period.id + 1000) is None
    changes = services.changes(period, limit=2)
    assert [tuple(r) for r in _recent_changes(period.id, 2)] == [
        (c.at, c.actor_name, c.household_id, c.action, c.reason) for c in changes
    ]
    decision = _decide(period, operator)
    meetings = _meetings(period.id)
    assert [m.id for m in meetings] == [decision.id]
    assert [a.name for a in meetings[0].attendees] == [a.name for a in decision.attendees]
    assert meetings[0].bpd_present == decision.bpd_present
    assert meetings[0].quorum_met == decision.quorum_met
    assert _objection_rows(period.id) == []


def test_the_period_page_head_has_the_latest_approval_and_version(village, make_user):
    from portal.lists.services import period_page

    period, version, _decision, _operator, _head = published(village, make_user)
    head = period_page.period_head(period.id)
    latest = services.latest_approval(period)
    assert head.approval is not None and head.approval.id == latest.id
    for key in period_page._columns(ListApproval):
        assert getattr(head.approval, key) == getattr(latest, key), key
    assert services.approval_holds(head.period, head.approval) == services.approval_holds(
        period, latest
    )
    assert (head.version_number, head.version_approval_id) == (
        version.number,
        version.approval_id,
    )


def test_the_new_period_form_keeps_its_blank_fields_but_reads_the_programmes(app, client, login_as):
    """Past the programme menu, the new period's blank form is kept per worker
    (kept_fragment); the menu is read each time, and a form sent back with errors shows
    what was typed."""
    factories.programme(slug="pangan", name_id="Program pangan")
    login_as("operator")
    first = client.get("/staf/daftar-penerima/baru").get_data(as_text=True)
    factories.programme(slug="blt", aid_type="cash", name_id="Program BLT")
    again = client.get("/staf/daftar-penerima/baru").get_data(as_text=True)
    assert "Program BLT" not in first and "Program BLT" in again
    assert 'name="objection_days" required type="number" value="7"' in again
    fields = again[again.index('id="title_id"') : again.index('type="submit"')]
    assert fields in first
    sent = client.post("/staf/daftar-penerima/baru", data={"title_id": "BLT Tahap Dua"})
    assert sent.status_code == 200 and 'value="BLT Tahap Dua"' in sent.get_data(as_text=True)


def test_the_period_page_keeps_its_blank_add_form_with_this_requests_token(app, client, login_as):
    """The period page's blank form to add a household is kept per worker
    (kept_fragment), the same on every GET in both languages; its CSRF field is written
    as hidden_tag() writes it."""
    programme = factories.programme(slug="blt", aid_type="cash", name_id="Program BLT")
    operator = login_as("operator")
    period = _period(programme, operator)
    url = f"/staf/daftar-penerima/{period.id}"

    def add_form(html: str) -> str:
        return html[html.index("/tambah") : html.index("</details>")]

    for lang, label in (("id", "Nomor rumah tangga"), ("en", "Household number")):
        first = client.get(url, query_string={"lang": lang}).get_data(as_text=True)
        again = client.get(url, query_string={"lang": lang}).get_data(as_text=True)
        assert add_form(first) == add_form(again)
        assert label in add_form(first) and 'id="reason"' in add_form(first)
        assert '<input name="csrf_token" type="hidden" value="' in add_form(first)
        assert 'id="csrf_token"' not in add_form(first)  # one page, several forms: no id


def test_the_period_pages_records_in_one_statement_are_the_three_reads(village, make_user):
    """period_page.period_records reads what recent_changes, meetings and objection_rows
    read (one statement instead of three): changes newest first up to the limit, two
    meetings newest first with their attendees in order, objections by number."""
    from portal.lists.services import period_page

    period, version, decision, operator, _ = published(village, make_user)
    later = _decide(period, operator, held_on=village_today(), place="Pos <RW> 2")
    listed = list(db.session.scalars(select(ListEntry.household_id).where(ListEntry.active)))
    for household_id in listed[:4]:
        services.remove_household(period, household_id, "Pindah & <lainnya>", actor=operator)
    rows = services.version_rows(version)
    for row in rows[:2]:
        services.file_objection(version, "remove", "Sudah mampu", row_id=row.id)
    for limit in (3, 50):
        records = period_page.period_records(period.id, limit)
        assert [tuple(r) for r in records.changes] == [
            tuple(r) for r in _recent_changes(period.id, limit)
        ]
        assert len(records.changes) == min(limit, len(services.changes(period, limit=50)))
        meetings = _meetings(period.id)
        assert (
            [m.id for m in records.decisions]
            == [m.id for m in meetings]
            == [
                later.id,
                decision.id,
            ]
        )
        for new, old in zip(records.decisions, meetings, strict=True):
            assert new.held_on == old.held_on and new.place == old.place
            assert (new.attendees_count, new.quorum_required) == (
                old.attendees_count,
                old.quorum_required,
            )
            assert (new.decisions, new.scan_file) == (old.decisions, old.scan_file)
            assert [(a.name, a.role, a.is_bpd, a.user_id) for a in new.attendees] == [
                (a.name, a.role, a.is_bpd, a.user_id) for a in old.attendees
            ]
            assert new.bpd_present == old.bpd_present and new.quorum_met == old.quorum_met
        assert [tuple(o) for o in records.objections] == [
            tuple(o) for o in _objection_rows(period.id)
        ]
        assert len(records.objections) == 2
    empty = period_page.period_records(period.id + 1000)
    assert (empty.changes, empty.decisions, empty.objections) == ([], [], [])


def test_a_board_pages_plain_rows_are_the_version_rows(village, make_user):
    """version_page's plain rows (id, masked name, RT/RW written from the numbers) are
    the version's rows in board order, page by page."""
    period, version, *_ = published(village, make_user)
    rows = [(r.id, r.masked_name, r.rt_rw) for r in services.version_rows(version)]
    assert rows
    pages = [services.version_page(version, page, 5) for page in range(1, len(rows) // 5 + 2)]
    assert [(r.id, r.masked_name, r.rt_rw) for page in pages for r in page] == rows
    assert services.version_page(version, 1, 1000)[0].rt_rw == rows[0][2]
