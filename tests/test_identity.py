"""Identity takeover (issue 16): verification asks for what the registry holds and a
stranger lacks, says nothing about the registry, lets no pending claim block the owner,
and the office can give an identity back, striking what the other account did with it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.models_base import utcnow
from portal.participation import services as participation
from portal.participation.models import BallotVote, Proposal, ProposalSupport
from portal.registry import reclaim, verification
from portal.registry.models import Person
from portal.registry.validation import make_nik
from portal.training import services as training
from portal.training.models import Place
from tests import registry_helpers as rh
from tests import training_helpers as th

BORN = date(1979, 8, 17)
KK = "1403091708790021"
MOTHER = "Hj. Siti Khadijah"


@pytest.fixture
def owner_person(app):
    """The victim: a registry person whose NIK a stranger has seen."""
    home = rh.household(kk_number=KK, rt=3, rw=2)
    nik = make_nik("140309", BORN, "male", 41)
    person = rh.person(home, "Budi Santoso", born=BORN, nik=nik, mother_name=MOTHER)
    db.session.commit()
    return person


def account(make_user, phone: str, name: str = "Warga Baru") -> User:
    return make_user("resident", username=None, phone=phone, name=name)


def login(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def form(person, **fields) -> dict:
    data = {
        "nik": person.nik,
        "birth_date": BORN.isoformat(),
        "kk_number": KK,
        "mother_name": "siti khadijah",
    }
    data.update(fields)
    return data


def entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --------------------------------------------------------------------------- verification


def test_nik_and_birth_date_alone_do_not_verify(client, make_user, owner_person):
    """The birth date is inside the NIK: a stranger who knows only the NIK works it out,
    and guesses the rest. They wait for the office instead of becoming the owner."""
    stranger = account(make_user, "+6281300000001")
    login(client, stranger)
    response = client.post(
        "/akun/verifikasi?lang=en",
        data=form(owner_person, kk_number="1403090101900001", mother_name="Siti"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    stranger = db.session.get(User, stranger.id)
    assert not stranger.is_verified and stranger.person_id is None
    assert stranger.verification_status == "pending"
    # Without the family card and the mother's name the form is not even sent on.
    response = client.post(
        "/akun/verifikasi?lang=en", data={"nik": owner_person.nik, "birth_date": BORN.isoformat()}
    )
    assert response.status_code == 200 and "Please fill in this field." in response.text


@pytest.mark.parametrize("typed", ["siti khadijah", "SITI KHADIJAH", "Ibu Siti Chadidjah"])
def test_the_owner_with_kk_and_mother_s_name_is_verified(make_user, owner_person, typed):
    """The mother's name is compared in the registry's canonical spelling (titles, case
    and old spellings do not matter)."""
    owner = account(make_user, "+6281300000002")
    assert verification.verify_resident(owner, owner_person.nik, BORN, KK, typed) == "verified"
    assert owner.person_id == owner_person.id and owner.nik == owner_person.nik
    (entry,) = entries("resident_verified")
    assert "mother" in entry.summary


def test_a_person_without_a_recorded_mother_s_name_goes_to_the_office(make_user, owner_person):
    owner_person.mother_name = None
    db.session.commit()
    owner = account(make_user, "+6281300000003")
    assert verification.verify_resident(owner, owner_person.nik, BORN, KK, "siti") == "pending"


def test_an_old_family_card_number_is_not_proof(make_user, owner_person):
    """Only the household's current KK number counts (the old card may be in many hands)."""
    from portal.registry import services as registry

    home = owner_person.household
    _item, errors = registry.save_household(home, {"kk_number": "1403091708790099"}, actor=None)
    assert errors == {}
    owner = account(make_user, "+6281300000004")
    assert verification.verify_resident(owner, owner_person.nik, BORN, KK, MOTHER) == "pending"


def _answer(client, data) -> tuple[int, str, str]:
    """What a resident sees: the status, where it sends them, and the page after it with
    the CSRF token and the masked NIK they typed taken out."""
    response = client.post("/akun/verifikasi?lang=en", data=data)
    page = client.get("/akun/verifikasi?lang=en").text
    page = re.sub(r'"X-CSRFToken": "[^"]*"', "", page)
    page = re.sub(r'value="[^"]*"', "", page)
    page = re.sub(r"\*{12}\d{4}", "NIK", page)
    return response.status_code, response.headers.get("Location", ""), page


