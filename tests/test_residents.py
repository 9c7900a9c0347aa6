"""Resident accounts: sign-up by phone or e-mail, verification against the registry,
the operators' queue, assisted sign-up, reset codes, own data, deletion."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts import residents
from portal.accounts.models import DeletionRequest, ResetCode, User
from portal.accounts.phones import normalise_phone
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.models_base import utcnow
from portal.registry import residents as matching
from portal.registry import verification
from portal.registry.models import Person
from portal.registry.validation import make_nik
from tests import registry_helpers as rh

PASSWORD = "kata sandi panjang"
BORN = date(1985, 3, 9)
KK = "1403091203200011"
MOTHER = "Hj. Fatimah Zahra"  # typed by the resident as "fatimah zahra"


def sign_up(client, lang="en", **fields):
    data = {"name": "Siti Aminah", "password": PASSWORD, "confirm": PASSWORD, "locale": "id"}
    data.update(fields)
    return client.post(f"/daftar?lang={lang}", data=data)


@pytest.fixture
def villager(app):
    """A person of the registry with a household: (person, nik, birth date)."""
    home = rh.household(kk_number=KK)
    nik = make_nik("140309", BORN, "female", 77)
    person = rh.person(home, "Siti Aminah", born=BORN, sex="female", nik=nik, mother_name=MOTHER)
    db.session.commit()
    return person


def resident(make_user, **fields):
    fields.setdefault("username", None)
    fields.setdefault("phone", "+6281234500001")
    return make_user("resident", **fields)


def verify(user, nik, born, kk=KK, mother="fatimah zahra"):
    """The service with the villager's family card and mother's name by default."""
    return verification.verify_resident(user, nik, born, kk, mother)


def proof(person, **fields):
    """The verification form filled in with a person's own proof."""
    data = {
        "nik": person.nik,
        "birth_date": BORN.isoformat(),
        "kk_number": KK,
        "mother_name": "Fatimah Zahra",
    }
    data.update(fields)
    return data


def actions(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "typed",
    ["081234567890", "0812-3456-7890", "+62 812 3456 7890", "6281234567890", "(0812) 3456 7890"],
)
def test_indonesian_phone_numbers_are_stored_in_e164(typed):
    assert normalise_phone(typed) == "+6281234567890"


@pytest.mark.parametrize("typed", ["0812", "halo", "08123456789012345", "+62 000", ""])
def test_not_a_phone_number(typed):
    assert normalise_phone(typed) is None


# --------------------------------------------------------------------------- sign-up


def test_sign_up_with_a_phone_number_only(client):
    response = sign_up(client, phone="0812 3456 7890")
    assert response.status_code == 302 and response.headers["Location"].endswith("/akun/verifikasi")
    user = db.session.scalars(select(User).where(User.phone == "+6281234567890")).one()
    assert user.role == "resident" and user.email is None and user.locale == "id"
    assert user.verification_status == "none" and not user.is_verified
    assert user.password_hash.startswith("$argon2id$")
    # Logged in at once, and the account link is in the menu.
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "My account" in page and "/akun" in page
    client.post("/keluar")
    # Any common spelling of the number logs in.
    for spelling in ("081234567890", "+6281234567890", "62 812-3456-7890"):
        response = client.post("/masuk", data={"identifier": spelling, "password": PASSWORD})
        assert response.status_code == 302, spelling
        assert not response.headers["Location"].startswith("/masuk/kode")  # no second factor
        client.post("/keluar")


