"""Staff second factor (TOTP, recovery codes), idle expiry, logout, no-store, rate limit."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import select, text

from portal.accounts import second_factor as twofa
from portal.accounts import secret_box, staff_session
from portal.accounts.models import RecoveryCode, User
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.roles import STAFF_ROLES
from portal.security import ROLES_ATTR, SECOND_FACTOR_ATTR
from tests.test_routes_roles import _url_for_rule
from tests.totp_helper import Authenticator, flask_staff_login, recovery_codes_from_page

PASSWORD = "correct horse battery"
T0 = 1_800_000_000.0  # a fixed moment (2027-01-15), in the middle of a 30 s step


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """The portal's clock for codes and the idle timer, moved by hand."""
    c = Clock(T0)
    monkeypatch.setattr(twofa, "clock", c)
    return c


def enrol(user: User, now: float = T0) -> tuple[pyotp.TOTP, list[str]]:
    """Set up the second factor directly through the services."""
    secret = twofa.start_enrolment(user)
    db.session.commit()
    totp = pyotp.TOTP(secret)
    codes = twofa.confirm_enrolment(user, totp.at(now), now)
    assert codes is not None
    return totp, codes


def password_login(client, username: str, **extra):
    return client.post("/masuk", data={"identifier": username, "password": PASSWORD, **extra})


def _staff_rules(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, ROLES_ATTR, None) or ()
        if set(roles) & set(STAFF_ROLES):
            yield rule, roles, getattr(view, SECOND_FACTOR_ATTR, True)


# --- enrolment -----------------------------------------------------------------------


def test_first_staff_login_enrols_and_shows_recovery_codes_once(client, make_user, clock):
    user = make_user("operator", username="ops")
    response = password_login(client, "ops")
    assert response.headers["Location"].startswith("/masuk/kode")
    # Half logged in: the staff area sends them back to the second step.
    refused = client.get("/staf/")
    assert refused.status_code == 302 and "/masuk/kode" in refused.headers["Location"]

    page = client.get("/masuk/kode?lang=en", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.request.path == "/masuk/kode/pasang"
    phone = Authenticator.from_enrolment_page(text)
    assert phone.secret == db.session.get(User, user.id).totp_secret
    # The QR code comes from a route (CSP allows images from 'self'), as a PNG.
    assert 'src="/masuk/kode/pasang/qr.png"' in text
    qr = client.get("/masuk/kode/pasang/qr.png")
    assert qr.mimetype == "image/png" and qr.data.startswith(b"\x89PNG")
    assert qr.headers["Cache-Control"] == "no-store"
    # A reload shows the same key, so a phone that already scanned it still works.
    again = client.get("/masuk/kode/pasang")
    assert Authenticator.from_enrolment_page(again.get_data(as_text=True)).secret == phone.secret

    wrong = client.post("/masuk/kode/pasang?lang=en", data={"code": "000000"})
    assert "This code is not right." in wrong.get_data(as_text=True)
    assert client.get("/staf/").status_code == 302

    done = client.post("/masuk/kode/pasang?lang=en", data={"code": phone.code(clock.now)})
    codes = recovery_codes_from_page(done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    assert "shown only now" in done.get_data(as_text=True)

    stored = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    for row in stored:
        assert row.code_hash.startswith("sha256$")
        assert all(code not in row.code_hash for code in codes)
    assert db.session.get(User, user.id).totp_enabled_at is not None
    assert client.get("/staf/").status_code == 200
    # Once on, neither the key nor the QR code is shown again.
    assert client.get("/masuk/kode/pasang/qr.png").status_code == 404
    assert client.get("/masuk/kode/pasang").status_code == 302
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "second_factor_enabled")
    ).one()
    assert entry.object_id == str(user.id)


def test_the_test_helper_logs_in_through_the_real_forms(app, client, make_user):
    make_user("auditor", username="bpd")
    phone, codes = flask_staff_login(client, "bpd", PASSWORD)
    assert len(codes) == 10
    assert client.get("/staf/").status_code == 200
    client.post("/keluar")
    flask_staff_login(client, "bpd", PASSWORD, authenticator=phone)
    assert client.get("/staf/").status_code == 200


