"""Residents' change requests: each kind filed and accepted through the registry's
services (scores recomputed, the audit naming the request), refusal with a reason,
messages through the outbox, no way to reach another household, the limit of open
requests, late flags, warnings from the lists hook, and the public figures."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.models_base import utcnow, village_today
from portal.notify.models import OutboxMessage
from portal.registry.change_requests import services
from portal.registry.change_requests.models import KINDS, MAX_OPEN, ChangeRequest
from portal.registry.models import Household, Person
from tests import registry_helpers as rh
from tests.change_request_helpers import family, verified_resident

POOR = {
    f"bps_{key}": True
    for key in (
        "floor_area",
        "floor",
        "wall",
        "toilet",
        "electricity",
        "water",
        "cooking_fuel",
        "protein",
        "clothing",
        "meals",
    )
}


def sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def valid_form(kind: str, household: Household, member: Person) -> dict:
    """Form data the resident's page takes for each kind."""
    return {
        "birth": {"name": "Bayi Santoso", "sex": "female", "birth_date": "2026-11-30"},
        "death": {"person_id": member.id, "date": "2026-11-20", "certificate": "AK-123"},
        "move_in": {
            "name": "Rina Wati",
            "sex": "female",
            "birth_date": "1999-03-04",
            "relation": "other_family",
            "date": "2026-11-01",
        },
        "move_out": {"person_id": member.id, "date": "2026-10-01", "destination": "Bekasi"},
        "kk_number": {"kk_number": "3201012345678901", "reason": "split"},
        "address": {"address": "Jl. Kenanga 9", "rt": "4", "rw": "2"},
        "situation": {"bps_electricity": "1", "bps_meals": "1"},
    }[kind]


def details(kind, household, member) -> dict:
    """The same as plain values, as services.file_request takes them."""
    data = dict(valid_form(kind, household, member))
    for key in ("birth_date", "date"):
        if key in data:
            data[key] = date.fromisoformat(data[key])
    for key in ("rt", "rw"):
        if key in data:
            data[key] = int(data[key])
    if kind == "situation":
        data = {k: v == "1" for k, v in data.items()}
    return data


@pytest.fixture
def home(app, make_user):
    household, head, wife, child = family()
    resident = verified_resident(make_user, head, phone="+6281200000001")
    return {
        "household": household,
        "head": head,
        "wife": wife,
        "child": child,
        "resident": resident,
    }


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def audit_for(object_type: str, object_id) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.id)
        )
    )


def file(home, kind, member=None, **over):
    data = {**details(kind, home["household"], member or home["wife"]), **over}
    return services.file_request(
        home["household"], kind, data, resident=home["resident"], filed_by=home["resident"]
    )


def test_a_resident_files_each_kind_on_the_page_and_sees_it(app, client, home):
    sign_in(client, home["resident"])
    household = home["household"]
    for kind in KINDS:
        if services.open_count(household.id) == MAX_OPEN:
            for item in services.household_requests(household.id):
                if item.status == "open":
                    services.refuse(item.id, "Coba lagi", actor=None)
        page = client.get(f"/warga/perubahan/baru/{kind}?lang=en")
        assert page.status_code == 200, kind
        text = page.get_data(as_text=True)
        assert "What the registry holds today" in text and "Budi Santoso" in text
        response = client.post(
            f"/warga/perubahan/baru/{kind}", data=valid_form(kind, household, home["wife"])
        )
        assert response.status_code == 302, (kind, response.get_data(as_text=True)[:3000])
        item = db.session.scalars(select(ChangeRequest).order_by(ChangeRequest.id.desc())).first()
        assert item.kind == kind and item.household_id == household.id and item.status == "open"
        assert item.resident_id == home["resident"].id and not item.at_office
        detail = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
        assert "Waiting for the village office" in detail
    listing = client.get("/warga/perubahan/?lang=en").get_data(as_text=True)
    assert listing.count('href="/warga/perubahan/') >= len(KINDS)


def test_bad_values_are_refused_beside_the_field_and_nothing_is_written(app, client, home):
    sign_in(client, home["resident"])
    tomorrow = (village_today() + timedelta(days=2)).isoformat()
    page = client.post(
        "/warga/perubahan/baru/birth?lang=en",
        data={"name": "Bayi Santoso", "sex": "female", "birth_date": tomorrow},
    ).get_data(as_text=True)
    assert "The date cannot be in the future." in page and 'value="Bayi Santoso"' in page
    page = client.post(
        "/warga/perubahan/baru/kk_number?lang=en", data={"kk_number": "12", "reason": "moved"}
    ).get_data(as_text=True)
    assert 'id="kk_number-error"' in page
    assert db.session.scalar(select(func.count()).select_from(ChangeRequest)) == 0


