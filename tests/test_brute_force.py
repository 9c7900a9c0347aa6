"""Brute force (issue 16, item 2): the per-account login pause, the second-step lock,
common passwords, no "remember me" for staff, the absolute login lifetime."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts import lockout, residents
from portal.accounts import second_factor as twofa
from portal.accounts.models import User
from portal.accounts.passwords import MIN_PASSWORD_LENGTH, is_common, password_problem
from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.test_staff_2fa import T0, Clock, enrol

PASSWORD = "correct horse battery"


@pytest.fixture
def app_config(app_config):
    # The limits per address and per account are tested elsewhere; here they stay out
    # of the way of the counters in the database.
    return {
        **app_config,
        "RATELIMIT_LOGIN": "1000 per minute",
        "RATELIMIT_SECOND_FACTOR": "1000 per minute",
    }


@pytest.fixture
def clock(monkeypatch):
    c = Clock(T0)
    monkeypatch.setattr(twofa, "clock", c)
    return c


def login(client, identifier, password=PASSWORD, **extra):
    return client.post(
        "/masuk?lang=en", data={"identifier": identifier, "password": password, **extra}
    )


def _error(response) -> str:
    """The message beside the password field."""
    page = response.get_data(as_text=True)
    found = re.findall(r'class="error"[^>]*>([^<]+)<', page)
    return " ".join(found)


# --- per-account pause -----------------------------------------------------------------


def test_wrong_passwords_pause_the_account_with_growing_delays(app, client, make_user, clock):
    user = make_user("resident", username="warga")
    for _ in range(4):
        assert login(client, "warga", "salah sekali").status_code == 200
    db.session.refresh(user)
    assert user.failed_logins == 4 and user.login_blocked_until is None
    login(client, "warga", "salah sekali")  # the fifth: one minute's pause
    db.session.refresh(user)
    assert lockout.is_paused(user, lockout.now_utc())
    # Even the right password is refused during the pause, with the usual answer.
    paused = login(client, "warga")
    assert paused.status_code == 200 and "not right" in _error(paused)
    clock.advance(61)
    login(client, "warga", "salah sekali")  # the sixth: two minutes
    clock.advance(61)
    assert login(client, "warga").status_code == 200  # still paused
    clock.advance(60)
    assert login(client, "warga").status_code == 302
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.login_blocked_until is None
    assert (
        len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login_paused")).all())
        == 2
    )


def test_the_pause_grows_to_at_most_an_hour(app):
    assert [lockout.pause_after(n) for n in (0, 4)] == [None, None]
    minutes = [lockout.pause_after(n).total_seconds() / 60 for n in (5, 6, 7, 10, 11, 40)]
    assert minutes == [1, 2, 4, 32, 60, 60]


def test_paused_known_and_unknown_accounts_get_the_same_answer(app, client, make_user, clock):
    make_user("resident", username="warga")
    for _ in range(6):
        login(client, "warga", "salah sekali")
    paused_right = login(client, "warga")
    unknown = login(client, "nobody-here", "salah sekali")
    wrong = login(app.test_client(), "warga", "salah lagi")
    assert _error(paused_right) == _error(unknown) == _error(wrong) != ""


def test_other_accounts_are_not_paused(app, client, make_user, clock):
    make_user("resident", username="warga")
    make_user("resident", username="tetangga")
    for _ in range(8):
        login(client, "warga", "salah sekali")
    assert login(client, "tetangga").status_code == 302


# --- second-step lock ------------------------------------------------------------------


def _staff_past_password(app, make_user, clock, username="ops"):
    user = make_user("operator", username=username)
    totp, codes = enrol(user, clock.now)
    clock.advance(60)
    browser = app.test_client()
    assert (
        browser.post("/masuk", data={"identifier": username, "password": PASSWORD}).status_code
        == 302
    )
    return user, totp, codes, browser


def test_ten_wrong_codes_lock_the_second_step_and_the_user_is_told(app, make_user, clock):
    user, totp, codes, browser = _staff_past_password(app, make_user, clock)
    for _ in range(9):
        page = browser.post("/masuk/kode?lang=en", data={"code": "000000"}).get_data(as_text=True)
        assert "second-step-locked" not in page
    page = browser.post("/masuk/kode?lang=en", data={"code": "000000"}).get_data(as_text=True)
    assert "second-step-locked" in page and "recovery codes" in page
    db.session.refresh(user)
    assert user.totp_locked_at is not None
    # The right code from the app no longer opens it...
    locked = browser.post("/masuk/kode", data={"code": totp.at(clock.now)})
    assert locked.status_code == 200
    assert browser.get("/staf/").status_code == 302
    # ...a recovery code does, and unlocks.
    done = browser.post("/masuk/kode", data={"code": codes[0]})
    assert done.status_code == 302
    assert browser.get("/staf/").status_code == 200
    db.session.refresh(user)
    assert user.totp_locked_at is None and user.totp_failures == 0
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "second_factor_locked" in actions and "second_factor_unlocked" in actions


def test_a_right_code_resets_the_count(make_user, clock):
    user = make_user("operator")
    totp, _codes = enrol(user, clock.now)
    for _ in range(9):
        assert lockout.check_code(user, "000000", clock.now + 30) is None
    assert lockout.check_code(user, totp.at(clock.now + 30), clock.now + 30) == "totp"
    for _ in range(9):
        lockout.check_code(user, "000000", clock.now + 60)
    assert not lockout.is_locked(user)


def test_an_admin_unlocks_the_second_step(app, client, login_as, make_user, clock):
    user, totp, _codes, browser = _staff_past_password(app, make_user, clock)
    for _ in range(10):
        browser.post("/masuk/kode", data={"code": "000000"})
    admin = login_as("admin")
    page = client.get("/staf/pengguna?lang=en").get_data(as_text=True)
    assert "Locked" in page and f"/staf/pengguna/{user.id}/buka-kode" in page
    assert client.post(f"/staf/pengguna/{user.id}/buka-kode").status_code == 302
    db.session.refresh(user)
    assert not lockout.is_locked(user) and user.has_second_factor
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "second_factor_unlocked")
    ).one()
    assert entry.actor_id == admin.id
    assert browser.post("/masuk/kode", data={"code": totp.at(clock.now)}).status_code == 302


def test_an_admin_lifts_a_login_pause(app, client, login_as, make_user, clock):
    """Someone guessing at a staff member's password cannot keep them out for an hour."""
    user = make_user("operator", username="ops")
    for _ in range(8):
        login(app.test_client(), "ops", "salah sekali")
    db.session.refresh(user)
    assert lockout.is_paused(user)
    admin = login_as("admin")
    page = client.get("/staf/pengguna?lang=en").get_data(as_text=True)
    assert "Login paused after wrong passwords" in page
    assert client.post(f"/staf/pengguna/{user.id}/buka-kode").status_code == 302
    db.session.refresh(user)
    assert not lockout.is_paused(user) and user.failed_logins == 0
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "login_pause_lifted")
    ).one()
    assert entry.actor_id == admin.id and entry.before == {
        "failed_logins": 5
    }  # tries in the pause do not count
    assert login(app.test_client(), "ops").status_code == 302