def test_sign_up_with_an_email_only(client):
    response = sign_up(client, email="Siti@Example.id", lang="id")
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.email == "siti@example.id")).one()
    assert user.phone is None
    client.post("/keluar")
    assert (
        client.post(
            "/masuk", data={"identifier": "SITI@example.id", "password": PASSWORD}
        ).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "Give a phone number or an e-mail address (one is enough)."),
        ("id", "Isi nomor telepon atau alamat e-mail (salah satu sudah cukup)."),
    ],
)
def test_sign_up_needs_a_phone_or_an_email(client, lang, message):
    response = sign_up(client, lang=lang, name="Budi Santoso")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert 'value="Budi Santoso"' in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize(
    ("lang", "phone_msg", "short_msg", "confirm_msg"),
    [
        (
            "en",
            "This is not a phone number we recognise.",
            "Use at least 10 characters.",
            "The two passwords are not the same.",
        ),
        (
            "id",
            "Nomor telepon ini tidak kami kenali.",
            "Gunakan paling sedikit 10 karakter.",
            "Kedua kata sandi tidak sama.",
        ),
    ],
)
def test_bad_input_is_explained_in_both_languages_and_kept(
    client, lang, phone_msg, short_msg, confirm_msg
):
    response = sign_up(client, lang=lang, phone="0812-12", name="Budi")
    page = response.get_data(as_text=True)
    assert phone_msg in page and 'value="0812-12"' in page and 'value="Budi"' in page
    response = sign_up(client, lang=lang, phone="081234567890", password="pendek", confirm="pendek")
    assert short_msg in response.get_data(as_text=True)
    response = sign_up(client, lang=lang, phone="081234567890", confirm="lain sekali ya")
    assert confirm_msg in response.get_data(as_text=True)
    response = sign_up(client, lang=lang, email="bukan-email")
    assert 'value="bukan-email"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_duplicate_phone_or_email_is_refused_clearly(client, app):
    assert sign_up(client, phone="081234567890", email="a@example.id").status_code == 302
    other = app.test_client()
    page = sign_up(other, phone="+62 812 3456 7890").get_data(as_text=True)
    assert "This phone number already has an account." in page
    page = sign_up(other, email="A@example.id").get_data(as_text=True)
    assert "This e-mail address already has an account." in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_sign_up_is_rate_limited(app, client):
    codes = [sign_up(client, phone="0812").status_code for _ in range(11)]
    assert codes[:10] == [200] * 10 and codes[-1] == 429


def test_two_sign_ups_racing_for_one_number_leave_one_account(app):
    outcomes = _race(
        app,
        8,
        lambda i: residents.register_resident(
            name=f"Warga {i}", password=PASSWORD, phone="081234567890"
        ),
    )
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == 7, outcomes
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


# --------------------------------------------------------------------------- verification


def test_nik_birth_date_kk_and_mother_verify_at_once(client, login_as, villager):
    user = login_as("resident", username=None, phone="+6281234500001")
    response = client.post("/akun/verifikasi?lang=en", data=proof(villager))
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.is_verified and user.person_id == villager.id and user.verified_at
    assert matching.household_id_for(user) == villager.household_id
    page = client.get("/akun/verifikasi?lang=en").get_data(as_text=True)
    assert "Verified" in page and villager.nik not in page and villager.nik[-4:] in page
    assert len(actions("resident_verified")) == 1