@pytest.mark.parametrize("kind", list(KINDS))
def test_nobody_can_ask_about_another_household(app, client, make_user, home, kind):
    """Per kind: a household id slipped into the form is ignored (the request is about
    the resident's own household), a member of another household is refused, and a
    request of another household is a 404 to the resident."""
    other, other_head, other_wife, _c = family(address="Jl. Lain 1", rt=5, rw=3)
    neighbour = verified_resident(make_user, other_head)
    theirs = services.file_request(
        other, kind, details(kind, other, other_wife), resident=neighbour, filed_by=neighbour
    )
    sign_in(client, home["resident"])
    assert client.get(f"/warga/perubahan/{theirs.id}").status_code == 404
    form = {**valid_form(kind, home["household"], other_wife), "household_id": other.id}
    response = client.post(f"/warga/perubahan/baru/{kind}?lang=en", data=form)
    mine = list(
        db.session.scalars(
            select(ChangeRequest).where(ChangeRequest.resident_id == home["resident"].id)
        )
    )
    if kind in ("death", "move_out"):
        assert response.status_code == 200
        assert "Choose a living member of your household." in response.get_data(as_text=True)
        assert mine == []
    else:
        assert response.status_code == 302
        assert [m.household_id for m in mine] == [home["household"].id]
    assert services.open_count(other.id) == 1  # the neighbour's own, nothing added


def test_unverified_residents_only_see_how_to_verify(app, client, make_user):
    user = make_user("resident")
    sign_in(client, user)
    page = client.get("/warga/perubahan/?lang=en").get_data(as_text=True)
    assert "Only a verified account" in page and "What the registry holds" not in page
    response = client.post(
        "/warga/perubahan/baru/birth", data={"name": "X", "sex": "male", "birth_date": "2026-01-01"}
    )
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ChangeRequest)) == 0


def _accept(item, operator):
    return services.accept(item.id, actor=operator)


def _names_request(item) -> bool:
    return any(
        f"change request {item.id}" in (e.summary or "")
        for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type != "change_request")
        )
    )


def test_accepting_a_birth_adds_the_child_and_rescored(app, home, make_user):
    operator = make_user("operator")
    before = home["household"].score
    item = file(home, "birth")
    _accept(item, operator)
    db.session.expire_all()
    baby = db.session.scalar(select(Person).where(Person.name == "Bayi Santoso"))
    assert baby.household_id == home["household"].id and baby.relation == "child"
    assert baby.memberships[0].start_reason == "birth"
    assert _names_request(item)
    assert home["household"].score >= before and home["household"].scored_at is not None
    item = db.session.get(ChangeRequest, item.id)
    assert item.status == "accepted" and item.open_slot is None and item.decided_at


def test_accepting_a_death_and_a_move_out(app, home, make_user):
    operator = make_user("operator")
    death = file(home, "death", member=home["wife"])
    move = file(home, "move_out", member=home["child"])
    _accept(death, operator)
    _accept(move, operator)
    db.session.expire_all()
    assert home["wife"].status == "dead" and home["wife"].status_date == date(2026, 11, 20)
    assert home["child"].status == "moved"
    assert _names_request(death) and _names_request(move)


def test_accepting_a_move_in_adds_a_newcomer_or_moves_a_known_person(app, home, make_user):
    operator = make_user("operator")
    item = file(home, "move_in")
    _accept(item, operator)
    newcomer = db.session.scalar(select(Person).where(Person.name == "Rina Wati"))
    assert newcomer.household_id == home["household"].id

    elsewhere = rh.household(address="Jl. Jauh", rt=7, rw=1)
    known = rh.person(elsewhere, "Dewi Lestari", date(1990, 1, 2), sex="female")
    item = file(home, "move_in", nik=known.nik, name="Dewi L", birth_date=date(1990, 1, 2))
    _accept(item, operator)
    db.session.expire_all()
    assert known.household_id == home["household"].id  # moved, not copied
    assert db.session.scalar(select(func.count()).where(Person.nik == known.nik)) == 1
    assert _names_request(item)