def test_an_admin_reset_clears_the_lock_too(make_user, login_as, clock):
    user = make_user("operator")
    enrol(user, clock.now)
    for _ in range(10):
        lockout.check_code(user, "000000", clock.now)
    assert lockout.is_locked(user)
    twofa.reset_second_factor(user, actor=login_as("admin"))
    db.session.refresh(user)
    assert not lockout.is_locked(user) and user.totp_failures == 0


# --- new passwords ---------------------------------------------------------------------


def test_common_passwords_are_on_the_list():
    assert is_common("password123") and is_common("QwertyUiop") and is_common("1q2w 3e4r5t")
    assert not is_common(PASSWORD)
    assert password_problem("x" * (MIN_PASSWORD_LENGTH - 1)) is not None
    assert password_problem("qwertyuiop") is not None
    assert password_problem(PASSWORD) is None


def test_every_place_that_sets_a_password_refuses_a_common_one(
    app, client, make_user, login_as, runner
):
    # Sign-up.
    page = client.post(
        "/daftar?lang=en",
        data={
            "name": "Budi",
            "phone": "081234567890",
            "password": "password123",
            "confirm": "password123",
            "locale": "id",
        },
    ).get_data(as_text=True)
    assert "one of the most common" in page and 'value="Budi"' in page
    with pytest.raises(residents.ResidentError):
        residents.register_resident(name="Budi", password="password123", phone="081234567891")
    # Change.
    user = make_user("resident", phone="+6281234567892")
    with pytest.raises(residents.ResidentError):
        residents.change_password(user, PASSWORD, "1234567890")
    # Reset with a code from the office.
    operator = make_user("operator")
    code = residents.issue_reset_code(user, actor=operator)
    with pytest.raises(residents.ResidentError) as refused:
        residents.reset_password_with_code("+6281234567892", code, "qwertyuiop")
    assert refused.value.field == "password"
    # A company's representative.
    from portal.csr import services as csr
    from portal.csr.models import SECTORS

    with pytest.raises(csr.CsrError):
        csr.register_company(
            name="PT Contoh",
            sector=next(iter(SECTORS)),
            contact_name="Sari",
            email="sari@example.com",
            password="password123",
        )
    # The first admin, from the command line.
    result = runner.invoke(
        args=["create-admin", "--username", "kades", "--name", "K", "--password", "password123"]
    )
    assert result.exit_code != 0
    assert db.session.scalars(select(User).where(User.username == "kades")).first() is None


def test_the_minimum_length_is_one_setting_shown_by_every_form(client, login_as):
    page = client.get("/daftar?lang=en").get_data(as_text=True)
    assert f"At least {MIN_PASSWORD_LENGTH} characters." in page
    page = client.get("/csr/daftar?lang=en").get_data(as_text=True)
    assert f"At least {MIN_PASSWORD_LENGTH} characters." in page


def test_a_reset_code_lifts_the_pause(client, make_user, clock):
    user = make_user("resident", phone="+6281234567893")
    for _ in range(6):
        login(client, "+6281234567893", "salah sekali")
    db.session.refresh(user)
    assert lockout.is_paused(user, lockout.now_utc())
    code = residents.issue_reset_code(user, actor=make_user("operator"))
    residents.reset_password_with_code("+6281234567893", code, "pisang goreng hangat")
    assert login(client, "+6281234567893", "pisang goreng hangat").status_code == 302
