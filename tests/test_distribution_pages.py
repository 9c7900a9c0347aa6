"""Staff pages of distribution rounds and the public round pages: who may do what,
bad input beside its field with nothing written, both languages, no personal data in
public, the invitations PDF."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.distribution.models import (
    DistributionPoint,
    DistributionRound,
    Entitlement,
    RoundItem,
    TimeSlot,
)
from portal.extensions import db
from portal.models_base import village_today
from tests.distribution_helpers import approved_round, draft_round, published_list
from tests.test_csr import pdf_text


def text_of(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _round_data(version_id: int, **changes) -> dict:
    start = village_today() + timedelta(days=20)
    data = {
        "version_id": str(version_id),
        "title_id": "Penyaluran Februari",
        "title_en": "February distribution",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=1)).isoformat(),
        "cash_amount": "300.000",
        "sample_percent": "10",
        "sample_minimum": "30",
    }
    data.update(changes)
    return data


def test_an_operator_makes_a_draft_round_with_a_point_slot_and_item(make_user, login_as, client):
    _, version, _, _ = published_list(make_user)
    login_as("operator")
    response = client.post("/staf/penyaluran/baru", data=_round_data(version.id))
    assert response.status_code == 302
    round_ = db.session.scalars(select(DistributionRound)).one()
    assert round_.cash_amount == 300_000 and round_.status == "draft"
    base = f"/staf/penyaluran/{round_.id}"
    response = client.post(
        f"{base}/titik", data={"name": "Balai Desa", "opens_at": "08:00", "closes_at": "15:00"}
    )
    assert response.status_code == 302
    point = db.session.scalars(select(DistributionPoint)).one()
    day = round_.starts_on.isoformat()
    slot = {"point_id": point.id, "rt": "1", "rw": "1", "day": day}
    response = client.post(
        f"{base}/jadwal", data={**slot, "starts_at": "08:00", "ends_at": "09:00"}
    )
    assert response.status_code == 302 and count(TimeSlot) == 1
    item = {"name_id": "Beras", "quantity": "2,5", "unit": "kg", "formula_key": ""}
    assert client.post(f"{base}/barang", data=item).status_code == 302
    assert db.session.scalars(select(RoundItem)).one().quantity_milli == 2500
    page = text_of(client.get(base))
    assert "Balai Desa" in page and "2,5 kg" in page


def test_bad_input_is_shown_beside_the_field_and_nothing_is_written(make_user, login_as, client):
    _, version, _, _ = published_list(make_user)
    login_as("operator")
    start = village_today() + timedelta(days=20)
    bad = _round_data(version.id, ends_on=(start - timedelta(days=3)).isoformat())
    response = client.post("/staf/penyaluran/baru?lang=en", data=bad)
    assert response.status_code == 200
    page = text_of(response)
    assert 'id="ends_on-error"' in page and "The last day cannot be before the first." in page
    assert 'value="Penyaluran Februari"' in page
    assert count(DistributionRound) == 0
    page = text_of(client.post("/staf/penyaluran/baru?lang=id", data=bad))
    assert "The last day cannot be before the first." not in page
    assert 'id="ends_on-error"' in page and count(DistributionRound) == 0


def test_a_slot_outside_the_rounds_dates_is_refused(make_user, login_as, client):
    _, version, operator, _ = published_list(make_user)
    round_ = draft_round(version, operator)
    slots = count(TimeSlot)
    login_as("operator")
    point = round_.points[0]
    data = {
        "point_id": point.id,
        "rt": "77",
        "day": (round_.ends_on + timedelta(days=5)).isoformat(),
        "starts_at": "08:00",
        "ends_at": "09:00",
    }
    response = client.post(f"/staf/penyaluran/{round_.id}/jadwal?lang=en", data=data)
    assert response.status_code == 422
    assert 'id="day-error"' in text_of(response)
    assert "The day must fall within the round" in text_of(response)
    assert count(TimeSlot) == slots
    data["day"], data["ends_at"] = round_.starts_on.isoformat(), "07:00"
    response = client.post(f"/staf/penyaluran/{round_.id}/jadwal?lang=en", data=data)
    assert 'id="ends_at-error"' in text_of(response) and count(TimeSlot) == slots


def test_only_overseers_approve_and_editors_open_and_cancel(make_user, login_as, client):
    _, version, operator, _ = published_list(make_user)
    round_ = draft_round(version, operator)
    base = f"/staf/penyaluran/{round_.id}"
    login_as("operator")
    assert client.post(f"{base}/setujui").status_code == 403
    assert count(Entitlement) == 0
    login_as("auditor")
    assert client.post(f"{base}/buka").status_code == 403
    assert client.post(f"{base}/batal", data={"cancel-reason": "x"}).status_code == 403
    assert client.post(f"{base}/setujui").status_code == 302
    db.session.expire_all()
    assert db.session.get(DistributionRound, round_.id).status == "approved"
    assert count(Entitlement) == version.households
    login_as("operator")
    assert client.post(f"{base}/buka").status_code == 302
    db.session.expire_all()
    assert db.session.get(DistributionRound, round_.id).status == "open"
    # Once open, a round is never cancelled.
    client.post(f"{base}/batal", data={"cancel-reason": "Hujan"})
    db.session.expire_all()
    assert db.session.get(DistributionRound, round_.id).status == "open"
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "open_round")) == 1


def test_cancelling_needs_a_reason_and_cancels_the_entitlements(make_user, login_as, client):
    round_, version, _, _ = approved_round(make_user, households=40)
    login_as("operator")
    base = f"/staf/penyaluran/{round_.id}"
    response = client.post(f"{base}/batal?lang=en", data={"cancel-reason": "  "})
    assert response.status_code == 422 and 'id="cancel-reason-error"' in text_of(response)
    db.session.expire_all()
    assert db.session.get(DistributionRound, round_.id).status == "approved"
    assert client.post(f"{base}/batal", data={"cancel-reason": "Banjir"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(DistributionRound, round_.id).cancel_reason == "Banjir"
    statuses = set(db.session.scalars(select(Entitlement.status)))
    assert statuses == {"cancelled"}


def test_amending_without_a_later_version_is_refused(make_user, login_as, client):
    round_, version, _, _ = approved_round(make_user, households=40)
    login_as("auditor")
    response = client.post(
        f"/staf/penyaluran/{round_.id}/ubah-daftar?lang=en",
        data={"version_id": str(version.id), "reason": "Sanggahan diterima"},
    )
    assert response.status_code == 422
    assert count(Entitlement) == version.households


def test_the_entitlements_list_filters_by_rt_and_status(make_user, login_as, client):
    round_, version, _, _ = approved_round(make_user, households=60)
    one = db.session.scalars(select(Entitlement).order_by(Entitlement.id)).first()
    login_as("auditor")
    page = text_of(client.get(f"/staf/penyaluran/{round_.id}/penerima?rt={one.rt}&status=due"))
    in_rt = db.session.scalar(
        select(func.count()).where(Entitlement.rt == one.rt, Entitlement.round_id == round_.id)
    )
    assert f"{in_rt} " in page and one.collector.name in page
    page = text_of(client.get(f"/staf/penyaluran/{round_.id}/penerima?status=collected"))
    assert one.collector.name not in page
    assert client.get(f"/staf/penyaluran/{round_.id}/penerima?status=nope").status_code == 404
    assert client.get(f"/staf/penyaluran/{round_.id}/penerima?rt=abc").status_code == 404


def test_invitations_pdf_holds_each_code_and_is_audited(app, make_user, login_as, client):
    round_, version, _, _ = approved_round(make_user, households=30)
    app.config["VILLAGE_WHATSAPP"] = "0812-7000-1234"  # the complaint number it prints
    login_as("operator")
    response = client.get(f"/staf/penyaluran/{round_.id}/undangan.pdf?tata=a6")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    codes = db.session.scalars(select(Entitlement.code)).all()
    assert codes and all(code[:4] in text and code[-4:] in text for code in codes)
    assert "0812-7000-1234" in text
    # The address of the survey after the round, answered with the same code.
    assert "/partisipasi/kode" in text.replace("\n", "")
    assert response.data.count(b"/Type /Page\n") + response.data.count(b"/Type /Page ") >= 1
    assert (
        db.session.scalar(select(func.count()).where(AuditEntry.action == "print_invitations")) == 1
    )
    name = db.session.scalars(select(Entitlement)).first().collector.name
    assert name.split()[0] not in text
    assert client.get(f"/staf/penyaluran/{round_.id}/undangan.pdf?tata=zz").status_code == 404
    login_as("auditor")
    assert client.get(f"/staf/penyaluran/{round_.id}/undangan.pdf").status_code == 403


def test_a_draft_round_prints_no_invitations(make_user, login_as, client):
    _, version, operator, _ = published_list(make_user)
    round_ = draft_round(version, operator)
    login_as("operator")
    response = client.get(f"/staf/penyaluran/{round_.id}/undangan.pdf")
    assert response.status_code == 302
    assert (
        db.session.scalar(select(func.count()).where(AuditEntry.action == "print_invitations")) == 0
    )


def test_public_round_page_shows_counts_never_names(make_user, client):
    round_, version, _, _ = approved_round(make_user)
    entitlements = db.session.scalars(select(Entitlement)).all()
    for lang, words in (("id", "Perkembangan"), ("en", "Progress")):
        page = text_of(client.get(f"/penyaluran/{round_.id}?lang={lang}"))
        assert words in page
        assert f"0 / {len(entitlements)}" in page or f"0 of {len(entitlements)}" in page
    page = text_of(client.get(f"/penyaluran/{round_.id}"))
    for e in entitlements[:30]:
        assert e.collector.name not in page and e.household.address not in page
        assert e.code not in page
    listing = text_of(client.get("/penyaluran"))
    assert f"/penyaluran/{round_.id}" in listing


def test_a_draft_round_is_not_public(make_user, client):
    _, version, operator, _ = published_list(make_user)
    round_ = draft_round(version, operator)
    assert client.get(f"/penyaluran/{round_.id}").status_code == 404
    assert client.get(f"/penyaluran/{round_.id}.json").status_code == 404
    assert f"/penyaluran/{round_.id}" not in text_of(client.get("/penyaluran"))


def test_open_data_has_counts_and_hides_small_groups(make_user, client):
    round_, _, _, _ = approved_round(make_user)
    data = json.loads(client.get(f"/penyaluran/{round_.id}.json").data)
    due = db.session.scalar(select(func.count()).select_from(Entitlement))
    assert data["total"]["households_due"] == due
    assert data["total"]["households_collected"] == 0
    sizes = db.session.execute(
        select(Entitlement.rt, Entitlement.rw, func.count()).group_by(
            Entitlement.rt, Entitlement.rw
        )
    ).all()
    by_rt = {f"{rt:03d}/{rw:03d}" if rw is not None else f"{rt:03d}/–": n for rt, rw, n in sizes}
    assert any(n < 5 for n in by_rt.values())
    assert data["by_point"][0]["households_due"] == due
    for row in data["by_rt"]:
        n = by_rt[row["rt_rw"]]
        assert row["households_due"] == (n if n >= 5 else None)
    rows = list(
        csv.reader(io.StringIO(client.get(f"/penyaluran/{round_.id}.csv").data.decode("utf-8-sig")))
    )
    assert rows[0][:3] == ["group", "name", "households_due"]
    assert rows[1][0] == "total" and int(rows[1][2]) == due
    body = client.get(f"/penyaluran/{round_.id}.json").data.decode()
    assert not any(e.collector.name in body for e in db.session.scalars(select(Entitlement)))


def test_a_verified_resident_sees_the_households_invitation_on_akun(make_user, client):
    from portal.models_base import utcnow
    from tests.test_participation import login

    round_, _, _, _ = approved_round(make_user, households=30)
    mine, other = db.session.scalars(select(Entitlement).order_by(Entitlement.id).limit(2)).all()
    me = make_user("resident")
    me.person_id, me.verification_status, me.verified_at = mine.collector_id, "verified", utcnow()
    db.session.commit()
    login(client, me)
    page = text_of(client.get("/akun?lang=en"))
    assert "Invitations to collect aid" in page
    assert mine.code in page and other.code not in page
    data = client.get("/akun/data.json").get_data(as_text=True)
    assert mine.code in data
    # Not verified: nothing.
    me.verification_status = "pending"
    db.session.commit()
    assert mine.code not in text_of(client.get("/akun?lang=en"))


def test_akun_reads_the_households_invitations_in_the_same_statements_for_more_rounds(
    make_user,
):
    """A household invited in one round or in three: /akun's invitations cost the same
    statements (they were read round by round, with each round's points and slots)."""
    from portal.distribution import services
    from portal.distribution.services.invitations import invitation_for_person
    from tests.test_query_counts import counting

    round_, version, operator, head = approved_round(make_user, households=30)
    person_id = db.session.scalars(select(Entitlement.collector_id).limit(1)).one()

    def read():
        db.session.expire_all()
        with counting(db.engine) as seen:
            found = invitation_for_person(person_id)
        return found, len([s for s in seen if s != "BEGIN"])

    one, statements = read()
    assert [r.id for r, _inv in one] == [round_.id]
    for _n in range(2):
        services.approve(draft_round(version, operator).id, actor=head)
    three, more_statements = read()
    assert len(three) == 3 and len({inv.code for _r, inv in three}) == 3
    assert all(inv.point is not None and inv.day is not None for _r, inv in three)
    assert all(inv.lines for _r, inv in three)
    assert more_statements == statements, (statements, more_statements)


def test_the_self_check_names_the_round_of_the_households_invitation(make_user, client):
    round_, _, _, _ = approved_round(make_user, households=30)
    entitlement = db.session.scalars(select(Entitlement).order_by(Entitlement.id)).first()
    person = entitlement.collector
    page = text_of(
        client.post("/cek-bansos?lang=en", data={"nik": person.nik, "name": person.name})
    )
    assert "Your household has an invitation in the round" in page
    assert "BLT distribution, January" in page and entitlement.code not in page
    page = text_of(
        client.post("/cek-bansos?lang=en", data={"nik": person.nik, "name": "Orang Lain"})
    )
    assert "invitation in the round" not in page


def test_invitations_go_out_as_messages_once_to_verified_accounts(make_user, login_as, client):
    from portal.models_base import utcnow
    from portal.notify.models import OutboxMessage

    round_, _, _, _ = approved_round(make_user, households=30)
    mine, other = db.session.scalars(select(Entitlement).order_by(Entitlement.id).limit(2)).all()
    resident = make_user("resident", email="warga@example.org")
    resident.person_id, resident.verification_status = mine.collector_id, "verified"
    resident.verified_at = utcnow()
    pending = make_user("resident", email="belum@example.org")
    pending.person_id, pending.verification_status = other.collector_id, "pending"
    db.session.commit()
    login_as("operator")
    assert client.post(f"/staf/penyaluran/{round_.id}/kirim").status_code == 302
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [m.recipient for m in messages] == ["warga@example.org"]
    assert mine.code in messages[0].body and messages[0].kind == "invitation"
    client.post(f"/staf/penyaluran/{round_.id}/kirim")
    assert count(OutboxMessage) == 1
    login_as("auditor")
    assert client.post(f"/staf/penyaluran/{round_.id}/kirim").status_code == 403


def test_each_staff_route_names_the_roles_it_expects(app):
    """Reading is for staff readers, making and running rounds for editors, approving and
    amending for the village head and the BPD; the public pages are public."""
    from portal.roles import EDITORS, OVERSEERS, READERS
    from portal.security import PUBLIC_ATTR, ROLES_ATTR

    expected = {
        "index": READERS,
        "round_page": READERS,
        "entitlements": READERS,
        "approve": OVERSEERS,
        "amend": OVERSEERS,
    }
    found = 0
    for endpoint, view in app.view_functions.items():
        blueprint, _, name = endpoint.partition(".")
        if blueprint == "distribution_manage":
            assert set(getattr(view, ROLES_ATTR)) == set(expected.get(name, EDITORS)), name
            found += 1
        elif blueprint == "distribution":
            assert getattr(view, PUBLIC_ATTR, False), name
    assert found >= 14


def test_the_list_board_links_to_the_rounds_of_its_period(make_user, client):
    round_, version, _, _ = approved_round(make_user, households=30)
    board = text_of(client.get(f"/daftar-penerima/{version.period_id}?lang=en"))
    link = f"/penyaluran?daftar={version.period_id}"
    assert link in board
    assert f"/penyaluran/{round_.id}" in text_of(client.get(link))
    assert f"/penyaluran/{round_.id}" not in text_of(
        client.get(f"/penyaluran?daftar={version.period_id + 1}")
    )


def test_a_draft_is_edited_and_a_frozen_round_is_not(make_user, login_as, client):
    _, version, operator, _ = published_list(make_user)
    round_ = draft_round(version, operator)
    login_as("operator")
    base = f"/staf/penyaluran/{round_.id}/ubah"
    assert 'id="notes_id"' in text_of(client.get(base))
    assert 'id="notes_id"' not in text_of(client.get("/staf/penyaluran/baru"))
    data = _round_data(version.id, title_id="Judul baru", notes_id="Bawa tas sendiri.")
    data.update(starts_on=round_.starts_on.isoformat(), ends_on=round_.ends_on.isoformat())
    assert client.post(base, data=data).status_code == 302
    db.session.expire_all()
    changed = db.session.get(DistributionRound, round_.id)
    assert changed.title_id == "Judul baru" and changed.notes_id == "Bawa tas sendiri."
    # Dates that would leave a slot outside: refused beside the field, nothing changed.
    data.update(ends_on=round_.starts_on.isoformat(), title_id="Lagi")
    response = client.post(f"{base}?lang=en", data=data)
    assert 'id="ends_on-error"' in text_of(response)
    db.session.expire_all()
    assert db.session.get(DistributionRound, round_.id).title_id == "Judul baru"
    login_as("auditor")
    client.post(f"/staf/penyaluran/{round_.id}/setujui")
    login_as("operator")
    assert client.get(base).status_code == 404