def test_accepting_kk_address_and_situation(app, home, make_user):
    operator = make_user("operator")
    household = home["household"]
    old_kk = household.kk_number
    kk = file(home, "kk_number")
    address = file(home, "address")
    _accept(kk, operator)
    _accept(address, operator)
    db.session.expire_all()
    assert household.kk_number == "3201012345678901"
    assert [r.kk_number for r in household.kk_history][0] == "3201012345678901"
    assert household.address == "Jl. Kenanga 9" and (household.rt, household.rw) == (4, 2)
    # The situation: enough criteria for "poor" raise the score.
    poor = file(home, "situation", **{k: True for k in POOR})
    score = household.score
    _accept(poor, operator)
    db.session.expire_all()
    assert household.bps_meals is True and household.score > score
    assert _names_request(poor)
    assert old_kk != household.kk_number


def test_a_request_is_decided_once_and_the_registry_must_agree(app, home, make_user):
    operator = make_user("operator")
    item = file(home, "death", member=home["child"])
    services.refuse(item.id, "Akta belum ada", actor=operator)
    with pytest.raises(services.ChangeRequestError):
        services.accept(item.id, actor=operator)
    assert home["child"].status == "alive"
    # A member who died in the meantime: the second request cannot be carried out.
    first = file(home, "death", member=home["wife"])
    second = file(home, "move_out", member=home["wife"])
    services.accept(first.id, actor=operator)
    with pytest.raises(services.ChangeRequestError):
        services.accept(second.id, actor=operator)
    assert db.session.get(ChangeRequest, second.id).status == "open"


def test_refusal_needs_a_reason_and_the_resident_reads_it_and_is_told(
    app, client, home, make_user, login_as
):
    home["resident"].locale = "en"
    db.session.commit()
    item = file(home, "address")
    [received] = outbox()
    assert received.recipient == "+6281200000001" and received.kind == "change_request"
    assert "received your request" in received.body
    operator = login_as("operator")
    empty = client.post(f"/staf/perubahan/{item.id}/tolak?lang=en", data={"reason": ""})
    assert empty.status_code == 200 and "Please fill in this field." in empty.get_data(as_text=True)
    assert db.session.get(ChangeRequest, item.id).status == "open"
    done = client.post(f"/staf/perubahan/{item.id}/tolak", data={"reason": "Alamat tidak cocok"})
    assert done.status_code == 302
    item = db.session.get(ChangeRequest, item.id)
    assert item.status == "refused" and item.decided_by_id == operator.id
    assert "refused your request" in outbox()[-1].body and "Alamat tidak cocok" in outbox()[-1].body
    assert [e.action for e in audit_for("change_request", item.id)] == [
        "change_request_filed",
        "change_request_refused",
    ]
    sign_in(client, home["resident"])
    page = client.get(f"/warga/perubahan/{item.id}?lang=en").get_data(as_text=True)
    assert "Refused" in page and "Alamat tidak cocok" in page


def test_the_blank_refusal_field_is_kept_and_a_refused_one_shows_what_was_sent(
    app, client, home, login_as
):
    """A GET's blank refusal field comes from a kept fragment; a refusal sent back with
    an error shows its own field (the error, the text typed) and never leaves it kept."""
    item = file(home, "address")
    login_as("operator")
    url = f"/staf/perubahan/{item.id}"
    blank = client.get(url + "?lang=en").get_data(as_text=True)
    field = '<textarea id="reason" maxlength="2000" name="reason" required rows="3">\r\n</textarea>'
    assert field in blank
    # Each form's token without an id (two inputs with id="csrf_token" were invalid HTML).
    start = blank.index('id="decide-title"')
    decide = blank[start : blank.index("</section>", start)]
    assert decide.count('<input type="hidden" name="csrf_token" value="') == 2
    assert 'id="csrf_token"' not in blank
    long = "x" * 2001
    sent = client.post(url + "/tolak?lang=en", data={"reason": long}).get_data(as_text=True)
    assert long in sent and "has-error" in sent
    again = client.get(url + "?lang=en").get_data(as_text=True)
    assert long not in again and "has-error" not in again

    def form(page):  # the refusal form (the tokens hold a time: they differ by the second)
        start = page.index('action="/staf/perubahan/')
        part = page[start : page.index("</section>", start)]
        assert "<textarea" in part
        return re.sub(r'value="[^"]*"', 'value=""', part)

    assert form(again) == form(blank)


def test_the_operator_accepts_on_the_page_and_the_auditor_only_reads(app, client, home, login_as):
    item = file(home, "birth")
    login_as("auditor")
    page = client.get(f"/staf/perubahan/{item.id}?lang=en").get_data(as_text=True)
    assert "Bayi Santoso" in page and "Accept and change the registry" not in page
    assert client.post(f"/staf/perubahan/{item.id}/terima").status_code == 403
    login_as("operator")
    page = client.get(f"/staf/perubahan/{item.id}?lang=en").get_data(as_text=True)
    assert "Accept and change the registry" in page
    assert client.post(f"/staf/perubahan/{item.id}/terima").status_code == 302
    assert db.session.get(ChangeRequest, item.id).status == "accepted"
    again = client.post(f"/staf/perubahan/{item.id}/terima", follow_redirects=True)
    assert "decided already" in again.get_data(as_text=True) or again.status_code == 200