def test_the_answer_does_not_tell_whether_a_nik_exists(app, make_user, owner_person):
    """An unknown NIK, a known NIK with the wrong proof, and a NIK another account holds
    (even with the right proof) get exactly the same answer."""
    holder = account(make_user, "+6281300000010", name="Pemegang")
    assert verification.verify_resident(holder, owner_person.nik, BORN, KK, MOTHER) == "verified"
    unknown = make_nik("140309", date(1979, 8, 18), "male", 42)
    cases = {
        "unknown NIK": form(owner_person, nik=unknown),
        "wrong proof": form(owner_person, mother_name="Aminah"),
        "held by another account": form(owner_person),
    }
    answers = {}
    for n, (case, data) in enumerate(cases.items()):
        client = app.test_client()
        login(client, account(make_user, f"+628130000002{n}", name="Penanya"))
        answers[case] = _answer(client, data)
    first = answers["unknown NIK"]
    assert first[0] == 302 and "come to the village office" in first[2]
    assert answers["wrong proof"] == first
    assert answers["held by another account"] == first
    assert "already" not in first[2].lower()


def test_a_stranger_s_pending_claim_does_not_block_the_owner(client, make_user, owner_person):
    stranger = account(make_user, "+6281300000030")
    assert verification.verify_resident(stranger, owner_person.nik, BORN, KK, "x") == "pending"
    assert stranger.claimed_nik == owner_person.nik and stranger.nik is None
    owner = account(make_user, "+6281300000031")
    login(client, owner)
    response = client.post("/akun/verifikasi?lang=en", data=form(owner_person))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, owner.id).person_id == owner_person.id
    assert db.session.get(User, stranger.id).verification_status == "pending"


# --------------------------------------------------------------------------- reclaim


def _ballot(staff, per_household: bool):
    now = utcnow()
    data = {
        "question_id": "Prioritas dana desa",
        "question_en": None,
        "description_id": "",
        "description_en": None,
        "method": "single",
        "max_choices": None,
        "budget": None,
        "per_household": per_household,
        "opens_at": now + timedelta(minutes=1),
        "closes_at": now + timedelta(days=7),
        "results_mode": "live",
        "options": participation.parse_options("Jalan | Road | 1\nAir | Water | 1"),
    }
    ballot = participation.save_ballot(None, data, staff)
    ballot.opens_at = now - timedelta(minutes=1)
    db.session.commit()
    return ballot


@pytest.fixture
def takeover(make_user, owner_person):
    """An impostor verified as the owner (they held the family card) who then voted on
    a personal and a household ballot, supported a proposal and took a course place;
    and the owner's own account, waiting for the office."""
    staff = make_user("operator")
    impostor = account(make_user, "+6281300000040", name="Penipu")
    assert verification.verify_resident(impostor, owner_person.nik, BORN, KK, MOTHER) == "verified"
    neighbour = th.resident(make_user, person=rh.person(rh.household(), "Tetangga Jujur"))
    personal, household = _ballot(staff, False), _ballot(staff, True)
    road, water = (o.id for o in personal.options)
    participation.cast_vote(personal.id, impostor, [road])
    participation.cast_vote(personal.id, neighbour, [water])
    participation.cast_vote(household.id, impostor, [household.options[0].id])
    proposal = participation.create_proposal(
        neighbour, {"title": "Lampu jalan", "description": "RT 3", "category": "other"}
    )
    participation.support(proposal.id, impostor)
    participation.support(proposal.id, neighbour)
    course_session = th.session(th.course())
    place = training.sign_up(course_session.id, training.applicant_for_user(impostor))
    owner = account(make_user, "+6281300000041", name="Budi Santoso")
    assert verification.verify_resident(owner, owner_person.nik, BORN, KK, MOTHER) == "pending"
    return {
        "impostor": impostor,
        "owner": owner,
        "personal": personal,
        "household": household,
        "road": road,
        "proposal": proposal,
        "place": place,
    }