def test_no_match_goes_to_the_queue_with_a_clear_status(client, login_as, villager):
    user = login_as("resident", username=None, phone="+6281234500001")
    response = client.post(
        "/akun/verifikasi?lang=en",
        data=proof(villager, birth_date="1985-03-10"),  # one day off
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "come to the village office with your identity card (ktp)" in page.lower()
    assert villager.nik not in page
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.verification_status == "pending" and user.person_id is None
    assert [u.id for u in residents.pending_verifications()] == [user.id]
    page = client.get("/akun?lang=id").get_data(as_text=True)
    assert "Menunggu kantor desa" in page and villager.nik not in page


@pytest.mark.parametrize(
    ("nik", "message"),
    [("1234", "A NIK has exactly 16 digits."), ("1403090000000000", "never 0000")],
)
def test_malformed_nik_is_refused_beside_the_field(client, login_as, villager, nik, message):
    login_as("resident", username=None, phone="+6281234500001")
    response = client.post("/akun/verifikasi?lang=en", data={**proof(villager), "nik": nik})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and f'value="{nik}"' in page


def test_a_nik_already_used_goes_to_the_office_without_saying_whose(
    client, make_user, login_as, villager
):
    first = resident(make_user, name="Pemilik Asli", phone="+6281234500009")
    assert verify(first, villager.nik, BORN) == "verified"
    login_as("resident", username=None, phone="+6281234500001")
    response = client.post("/akun/verifikasi?lang=en", data=proof(villager), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "come to the village office" in page and "already linked" not in page
    assert "Pemilik Asli" not in page and "+6281234500009" not in page
    db.session.expire_all()
    second = db.session.scalars(select(User).where(User.phone == "+6281234500001")).one()
    assert second.verification_status == "pending" and second.person_id is None
    assert db.session.get(User, first.id).person_id == villager.id


def test_verification_attempts_are_rate_limited(client, login_as):
    login_as("resident", username=None, phone="+6281234500001")
    codes = [
        client.post("/akun/verifikasi", data={"nik": "12", "birth_date": "1985-03-09"}).status_code
        for _ in range(6)
    ]
    assert codes[:5] == [200] * 5 and codes[-1] == 429


def _race(app, n, action):
    barrier = threading.Barrier(n, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i):
        with app.app_context():
            db.session.close()
            barrier.wait()
            try:
                action(i)
                result = "ok"
            except residents.ResidentError:
                result = "refused"
            except Exception as error:  # anything else fails the test
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.mark.concurrency
@pytest.mark.parametrize("birth", [BORN, date(1990, 1, 1)], ids=["match", "queue"])
def test_accounts_racing_for_one_person_leave_one_link(app, make_user, villager, birth):
    ids = [resident(make_user, phone=f"+628123450{i:04d}").id for i in range(8)]
    nik = villager.nik
    db.session.commit()

    def claim(i):
        verify(db.session.get(User, ids[i]), nik, birth)

    outcomes = _race(app, len(ids), claim)
    assert outcomes == ["ok"] * 8, outcomes  # nobody is told the NIK is taken
    db.session.expire_all()
    linked = db.session.scalar(select(func.count()).where(User.person_id == villager.id))
    waiting = db.session.scalar(
        select(func.count()).where(User.verification_status == "pending", User.claimed_nik == nik)
    )
    assert (linked, waiting) == ((1, 7) if birth == BORN else (0, 8))


# --------------------------------------------------------------------------- operators


def _pending(make_user, villager, **fields):
    user = resident(make_user, name="Siti Aminah", **fields)
    assert verify(user, villager.nik, date(1985, 3, 19)) == "pending"
    return user


def test_operator_sees_the_queue_and_approves_with_a_registry_person(
    client, login_as, make_user, villager
):
    user = _pending(make_user, villager)
    login_as("operator")
    page = client.get("/staf/warga/?lang=en").get_data(as_text=True)
    assert "Siti Aminah" in page and villager.nik not in page  # masked in the list
    page = client.get(f"/staf/warga/{user.id}?lang=en").get_data(as_text=True)
    assert "same NIK" in page and f'name="person_id" value="{villager.id}"' in page
    assert len(actions("resident_verification_viewed")) == 1
    response = client.post(f"/staf/warga/{user.id}/setujui", data={"person_id": villager.id})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.is_verified and user.person_id == villager.id and user.birth_date == BORN
    (entry,) = actions("resident_verification_approved")
    assert entry.actor_name.startswith("Operator") and entry.object_id == str(user.id)


def test_operator_rejects_with_a_reason_the_resident_reads(
    client, app, login_as, make_user, villager
):
    user = _pending(make_user, villager)
    login_as("operator")
    response = client.post(f"/staf/warga/{user.id}/tolak?lang=en", data={"reason": ""})
    assert "Please fill in this field." in response.get_data(as_text=True)
    response = client.post(
        f"/staf/warga/{user.id}/tolak", data={"reason": "Tidak terdaftar di desa ini"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.verification_status == "rejected" and user.nik is None
    assert len(actions("resident_verification_rejected")) == 1
    # The NIK is free again for its real owner.
    other = resident(make_user, phone="+6281234500077")
    assert verify(other, villager.nik, BORN) == "verified"
    # The resident reads the reason.
    reader = app.test_client()
    with reader.session_transaction() as session:
        session["_user_id"] = user.get_id()
    assert "Tidak terdaftar di desa ini" in reader.get("/akun/verifikasi").get_data(as_text=True)


def test_auditor_reads_the_queue_but_cannot_decide(client, login_as, make_user, villager):
    user = _pending(make_user, villager)
    login_as("auditor")
    page = client.get(f"/staf/warga/{user.id}?lang=en").get_data(as_text=True)
    assert "Siti Aminah" in page and "This is the person: verify" not in page
    assert (
        client.post(f"/staf/warga/{user.id}/setujui", data={"person_id": villager.id}).status_code
        == 403
    )


def test_assisted_sign_up_verifies_and_gives_a_one_time_code(client, app, login_as, villager):
    login_as("operator")
    searched = client.post("/staf/warga/baru/cari", data={"q": "siti"})
    assert searched.status_code == 303 and "siti" not in searched.headers["Location"]
    page = client.get(searched.headers["Location"] + "&lang=en").get_data(as_text=True)
    assert "Siti Aminah" in page
    response = client.post(
        "/staf/warga/baru?lang=en",
        data={"person_id": villager.id, "name": "", "phone": "0812 7777 0001", "locale": "id"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="reset-code"' in page
    code = page.split('id="reset-code">')[1].split("<")[0]
    user = db.session.scalars(select(User).where(User.phone == "+6281277770001")).one()
    assert user.is_verified and user.person_id == villager.id and user.name == "Siti Aminah"
    assert len(actions("resident_assisted_signup")) == 1
    # The same person cannot get a second account.
    again = client.post(
        "/staf/warga/baru?lang=en", data={"person_id": villager.id, "phone": "081277770002"}
    )
    assert "already linked to another account" in again.get_data(as_text=True)
    # The resident sets their password with the code, then logs in.
    visitor = app.test_client()
    response = visitor.post(
        "/masuk/reset",
        data={
            "identifier": "081277770001",
            "code": code,
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    visitor.post("/keluar")
    assert (
        visitor.post(
            "/masuk", data={"identifier": "081277770001", "password": PASSWORD}
        ).status_code
        == 302
    )


def test_reset_code_works_once_and_expires(app, make_user, login_as, client):
    user = resident(make_user)
    operator = login_as("operator")
    page = client.post(f"/staf/warga/{user.id}/kode-reset?lang=en").get_data(as_text=True)
    code = page.split('id="reset-code">')[1].split("<")[0]
    stored = db.session.scalars(select(ResetCode)).one()
    assert code.replace("-", "") not in stored.code_hash  # only a hash is kept
    assert len(actions("reset_code_issued")) == 1
    residents.reset_password_with_code("+6281234500001", code, "sandi baru sekali")
    with pytest.raises(residents.ResidentError):
        residents.reset_password_with_code("+6281234500001", code, "sandi lain lagi ya")
    assert len(actions("password_reset_with_code")) == 1
    # A new code expires after 24 hours.
    later = residents.issue_reset_code(user, actor=operator)
    with pytest.raises(residents.ResidentError):
        residents.reset_password_with_code(
            "081234500001", later, "sandi baru dua", now=utcnow() + timedelta(hours=24, seconds=1)
        )
    residents.reset_password_with_code("081234500001", later, "sandi baru dua")
    assert db.session.get(User, user.id) is not None


def test_wrong_reset_code_is_a_clear_message(client, make_user):
    resident(make_user)
    response = client.post(
        "/masuk/reset?lang=en",
        data={
            "identifier": "081234500001",
            "code": "abcde-fghij",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    page = response.get_data(as_text=True)
    assert "This code is not right" in page and 'value="081234500001"' in page


@pytest.mark.concurrency
def test_a_reset_code_used_by_two_requests_at_once_works_once(app, make_user, login_as):
    user = resident(make_user)
    operator = login_as("operator")
    code = residents.issue_reset_code(user, actor=operator)
    db.session.commit()
    outcomes = _race(
        app,
        6,
        lambda i: residents.reset_password_with_code("081234500001", code, f"sandi nomor {i}x"),
    )
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == 5, outcomes


# --------------------------------------------------------------------------- own data


def test_my_data_page_and_download_hold_only_my_data(client, app, make_user, login_as, villager):
    other = resident(make_user, name="Tetangga Sebelah", phone="+6281234500099", email="t@x.id")
    me = login_as("resident", username=None, phone="+6281234500001", name="Saya Sendiri")
    verify(me, villager.nik, BORN)
    seen = []
    residents.DATA_SOURCES.append(lambda user: (seen.append(user.id) or "Votes", [{"ballot": 1}]))
    try:
        page = client.get("/akun?lang=en").get_data(as_text=True)
        assert "Saya Sendiri" in page and "Votes" in page and villager.nik not in page
        response = client.get("/akun/data.json")
    finally:
        residents.DATA_SOURCES.pop()
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    text = json.dumps(data)
    assert "Saya Sendiri" in text and "+6281234500001" in text
    assert "Tetangga" not in text and "+6281234500099" not in text and other.email not in text
    assert villager.nik not in text and villager.nik[-4:] in text
    assert {"Account", "Verification", "Votes"} <= {s["label"] for s in data["sections"]}
    assert set(seen) == {me.id}


def test_change_password_and_language(client, login_as):
    user = login_as("resident", username=None, phone="+6281234500001")
    response = client.post(
        "/akun/sandi?lang=en",
        data={"current": "salah", "password": "baru sekali ya", "confirm": "baru sekali ya"},
    )
    assert "This is not your current password." in response.get_data(as_text=True)
    response = client.post(
        "/akun/sandi",
        data={
            "current": "correct horse battery",
            "password": "baru sekali ya",
            "confirm": "baru sekali ya",
        },
    )
    assert response.status_code == 302
    assert client.get("/akun").status_code == 200  # still logged in here
    response = client.post("/akun/bahasa", data={"locale": "en"})
    assert response.status_code == 302 and "lang=en" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


def test_account_page_blank_forms_labels_and_a_form_sent_back(app, client, login_as):
    """On a GET the blank forms and the data labels come from copies kept per worker
    and language; a form sent back with errors is shown as it was, the other one blank,
    each with its CSRF token."""
    import re

    login_as("resident", username=None, phone="+6281234500001")
    app.config["WTF_CSRF_ENABLED"] = True  # every form writes its token
    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
    for lang, name_label, selected in (
        ("id", "Nama", "id"),
        ("en", "Name", "en"),
        ("id", "Nama", "id"),
    ):
        page = client.get(f"/akun?lang={lang}").get_data(as_text=True)
        keeps = page.split('<dl class="facts account-data">', 1)[1]
        assert f"<dt>{name_label}</dt>" in keeps.split("</dl>", 1)[0]
        assert len(token.findall(page)) == 2  # the two forms' (logging out writes its own)
        assert 'name="current"' in page and 'name="confirm"' in page
        assert re.search(
            rf'<option selected value="{selected}">|<option value="{selected}" selected', page
        )
    sent = client.post("/akun/bahasa", data={"locale": "en", "csrf_token": token.findall(page)[1]})
    assert sent.status_code == 302
    page = client.get("/akun").get_data(as_text=True)
    assert re.search(r'<option selected value="en">|<option value="en" selected', page)
    typed = {"current": "salah", "password": "baru sekali ya", "confirm": "baru sekali ya"}
    response = client.post("/akun/sandi", data={**typed, "csrf_token": token.findall(page)[0]})
    page = response.get_data(as_text=True)
    assert "This is not your current password." in page
    assert len(token.findall(page)) == 2
    assert re.search(r'<option selected value="en">|<option value="en" selected', page)


def test_deletion_request_is_carried_out_by_an_admin(client, app, login_as, make_user, villager):
    me = login_as("resident", username=None, phone="+6281234500001")
    verify(me, villager.nik, BORN)
    assert client.post("/akun/hapus", data={"reason": "Pindah kota"}).status_code == 302
    assert client.post("/akun/hapus", data={"reason": "lagi"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(DeletionRequest)) == 1
    page = client.get("/akun?lang=en").get_data(as_text=True)
    assert "You asked for your account to be deleted on" in page
    admin_client = app.test_client()
    from portal.accounts import staff_session

    admin = make_user("admin")
    with admin_client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        staff_session.mark_verified(admin, session)
    item = db.session.scalars(select(DeletionRequest)).one()
    assert "Pindah kota" in admin_client.get("/staf/warga/penghapusan").get_data(as_text=True)
    response = admin_client.post(f"/staf/warga/penghapusan/{item.id}", data={"decision": "delete"})
    assert response.status_code == 302
    db.session.expire_all()
    gone = db.session.get(User, me.id)
    assert not gone.active and gone.deleted_at and gone.phone is None and gone.nik is None
    assert gone.person_id is None and gone.name == "—"
    assert len(actions("account_deleted")) == 1
    # The old session is over, and the NIK is free again.
    assert client.get("/akun").status_code == 302
    assert verify(resident(make_user), villager.nik, BORN) == "verified"


def test_footer_and_login_offer_sign_up_and_reset(client):
    page = client.get("/masuk?lang=en").get_data(as_text=True)
    assert 'href="/daftar"' in page and 'href="/masuk/reset"' in page


def test_demo_seed_adds_verified_residents_who_can_log_in(client):
    from portal.devdata.village import seed

    logins = seed(households=12)
    residents_ = [(phone, password) for role, phone, password in logins if role == "resident"]
    assert len(residents_) >= 3
    phone, password = residents_[0]
    user = db.session.scalars(select(User).where(User.phone == phone)).one()
    assert user.is_verified and matching.household_id_for(user) is not None
    assert (
        client.post("/masuk", data={"identifier": phone, "password": password}).status_code == 302
    )


@pytest.mark.concurrency
def test_asking_for_deletion_twice_at_once_leaves_one_request(app, make_user):
    user_id = resident(make_user).id
    db.session.commit()
    outcomes = _race(app, 6, lambda i: residents.request_deletion(db.session.get(User, user_id)))
    assert outcomes == ["ok"] * 6, outcomes
    assert db.session.scalar(select(func.count()).select_from(DeletionRequest)) == 1


# --------------------------------------------------------------------------- hardening


def test_rate_limit_settings_are_declared_with_their_defaults(tmp_path, monkeypatch):
    from portal.config import defaults

    for name in ("RATELIMIT_REGISTER", "RATELIMIT_VERIFY", "RATELIMIT_VERIFY_IP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("RESET_CODE_HOURS", raising=False)
    settings = defaults(str(tmp_path))
    assert settings["RATELIMIT_REGISTER"] == "10 per hour"
    assert settings["RATELIMIT_VERIFY"] == "5 per hour"
    assert settings["RATELIMIT_VERIFY_IP"] == "20 per hour"
    assert settings["RESET_CODE_HOURS"] == 24
    monkeypatch.setenv("RESET_CODE_HOURS", "2")
    assert defaults(str(tmp_path))["RESET_CODE_HOURS"] == 2


def test_reset_codes_last_as_long_as_the_setting_says(app, make_user):
    app.config["RESET_CODE_HOURS"] = 2
    user = resident(make_user)
    residents.issue_reset_code(user, actor=make_user("operator"))
    item = db.session.scalars(select(ResetCode)).one()
    assert item.expires_at - item.created_at == timedelta(hours=2)


def test_verification_attempts_are_limited_per_address_across_accounts(app, client, login_as):
    """The per-address limit holds when one address tries several accounts (each below
    its own limit), and another address is not affected."""
    app.config["RATELIMIT_VERIFY_IP"] = "3 per hour"
    data = {"nik": "12", "birth_date": "1985-03-09"}
    login_as("resident", username=None, phone="+6281234500001")
    assert [client.post("/akun/verifikasi", data=data).status_code for _ in range(2)] == [200, 200]
    login_as("resident", username=None, phone="+6281234500002")
    codes = [client.post("/akun/verifikasi", data=data).status_code for _ in range(2)]
    assert codes == [200, 429]  # the second account's own limit (5) is far away
    elsewhere = app.test_client()
    user = db.session.scalars(select(User).where(User.phone == "+6281234500002")).one()
    with elsewhere.session_transaction() as session:
        session["_user_id"] = user.get_id()
    other_address = {"REMOTE_ADDR": "10.1.2.3"}
    assert (
        elsewhere.post("/akun/verifikasi", data=data, environ_base=other_address).status_code == 200
    )


class _Boom(RuntimeError):
    pass


def _failing_record(*_args, **_kwargs):
    raise _Boom("audit log unavailable")


def test_a_rejection_is_written_with_its_audit_entry_or_not_at_all(
    make_user, villager, monkeypatch
):
    user = _pending(make_user, villager)
    operator = make_user("operator")
    monkeypatch.setattr(residents, "record", _failing_record)
    with pytest.raises(_Boom):
        residents.reject_verification(user, "Tidak dikenal", actor=operator)
    db.session.commit()  # whatever the request commits next must not carry half a decision
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.verification_status == "pending" and user.claimed_nik == villager.nik
    assert actions("resident_verification_rejected") == []


def test_a_deletion_is_carried_out_with_its_audit_entry_or_not_at_all(
    make_user, villager, monkeypatch
):
    me = resident(make_user)
    item = residents.request_deletion(me, "Pindah")
    admin = make_user("admin")
    monkeypatch.setattr(residents, "record", _failing_record)
    with pytest.raises(_Boom):
        residents.process_deletion(item, actor=admin, approve=True)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(DeletionRequest, item.id).status == "open"
    me = db.session.get(User, me.id)
    assert me.active and me.deleted_at is None and me.phone == "+6281234500001"
    assert actions("account_deleted") == []


@pytest.mark.concurrency
def test_approving_and_rejecting_one_request_at_once_decides_it_once(app, make_user, villager):
    user_id = _pending(make_user, villager).id
    operator_id, person_id = make_user("operator").id, villager.id
    db.session.commit()

    def decide(i):
        user, actor = db.session.get(User, user_id), db.session.get(User, operator_id)
        if i % 2:
            residents.reject_verification(user, "Tidak dikenal", actor=actor)
        else:
            person = db.session.get(Person, person_id)
            matching.approve_verification(user, person, actor=actor)

    outcomes = _race(app, 8, decide)
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == 7, outcomes
    db.session.expire_all()
    user = db.session.get(User, user_id)
    approved = actions("resident_verification_approved")
    rejected = actions("resident_verification_rejected")
    assert len(approved) + len(rejected) == 1
    if approved:
        assert user.verification_status == "verified" and user.person_id == person_id
    else:
        assert user.verification_status == "rejected" and user.nik is None


@pytest.mark.concurrency
def test_two_admins_deciding_one_deletion_at_once_decide_it_once(app, make_user):
    user_id = resident(make_user).id
    request_id = residents.request_deletion(db.session.get(User, user_id)).id
    admin_ids = [make_user("admin").id for _ in range(2)]
    db.session.commit()

    def decide(i):
        item = db.session.get(DeletionRequest, request_id)
        actor = db.session.get(User, admin_ids[i % 2])
        residents.process_deletion(item, actor=actor, approve=i % 2 == 0, note="Masih ada urusan")

    outcomes = _race(app, 6, decide)
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == 5, outcomes
    db.session.expire_all()
    item = db.session.get(DeletionRequest, request_id)
    deleted, declined = actions("account_deleted"), actions("deletion_declined")
    assert len(deleted) + len(declined) == 1
    assert (
        (item.status == "done")
        == bool(deleted)
        == (db.session.get(User, user_id).deleted_at is not None)
    )