def test_no_more_than_the_limit_of_open_requests(app, home, make_user):
    for _ in range(MAX_OPEN):
        file(home, "birth")
    with pytest.raises(services.ChangeRequestError):
        file(home, "birth")
    assert services.open_count(home["household"].id) == MAX_OPEN
    first = services.household_requests(home["household"].id)[-1]
    services.refuse(first.id, "Dobel", actor=make_user("operator"))
    file(home, "birth")  # a decided request gives its place back
    assert services.open_count(home["household"].id) == MAX_OPEN


def test_the_office_files_for_a_household_and_the_account_follows_it(app, client, home, login_as):
    operator = login_as("operator")
    household = home["household"]
    assert client.get(f"/staf/perubahan/rumah-tangga/{household.id}?lang=en").status_code == 200
    response = client.post(
        f"/staf/perubahan/rumah-tangga/{household.id}/birth",
        data=valid_form("birth", household, home["wife"]),
    )
    assert response.status_code == 302
    item = db.session.scalars(select(ChangeRequest)).one()
    assert item.at_office and item.filed_by_id == operator.id
    assert item.resident_id == home["resident"].id


def test_late_requests_are_flagged_on_the_staff_list(app, client, home, login_as):
    item = file(home, "address")
    fresh = file(home, "birth")
    item.created_at = utcnow() - timedelta(days=8)
    db.session.commit()
    login_as("operator")
    page = client.get("/staf/perubahan/?lang=en").get_data(as_text=True)
    assert page.count("Late: ") == 1 and "Late: 8 days" in page
    assert page.index(f">{item.id}<") < page.index(f">{fresh.id}<")  # oldest first


def test_a_death_of_a_listed_household_warns_and_shows_in_the_rule_check(
    app, client, make_user, login_as
):
    from portal.lists import services as lists
    from tests import factories

    programme = factories.programme(slug="blt", aid_type="cash", name_id="BLT")
    alone = rh.household(address="Jl. Sepi", rt=3, rw=1, **POOR)
    widow = rh.person(alone, "Mak Ijah", date(1950, 1, 1), sex="female")
    resident = verified_resident(make_user, widow)
    operator = make_user("operator")
    start = village_today() - timedelta(days=10)
    period = lists.save_period(
        None,
        dict(
            programme_id=programme.id,
            title_id="BLT Desember",
            title_en="BLT December",
            starts_on=start,
            ends_on=start + timedelta(days=80),
            budget=None,
            amount=None,
            benefit_id="",
            benefit_en=None,
            rule_need_levels="sangat_miskin miskin",
            rule_max_desil=None,
            rule_min_members=None,
            rule_composition="",
            rule_aid_fit=False,
            rule_not_covered=False,
            objection_days=7,
        ),
        actor=operator,
    )
    lists.propose_draft(period, actor=operator)
    assert lists.rule_check(period).agrees
    assert alone.id in {h.id for h in lists.draft_candidates(period)}

    item = services.file_request(
        alone,
        "death",
        {"person_id": widow.id, "date": village_today()},
        resident=resident,
        filed_by=resident,
    )
    assert item.aid_warning
    login_as("operator")
    listing = client.get("/staf/perubahan/?lang=en").get_data(as_text=True)
    assert "Receives aid" in listing
    page = client.get(f"/staf/perubahan/{item.id}?lang=en").get_data(as_text=True)
    assert "on the recipient list of BLT December" in page
    assert client.post(f"/staf/perubahan/{item.id}/terima").status_code == 302
    check = lists.rule_check(period)
    assert alone.id in {e.household_id for e in check.unmatched}
    # Requests about something else than a person's leaving do not warn.
    other = services.file_request(
        alone,
        "address",
        {"address": "Jl. Baru", "rt": 3, "rw": 1},
        resident=resident,
        filed_by=resident,
    )
    assert not other.aid_warning