def _take_back(client, owner, person, **fields):
    data = {"person_id": person.id, "reason": "KTP diperiksa di kantor desa", "checked": "y"}
    data.update(fields)
    return client.post(f"/staf/warga/{owner.id}/ambil-alih?lang=en", data=data)


def test_the_office_gives_the_identity_back_and_strikes_what_the_impostor_did(
    app, client, login_as, owner_person, takeover
):
    t = takeover
    personal = t["personal"]
    before = participation.results(personal)
    assert before.voters == 2 and before.counts.get(t["road"]) == 1
    operator = login_as("operator")
    response = _take_back(client, t["owner"], owner_person)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "ballot votes struck" in page and "Course place moved" in page

    db.session.expire_all()
    owner, impostor = db.session.get(User, t["owner"].id), db.session.get(User, t["impostor"].id)
    assert owner.is_verified and owner.person_id == owner_person.id
    assert owner.nik == owner_person.nik
    assert impostor.verification_status == "rejected" and impostor.person_id is None
    assert impostor.verification_note == "KTP diperiksa di kantor desa"
    # Votes: the personal one and the household one are gone; the neighbour's stays.
    assert db.session.scalar(select(func.count()).select_from(BallotVote)) == 1
    after = participation.results(db.session.get(type(personal), personal.id))
    assert after.voters == 1 and after.counts.get(t["road"]) is None
    household = db.session.get(type(personal), t["household"].id)
    assert participation.results(household).voters == 0
    # Supports: struck, and the counter follows.
    proposal = db.session.get(Proposal, t["proposal"].id)
    assert proposal.supports_count == 1
    assert (
        db.session.scalar(select(func.count()).where(ProposalSupport.user_id == impostor.id)) == 0
    )
    # The course place in the person's name is now on the owner's account only.
    place = db.session.get(Place, t["place"].id)
    assert place.user_id == owner.id and place.status != "cancelled"
    assert training.place_of(impostor, place.id) is None
    assert training.place_of(owner, place.id) is not None
    # Both events are in the audit log, by the operator.
    (revoked,) = entries("identity_revoked")
    (reclaimed,) = entries("identity_reclaimed")
    assert revoked.object_id == str(impostor.id) and reclaimed.object_id == str(owner.id)
    assert revoked.actor_id == operator.id == reclaimed.actor_id
    assert any("struck 2 ballot votes" in line for line in revoked.after["undone"])
    assert any("proposal supports" in line for line in revoked.after["undone"])
    # The impostor reads why.
    reader = app.test_client()
    login(reader, impostor)
    assert "KTP diperiksa di kantor desa" in reader.get("/akun/verifikasi?lang=en").text


def test_taking_back_needs_the_identity_card_checked_and_a_reason(
    client, login_as, owner_person, takeover
):
    login_as("operator")
    response = _take_back(client, takeover["owner"], owner_person, checked="", reason="")
    assert response.status_code == 422
    assert "Check the identity card in person first." in response.text
    db.session.expire_all()
    assert db.session.get(User, takeover["impostor"].id).person_id == owner_person.id
    assert entries("identity_revoked") == []


def test_a_verified_account_cannot_take_another_identity(make_user, owner_person, takeover):
    other_person = rh.person(rh.household(), "Orang Lain")
    operator = make_user("operator")
    with pytest.raises(verification.ResidentError):
        reclaim.reclaim_identity(
            other_person, takeover["impostor"], actor=operator, reason="salah orang"
        )