# --- login with the second factor ------------------------------------------------------


def test_login_with_totp_and_back_to_the_page_asked_for(client, make_user, clock):
    user = make_user("admin", username="kades")
    totp, _codes = enrol(user, clock.now)
    clock.advance(60)
    response = client.get("/staf/?lang=en")
    assert "/masuk" in response.headers["Location"]
    response = password_login(client, "kades", next="/staf/")
    assert response.headers["Location"] == "/masuk/kode?next=/staf/"
    page = client.get("/masuk/kode?next=/staf/&lang=en").get_data(as_text=True)
    assert "authenticator app" in page and 'value="/staf/"' in page
    done = client.post("/masuk/kode", data={"code": totp.at(clock.now), "next": "/staf/"})
    assert done.status_code == 302 and done.headers["Location"] == "/staf/"
    assert client.get("/staf/").status_code == 200


def test_next_after_the_second_step_must_be_same_site(client, make_user, clock):
    user = make_user("operator", username="ops")
    totp, _codes = enrol(user, clock.now)
    clock.advance(60)
    password_login(client, "ops")
    done = client.post("/masuk/kode", data={"code": totp.at(clock.now), "next": "//evil.example"})
    assert done.headers["Location"] == "/staf/"


def test_wrong_code_is_refused_beside_the_field_in_both_languages(client, make_user, clock):
    user = make_user("operator", username="ops")
    totp, _codes = enrol(user, clock.now)
    clock.advance(60)
    password_login(client, "ops")
    wrong = str((int(totp.at(clock.now)) + 1) % 1_000_000).zfill(6)
    response = client.post("/masuk/kode?lang=en", data={"code": wrong})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This code is not right or was already used." in page
    assert 'id="code-error"' in page and f'value="{wrong}"' in page
    response = client.post("/masuk/kode?lang=id", data={"code": "abc"})
    assert "Kode ini salah atau sudah pernah dipakai." in response.get_data(as_text=True)
    empty = client.post("/masuk/kode?lang=en", data={"code": ""})
    assert "Please fill in this field." in empty.get_data(as_text=True)
    assert client.get("/staf/").status_code == 302


def test_a_code_is_accepted_one_step_either_side_but_never_twice(make_user, clock):
    user = make_user("operator", username="ops")
    totp, _codes = enrol(user, clock.now)  # uses the step of T0
    now = T0 + 300
    assert twofa.verify_totp(user, totp.at(now - 60), now) is False  # two steps old
    assert twofa.verify_totp(user, totp.at(now + 60), now) is False  # two steps ahead
    assert twofa.verify_totp(user, totp.at(now - 30), now) is True
    assert twofa.verify_totp(user, totp.at(now - 30), now) is False  # replay
    assert twofa.verify_totp(user, totp.at(now), now) is True
    assert twofa.verify_totp(user, totp.at(now + 30), now) is True
    # Older than the last accepted step: refused, even though still inside the window.
    assert twofa.verify_totp(user, totp.at(now), now + 30) is False


def test_replayed_code_is_refused_at_the_next_login(client, make_user, clock):
    user = make_user("operator", username="ops")
    totp, _codes = enrol(user, clock.now)
    clock.advance(60)
    code = totp.at(clock.now)
    password_login(client, "ops")
    assert client.post("/masuk/kode", data={"code": code}).status_code == 302
    client.post("/keluar")
    clock.advance(10)  # same 30 s step: the code is still "current"
    password_login(client, "ops")
    response = client.post("/masuk/kode?lang=en", data={"code": code})
    assert "already used" in response.get_data(as_text=True)
    assert client.get("/staf/").status_code == 302


def test_recovery_code_works_once(client, make_user, clock):
    user = make_user("auditor", username="bpd")
    _totp, codes = enrol(user, clock.now)
    password_login(client, "bpd")
    # Typed the way people type: upper case, spaces instead of the dash.
    typed = codes[3].upper().replace("-", " ")
    response = client.post("/masuk/kode?lang=en", data={"code": typed})
    assert response.status_code == 302
    assert "9 recovery codes are left" in client.get("/staf/?lang=en").get_data(as_text=True)
    client.post("/keluar")
    password_login(client, "bpd")
    again = client.post("/masuk/kode?lang=en", data={"code": codes[3]})
    assert "already used" in again.get_data(as_text=True)
    assert client.get("/staf/").status_code == 302
    assert twofa.recovery_codes_left(user) == 9
    assert db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "recovery_code_used")
    ).all()