def test_public_figures_hide_small_counts(app, client, home, make_user):
    operator = make_user("operator")
    page = client.get("/warga/perubahan/angka?lang=en").get_data(as_text=True)
    assert "Requests by month" in page and "Budi" not in page
    items = []
    for n in range(6):
        other = rh.household(address=f"Jl. Angka {n}", rt=8, rw=1)
        head = rh.person(other, f"Warga Nomor {n}", date(1970, 1, n + 1))
        user = verified_resident(make_user, head)
        items.append(
            services.file_request(
                other,
                "address",
                {"address": "Jl. X", "rt": 9, "rw": 1},
                resident=user,
                filed_by=user,
            )
        )
    for item in items[:3]:
        services.refuse(item.id, "Tidak", actor=operator)
    months = services.monthly()
    assert months[0].received == 6
    assert months[0].refused is None and months[0].accepted == 0  # 3 refusals: hidden
    assert months[0].median_days is None
    page = client.get("/warga/perubahan/angka?lang=en").get_data(as_text=True)
    assert "fewer than 5" in page and "Warga Nomor" not in page
    for item in items[3:]:
        services.refuse(item.id, "Tidak", actor=operator)
    months = services.monthly()
    assert months[0].refused == 6 and months[0].median_days == 0.0


def test_my_account_shows_the_requests_and_the_download_holds_them(app, client, home):
    item = file(home, "kk_number")
    services.refuse(item.id, "KK belum terbit", actor=None)
    sign_in(client, home["resident"])
    page = client.get("/akun?lang=en").get_data(as_text=True)
    assert "Change requests" in page and "KK belum terbit" in page
    assert 'href="/warga/perubahan/"' in page
    data = client.get("/akun/data.json").get_data(as_text=True)
    assert "3201012345678901" in data and "KK belum terbit" in data


def test_the_staff_page_reads_the_request_with_its_residents_language(app, home, make_user):
    """services.staff_request: the request with the person it names and its documents,
    and the language its resident reads (Indonesian when the account names none; None
    for a request filed at the office)."""
    item = file(home, "address")
    db.session.expire_all()
    found, locale = services.staff_request(item.id)
    assert found.id == item.id and locale == (home["resident"].locale or "id")
    home["resident"].locale = "en"
    db.session.commit()
    assert services.staff_request(item.id)[1] == "en"
    home["resident"].locale = None
    db.session.commit()
    assert services.staff_request(item.id)[1] == "id"
    operator = make_user("operator")
    office = services.file_request(
        home["household"],
        "death",
        details("death", home["household"], home["child"]),
        resident=None,
        filed_by=operator,
    )
    found, locale = services.staff_request(office.id)
    assert found.id == office.id and locale is None
    # Plain values: the request's columns as the record has them, the person it names
    # (id and name), its documents (none here: tests/test_change_request_documents.py).
    for column in ChangeRequest.__table__.c:
        assert getattr(found, column.key) == getattr(office, column.key), column.key
    assert found.person == (home["child"].id, home["child"].name)
    assert found.documents == []
    assert found.is_late() == office.is_late() and found.waited_days() == office.waited_days()
    assert services.staff_request(item.id)[0].person is None
    assert services.staff_request(office.id + 1000) == (None, None)


def test_the_residents_page_counts_the_open_requests_among_its_list(app, client, home):
    """/warga/perubahan/ counts the open requests in the household's list (every request
    of the household is in it): the kinds are offered until MAX_OPEN wait."""
    sign_in(client, home["resident"])
    refused = file(home, "address")
    services.refuse(refused.id, "Tidak cocok", actor=None)
    for _ in range(MAX_OPEN - 1):
        file(home, "address")
    page = client.get("/warga/perubahan/?lang=en").get_data(as_text=True)
    assert "/warga/perubahan/baru/" in page and "requests waiting" not in page
    file(home, "address")
    page = client.get("/warga/perubahan/?lang=en").get_data(as_text=True)
    assert f"Your household has {MAX_OPEN} requests waiting." in page
    assert "/warga/perubahan/baru/" not in page and "Budi Santoso" in page


def test_the_residents_list_reads_rows_of_its_requests_in_the_records_order(app, home, make_user):
    """household_request_rows: what the resident's list shows of each request, the
    same requests in the same order as household_requests; the household with its
    members read in one statement."""
    first = file(home, "address")
    file(home, "death")
    services.refuse(first.id, "Coba lagi", actor=None)
    file(home, "birth")
    household_id = home["household"].id
    records = services.household_requests(household_id)
    rows = services.household_request_rows(household_id)
    assert len(rows) == 3
    assert [tuple(row) for row in rows] == [
        (item.id, item.kind, item.created_at, item.status) for item in records
    ]
    db.session.expire_all()
    found = services.resident_household_with_members(home["resident"])
    assert found.id == household_id
    assert "members" in found.__dict__  # loaded with the household
    assert [p.id for p in found.members] == sorted(p.id for p in found.members)
    assert len(found.members) == 3