def test_if_anything_fails_nothing_is_taken_back(make_user, owner_person, takeover, monkeypatch):
    """One transaction: the strike, the move and both audit entries, or none of them."""
    operator = make_user("operator")

    def boom(*_args, **_kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(reclaim, "record", boom)
    with pytest.raises(RuntimeError):
        reclaim.reclaim_identity(
            owner_person, takeover["owner"], actor=operator, reason="KTP diperiksa"
        )
    db.session.expire_all()
    assert db.session.get(User, takeover["impostor"].id).person_id == owner_person.id
    assert db.session.scalar(select(func.count()).select_from(BallotVote)) == 3
    assert db.session.get(Proposal, takeover["proposal"].id).supports_count == 2


@pytest.mark.parametrize(
    ("role", "status"),
    [("operator", 302), ("admin", 302), ("auditor", 403), ("resident", 403), (None, 302)],
)
def test_only_operators_and_admins_take_an_identity_back(
    client, login_as, owner_person, takeover, role, status
):
    if role is not None:
        login_as(
            role, **({"username": None, "phone": "+6281300000099"} if role == "resident" else {})
        )
    response = _take_back(client, takeover["owner"], owner_person)
    assert response.status_code == status
    db.session.expire_all()
    moved = db.session.get(User, takeover["owner"].id).person_id == owner_person.id
    assert moved == (role in ("operator", "admin"))
    if role is None:
        assert "/masuk" in response.headers["Location"]


def test_the_queue_shows_the_operator_that_the_person_is_taken(
    client, login_as, owner_person, takeover
):
    login_as("auditor")
    page = client.get(f"/staf/warga/{takeover['owner'].id}?lang=en").text
    assert "linked to another account" in page
    assert "Give the identity to this account" not in page  # auditors only read
    login_as("operator")
    page = client.get(f"/staf/warga/{takeover['owner'].id}?lang=en").text
    assert "Give the identity to this account" in page
    # The person with the NIK the owner gave is offered.
    assert re.search(rf'name="person_id"[^>]*value="{owner_person.id}"', page)


# --------------------------------------------------------------------------- registry


def test_the_mother_s_name_is_kept_by_the_staff_form_and_not_shown_in_public(
    client, login_as, owner_person
):
    login_as("operator")
    url = f"/staf/registrasi/warga/{owner_person.id}/ubah"
    page = client.get(url + "?lang=en").text
    assert "Mother&#39;s name" in page or "Mother's name" in page
    assert db.session.get(Person, owner_person.id).mother_name == MOTHER


def test_the_siak_import_reads_the_mother_s_name_and_keeps_it_when_a_file_lacks_it(app, tmp_path):
    from tests import test_registry_import as imp

    rows = [imp.SIAK_HEADER, *imp.siak_rows()]
    rows[1][imp.SIAK_HEADER.index("Ibu")] = "HJ. SITI KHADIJAH"
    path = tmp_path / "siak.xlsx"
    path.write_bytes(imp.xlsx_bytes({"Data Penduduk": rows}))
    imp.run_import(str(path))
    assert imp.person(imp.BUDI).mother_name == "HJ. SITI KHADIJAH"
    # A later file without the column (or with it empty) does not erase it.
    rows[1][imp.SIAK_HEADER.index("Ibu")] = ""
    path.write_bytes(imp.xlsx_bytes({"Data Penduduk": rows}))
    imp.run_import(str(path))
    db.session.expire_all()
    assert imp.person(imp.BUDI).mother_name == "HJ. SITI KHADIJAH"


def test_instant_verification_can_be_turned_off(app, make_user, owner_person):
    """VERIFY_AT_ONCE=0: even the right proof waits for the office's check of the KTP."""
    app.config["VERIFY_AT_ONCE"] = False
    owner = account(make_user, "+6281300000050")
    assert verification.verify_resident(owner, owner_person.nik, BORN, KK, MOTHER) == "pending"
    assert owner.person_id is None


def test_an_owner_without_an_account_gets_one_with_the_identity_at_the_office(
    client, login_as, owner_person, takeover
):
    login_as("operator")
    data = {"person_id": owner_person.id, "phone": "0812 7777 0101", "locale": "id"}
    refused = client.post("/staf/warga/baru?lang=en", data=data)
    assert refused.status_code == 422 and "take the identity back" in refused.text
    data.update(take_back="y", reason="Pemilik asli datang dengan KTP")
    response = client.post("/staf/warga/baru?lang=en", data=data)
    assert response.status_code == 200 and 'id="reset-code"' in response.text
    db.session.expire_all()
    owner = db.session.scalars(select(User).where(User.phone == "+6281277770101")).one()
    assert owner.is_verified and owner.person_id == owner_person.id
    impostor = db.session.get(User, takeover["impostor"].id)
    assert impostor.verification_status == "rejected" and impostor.person_id is None
    assert db.session.get(Proposal, takeover["proposal"].id).supports_count == 1
    assert [e.object_id for e in entries("identity_revoked")] == [str(impostor.id)]
    assert [e.object_id for e in entries("identity_reclaimed")] == [str(owner.id)]