def test_new_recovery_codes_replace_the_old_ones(client, login_as, clock):
    user = login_as("operator")
    _totp, old = enrol(user, clock.now)
    page = client.get("/staf/keamanan?lang=en").get_data(as_text=True)
    assert "10 unused recovery codes" in page
    response = client.post("/staf/keamanan")
    new = recovery_codes_from_page(response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert twofa.use_recovery_code(user, old[0]) is False
    assert twofa.use_recovery_code(user, new[0]) is True


def test_second_factor_state_is_the_property_and_the_count(make_user, clock):
    """second_factor_state (the security page's one statement) answers what
    has_second_factor and recovery_codes_left do, before, during and after."""
    user = make_user("operator", username="state")

    def both():
        db.session.expire_all()
        return (user.has_second_factor, twofa.recovery_codes_left(user))

    assert twofa.second_factor_state(user) == both() == (False, 0)
    _totp, codes = enrol(user, clock.now)
    assert twofa.second_factor_state(user) == both() == (True, 10)
    assert twofa.use_recovery_code(user, codes[0]) is True
    assert twofa.second_factor_state(user) == both() == (True, 9)
    twofa.reset_second_factor(user, actor=None)
    assert twofa.second_factor_state(user) == both() == (False, 0)


def test_the_security_page_without_a_second_step_and_with_a_password_error(
    client, login_as, make_user
):
    login_as("operator")
    page = client.get("/staf/keamanan?lang=en").get_data(as_text=True)
    assert "not set up for your account yet" in page and 'name="current"' in page
    wrong = {"current": "salah", "password": "baru sekali ya", "confirm": "baru sekali ya"}
    response = client.post("/staf/keamanan/sandi?lang=en", data=wrong)
    assert "This is not your current password." in response.get_data(as_text=True)


def test_logging_in_again_asks_for_the_second_factor_again(client, make_user, clock):
    """A new password login never inherits the mark from an earlier one in this browser."""
    user = make_user("operator", username="ops")
    totp, _codes = enrol(user, clock.now)
    clock.advance(60)
    password_login(client, "ops")
    client.post("/masuk/kode", data={"code": totp.at(clock.now)})
    assert client.get("/staf/").status_code == 200
    password_login(client, "ops")
    assert client.get("/staf/").status_code == 302


def test_the_mark_belongs_to_one_login_only(app, client, login_as):
    """A session marked for one account does not open staff pages for another."""
    operator = login_as("operator")
    assert client.get("/staf/").status_code == 200
    admin = login_as("admin", second_factor=False)
    with client.session_transaction() as session:
        session[staff_session.VERIFIED_KEY] = operator.get_id()
    assert client.get("/staf/").status_code == 302
    assert not staff_session.is_verified(admin, {staff_session.VERIFIED_KEY: operator.get_id()})


# --- every staff route refuses a half-logged-in staff member --------------------------


def test_only_the_second_step_and_logout_skip_the_check(app):
    skipped = {rule.endpoint for rule, _roles, needed in _staff_rules(app) if not needed}
    assert skipped == {
        "accounts.second_factor",
        "accounts.enrol",
        "accounts.enrol_qr",
        "accounts.logout",
    }


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_routes_refuse_without_the_second_factor(app, client, login_as, role):
    login_as(role, second_factor=False)
    checked = 0
    for rule, _roles, needed in _staff_rules(app):
        if not needed:
            continue
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, (role, method, url, response.status_code)
            assert response.headers["Location"].startswith("/masuk/kode"), (method, url)
            checked += 1
    assert checked >= 10
    # htmx gets a full-page redirect instead of a login form swapped into a fragment.
    response = client.get("/staf/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/masuk/kode")


def test_resident_never_sees_the_second_step(client, login_as):
    login_as("resident")
    assert client.get("/masuk/kode").status_code == 403
    assert client.get("/masuk/kode/pasang").status_code == 403


# --- idle expiry -----------------------------------------------------------------------


def test_staff_session_ends_after_30_idle_minutes(client, login_as, clock):
    login_as("operator")
    assert client.get("/staf/").status_code == 200
    clock.advance(29 * 60)
    assert client.get("/staf/").status_code == 200  # activity restarts the clock
    clock.advance(29 * 60)
    assert client.get("/staf/").status_code == 200
    clock.advance(30 * 60 + 1)
    response = client.get("/staf/?lang=en")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk?next=")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "logged out after 30 minutes without activity" in page
    # Logged out for good: moving the clock back or coming back later does not help.
    assert "/masuk" in client.get("/staf/").headers["Location"]
    with client.session_transaction() as session:
        assert "_user_id" not in session and staff_session.VERIFIED_KEY not in session


def test_the_idle_clock_is_written_once_a_minute_not_on_every_request(client, login_as, clock):
    login_as("operator")
    assert client.get("/staf/").status_code == 200
    with client.session_transaction() as session:
        written = session[staff_session.LAST_SEEN_KEY]
    clock.advance(staff_session.CLOCK_STEP_SECONDS - 1)
    response = client.get("/staf/")
    # Nothing changed in the session: the cookie is not signed and sent again.
    assert response.status_code == 200 and "session=" not in response.headers.get("Set-Cookie", "")
    with client.session_transaction() as session:
        assert session[staff_session.LAST_SEEN_KEY] == written
    clock.advance(1)
    response = client.get("/staf/")
    assert "session=" in response.headers.get("Set-Cookie", "")
    with client.session_transaction() as session:
        assert session[staff_session.LAST_SEEN_KEY] == written + staff_session.CLOCK_STEP_SECONDS
    # The limit counts from the clock as written: at most a minute early, never late.
    clock.advance(30 * 60 - 1)
    assert client.get("/staf/").status_code == 200
    clock.advance(30 * 60 + 1)
    assert client.get("/staf/").status_code == 302


def test_idle_expiry_on_a_public_page_shows_it_logged_out(client, login_as, clock):
    login_as("auditor")
    clock.advance(31 * 60)
    response = client.get("/?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "logged out after 30 minutes" in page and ">Sign up</a>" in page


def test_idle_minutes_are_a_setting(app, client, login_as, clock):
    app.config["STAFF_IDLE_MINUTES"] = 5
    login_as("admin")
    clock.advance(4 * 60)
    assert client.get("/staf/").status_code == 200
    clock.advance(6 * 60)
    assert client.get("/staf/").status_code == 302


def test_residents_have_no_idle_limit(client, login_as, clock):
    login_as("resident")
    clock.advance(24 * 3600)
    assert "Log out" in client.get("/?lang=en").get_data(as_text=True)


# --- logout, caching ---------------------------------------------------------------------


def test_logout_ends_the_staff_session_on_the_server(app, client, make_user, clock):
    user = make_user("operator", username="ops")
    totp, _codes = enrol(user, clock.now)
    clock.advance(60)
    password_login(client, "ops")
    client.post("/masuk/kode", data={"code": totp.at(clock.now)})
    assert client.get("/staf/").status_code == 200
    with client.session_transaction() as session:
        stolen = dict(session)
    client.post("/keluar")
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(stolen)
    response = thief.get("/staf/")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    assert "/masuk/kode" not in response.headers["Location"]


def test_half_logged_in_staff_can_log_out(client, login_as):
    login_as("operator", second_factor=False)
    assert client.post("/keluar").status_code == 302
    assert ">Sign up</a>" in client.get("/?lang=en").get_data(as_text=True)


def test_staff_pages_are_never_stored_and_htmx_keeps_no_history(client, login_as):
    login_as("operator", second_factor=False)
    step = client.get("/masuk/kode", follow_redirects=True)
    assert step.headers["Cache-Control"] == "no-store"
    login_as("operator")
    for url in ("/staf/", "/staf/keamanan", "/staf/registrasi/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
        assert '"historyCacheSize": 0' in response.get_data(as_text=True), url


# --- rate limit ------------------------------------------------------------------------


def test_code_guessing_is_rate_limited_per_account(app, client, make_user, clock):
    user = make_user("operator", username="ops")
    totp, _codes = enrol(user, clock.now)
    clock.advance(60)
    password_login(client, "ops")
    statuses = [client.post("/masuk/kode", data={"code": "000000"}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # Even the right code waits now.
    assert client.post("/masuk/kode", data={"code": totp.at(clock.now)}).status_code == 429
    # The budget is the account's: another staff member at the same address goes on.
    other = make_user("auditor", username="bpd")
    other_totp, _ = enrol(other, clock.now)
    second = app.test_client()
    password_login(second, "bpd")
    ok = second.post("/masuk/kode", data={"code": other_totp.at(clock.now + 30)})
    assert ok.status_code == 302


# --- admin reset -----------------------------------------------------------------------


def test_admin_resets_a_staff_members_second_factor(app, client, login_as, make_user, clock):
    operator = make_user("operator", username="ops")
    totp, _codes = enrol(operator, clock.now)
    clock.advance(60)
    victim = app.test_client()
    password_login(victim, "ops")
    victim.post("/masuk/kode", data={"code": totp.at(clock.now)})
    assert victim.get("/staf/").status_code == 200

    admin = login_as("admin")
    assert 'href="/staf/pengguna"' in client.get("/staf/").get_data(as_text=True)
    page = client.get("/staf/pengguna?lang=en").get_data(as_text=True)
    assert "Operator Nomor" in page and "10 recovery codes left" in page
    response = client.post(f"/staf/pengguna/{operator.id}/reset-kode")
    assert response.status_code == 302
    db.session.refresh(operator)
    assert operator.totp_secret is None and operator.totp_enabled_at is None
    assert twofa.recovery_codes_left(operator) == 0
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "second_factor_reset")
    ).one()
    assert entry.actor_id == admin.id and entry.object_id == str(operator.id)
    assert entry.before["enabled"] is True
    # Their open sessions ended; the next login sets up a new app.
    assert "/masuk" in victim.get("/staf/").headers["Location"]
    password_login(victim, "ops")
    assert victim.get("/masuk/kode").headers["Location"].startswith("/masuk/kode/pasang")


def test_reset_is_for_admins_and_other_staff_only(client, login_as, make_user):
    resident = make_user("resident")
    admin = login_as("admin")
    assert client.post(f"/staf/pengguna/{resident.id}/reset-kode").status_code == 404
    assert client.post("/staf/pengguna/9999/reset-kode").status_code == 404
    response = client.post(f"/staf/pengguna/{admin.id}/reset-kode?lang=en")
    assert "/staf/pengguna" in response.headers["Location"]
    assert (
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "second_factor_reset")
        ).all()
        == []
    )
    target = make_user("auditor")
    login_as("operator")
    dashboard = client.get("/staf/").get_data(as_text=True)
    assert 'href="/staf/keamanan"' in dashboard and 'href="/staf/pengguna"' not in dashboard
    assert client.post(f"/staf/pengguna/{target.id}/reset-kode").status_code == 403
    assert client.get("/staf/pengguna").status_code == 403


def test_reset_from_the_command_line(runner, make_user, clock):
    user = make_user("admin", username="kades")
    enrol(user, clock.now)
    result = runner.invoke(args=["accounts", "reset-second-factor", "kades"])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert not user.has_second_factor
    missing = runner.invoke(args=["accounts", "reset-second-factor", "nobody"])
    assert missing.exit_code != 0


def test_staff_are_never_kept_logged_in(app, client, make_user, clock):
    """The box "keep me logged in" does nothing for a staff account: no remember cookie,
    so closing the browser ends the login (the box is not even offered on the way to a
    staff page)."""
    user = make_user("operator", username="ops")
    totp, _codes = enrol(user, clock.now)
    clock.advance(60)
    assert 'name="remember"' not in client.get("/masuk?next=/staf/").get_data(as_text=True)
    password_login(client, "ops", remember="y")
    client.post("/masuk/kode", data={"code": totp.at(clock.now)})
    assert client.get("/staf/").status_code == 200
    assert client.get_cookie("remember_token") is None


def test_enrolment_is_confirmed_once(make_user, clock):
    """A second confirmation (another tab, a reload) makes no second set of codes."""
    user = make_user("operator", username="ops")
    totp, codes = enrol(user, clock.now)
    assert twofa.confirm_enrolment(user, totp.at(clock.now + 30), clock.now + 30) is None
    assert twofa.use_recovery_code(user, codes[0]) is True


# --- the secret at rest --------------------------------------------------------------


def _stored_secret(user_id: int) -> str | None:
    return db.session.execute(
        text("SELECT totp_secret FROM user_account WHERE id = :id"), {"id": user_id}
    ).scalar_one()


def test_the_totp_secret_is_sealed_in_the_database(make_user, clock):
    user = make_user("operator", username="ops")
    totp, _codes = enrol(user, clock.now)
    stored = _stored_secret(user.id)
    assert stored.startswith(secret_box.PREFIX) and totp.secret not in stored
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.totp_secret == totp.secret
    # The compare-and-set of a code's step works on the sealed column.
    assert twofa.verify_totp(user, totp.at(clock.now + 30), clock.now + 30)
    assert not twofa.verify_totp(user, totp.at(clock.now + 30), clock.now + 30)


def test_the_migration_seals_secrets_stored_before_and_opens_them_on_downgrade(
    app, make_user, clock
):
    from flask_migrate import downgrade, upgrade

    user = make_user("operator", username="ops")
    totp, _codes = enrol(user, clock.now)
    user_id = user.id
    db.session.execute(
        text("UPDATE user_account SET totp_secret = :plain WHERE id = :id"),
        {"plain": totp.secret, "id": user_id},
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user_id).totp_secret == totp.secret  # read as it is
    db.session.close()
    try:
        upgrade()  # already at head: nothing to do, the plain secret stays
        assert _stored_secret(user_id) == totp.secret
        db.session.close()
        downgrade(revision="0014")
        upgrade()
    finally:
        db.session.close()
        upgrade()
    stored = _stored_secret(user_id)
    assert stored.startswith(secret_box.PREFIX) and secret_box.unseal(stored) == totp.secret
    db.session.close()
    try:
        downgrade(revision="0014")
        assert _stored_secret(user_id) == totp.secret
    finally:
        db.session.close()
        upgrade()


def test_a_secret_that_does_not_open_refuses_every_code_until_an_admin_resets_it(
    app, client, make_user, clock
):
    user = make_user("operator", username="ops", password=PASSWORD)
    totp, _codes = enrol(user, clock.now)
    app.config["TOTP_ENCRYPTION_KEY"] = secret_box.new_key()  # the key was lost
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.has_second_factor and secret_box.is_unreadable(user.totp_secret)
    assert not twofa.verify_totp(user, totp.at(clock.now + 30), clock.now + 30)
    # The password alone does not open a new enrolment: the second step still asks.
    assert password_login(client, "ops").headers["Location"].endswith("/masuk/kode")
    page = client.get("/masuk/kode").get_data(as_text=True)
    assert 'name="code"' in page and "totp-secret" not in page
    refused = client.post("/masuk/kode", data={"code": totp.at(clock.now + 30)})
    assert refused.status_code == 200
    assert client.get("/staf/pengguna").headers["Location"].startswith("/masuk/kode")
    twofa.reset_second_factor(user, actor=make_user("admin"))
    secret = twofa.start_enrolment(user)
    db.session.commit()
    assert twofa.confirm_enrolment(user, pyotp.TOTP(secret).at(clock.now + 60), clock.now + 60)
    assert secret_box.unseal(_stored_secret(user.id)) == secret


def test_the_totp_key_is_generated_once_with_private_rights(tmp_path, monkeypatch):
    import base64
    import os
    import stat

    from portal import config

    monkeypatch.delenv("TOTP_ENCRYPTION_KEY", raising=False)
    first = config.load_totp_key(str(tmp_path))
    assert first == config.load_totp_key(str(tmp_path))
    assert len(base64.urlsafe_b64decode(first)) == secret_box.KEY_BYTES
    assert stat.S_IMODE(os.stat(tmp_path / "totp_key").st_mode) == 0o600
    monkeypatch.setenv("TOTP_ENCRYPTION_KEY", "from-env")
    assert config.load_totp_key(str(tmp_path)) == "from-env"
