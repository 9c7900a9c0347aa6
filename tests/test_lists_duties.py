"""Separation of duties on recipient lists: the village head's approval comes from an
account that neither drew nor changed the working list; the meeting record names the
attendees who have accounts by their account."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.lists import duties, services
from portal.lists.models import ListApproval, ListAttendee, ListDecision, ListEntry
from portal.registry.models import Household
from tests import factories
from tests.test_lists import _decide, _period, village  # noqa: F401

CONFLICT_EN = "You drew or changed this list, so another account must approve it"
CONFLICT_ID = "Anda menyusun atau mengubah daftar ini"


def _approvals(period) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ListApproval).where(ListApproval.period_id == period.id)
    )


def _outsider(period) -> int:
    return db.session.scalar(
        select(Household.id)
        .where(
            Household.id.not_in(select(ListEntry.household_id)), Household.need_level == "miskin"
        )
        .limit(1)
    )


def test_whoever_drew_the_list_cannot_approve_it(village, make_user):  # noqa: F811
    admin, other_admin = make_user("admin"), make_user("admin")
    period = _period(village["cash"], admin)
    services.propose_draft(period, actor=admin)
    assert period.drafted_by_id == admin.id
    _decide(period, admin)
    with pytest.raises(services.ListError) as error:
        services.approve(period, actor=admin)
    assert error.value.field == "note"
    assert _approvals(period) == 0
    services.approve(period, actor=other_admin)
    assert services.latest_approval(period).approved_by_id == other_admin.id


def test_whoever_changed_the_list_cannot_approve_it(village, make_user):  # noqa: F811
    operator, head, admin = make_user("operator"), make_user("auditor"), make_user("admin")
    period = _period(village["cash"], operator)
    services.propose_draft(period, actor=operator)
    _decide(period, operator)
    services.approve(period, actor=admin)
    version = services.publish(period, actor=operator)
    # The admin upholds an objection: that changes the list, so the admin may not
    # approve the next version; the village head (auditor) may.
    row = services.version_rows(version)[0]
    objection = services.file_objection(version, "remove", "Sudah mampu", row_id=row.id)
    services.decide_objection(objection, "upheld", "Terbukti mampu", actor=admin)
    with pytest.raises(services.ListError):
        services.approve(period, actor=admin)
    # A household added by hand: its author is barred too.
    services.add_household(period, _outsider(period), "Hasil musyawarah", actor=head)
    assert duties.list_hands(period) == {operator.id, admin.id, head.id}
    with pytest.raises(services.ListError):
        services.approve(period, actor=head)
    other_head = make_user("auditor")
    services.approve(period, actor=other_head)
    assert _approvals(period) == 2


def test_the_approver_sees_why_beside_the_button_in_both_languages(
    village,  # noqa: F811
    client,
    login_as,
):
    admin = login_as("admin")
    period = _period(village["cash"], admin)
    services.propose_draft(period, actor=admin)
    _decide(period, admin)
    url = f"/staf/daftar-penerima/{period.id}"
    page = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert CONFLICT_EN in page and 'id="approve-conflict"' in page
    assert f"/{period.id}/setujui" not in page  # no button that can only be refused
    page = client.get(f"{url}?lang=id").get_data(as_text=True)
    assert CONFLICT_ID in page
    # Posting anyway (a stale page, a script): refused beside the note, note kept.
    response = client.post(f"{url}/setujui?lang=en", data={"note": "Catatan saya"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert CONFLICT_EN in body and 'id="note-error"' in body and "Catatan saya" in body
    assert _approvals(period) == 0


def test_the_meeting_names_attendees_by_their_accounts(village, client, login_as, make_user):  # noqa: F811
    operator = login_as("operator")
    head, bpd = make_user("admin", name="Kepala Galuh"), make_user("auditor", name="Umar BPD")
    period = _period(village["cash"], operator)
    services.propose_draft(period, actor=operator)
    form = client.get(f"/staf/daftar-penerima/{period.id}/musdesus?lang=en").get_data(as_text=True)
    assert "Umar BPD" in form and "Kepala Galuh" in form
    data = {
        "held_on": "2026-11-30",
        "place": "Balai Desa",
        "attendees_count": "40",
        "quorum_required": "30",
        "head_account": str(head.id),
        "bpd_accounts": [str(bpd.id)],
        "attendees": "Rina; Pendamping Desa",
        "decisions": "Daftar ditetapkan.",
        "minutes": "Notulen.",
    }
    url = f"/staf/daftar-penerima/{period.id}/musdesus?lang=en"
    # An account that may not stand for the BPD (the operator) is refused beside the field.
    refused = client.post(url, data={**data, "bpd_accounts": [str(operator.id)]})
    assert refused.status_code == 200
    assert 'id="bpd_accounts-error"' in refused.get_data(as_text=True)
    twice = client.post(url, data={**data, "head_account": str(bpd.id)})
    assert "cannot also be ticked as a BPD member" in twice.get_data(as_text=True)
    assert "Rina; Pendamping Desa" in twice.get_data(as_text=True)
    typed = client.post(url, data={**data, "attendees": "umar  bpd; Ketua BPD"})
    assert "Umar BPD has an account: tick them above" in typed.get_data(as_text=True)
    assert not db.session.scalar(select(func.count()).select_from(ListDecision))
    assert client.post(url, data=data).status_code == 302
    decision = services.latest_decision(period)
    rows = db.session.scalars(
        select(ListAttendee).where(ListAttendee.decision_id == decision.id)
    ).all()
    assert {(a.name, a.user_id, a.is_bpd) for a in rows} == {
        ("Kepala Galuh", head.id, False),
        ("Umar BPD", bpd.id, True),
        ("Rina", None, False),
    }
    assert decision.bpd_present
    page = client.get(f"/staf/daftar-penerima/{period.id}?lang=en").get_data(as_text=True)
    assert "Umar BPD – Anggota BPD <small>(account)</small>" in page
    assert "Rina – Pendamping Desa <small>(name typed by staff)</small>" in page


def test_demo_list_is_approved_by_another_account_than_its_drafter(app, make_user):
    from portal.devdata import lists as lists_demo
    from portal.devdata import registry as registry_demo

    factories.programme(slug="blt-dana-desa", aid_type="cash", name_id="BLT Dana Desa")
    registry_demo.generate(120, seed=3)
    db.session.commit()
    for role in ("operator", "admin", "auditor"):
        make_user(role)
    period = lists_demo.seed()
    db.session.commit()
    approval = services.latest_approval(period)
    assert approval is not None and services.latest_version(period) is not None
    assert approval.approved_by_id != period.drafted_by_id
    assert approval.approved_by_id not in duties.list_hands(period)
    assert any(a.user_id for a in services.latest_decision(period).attendees)
