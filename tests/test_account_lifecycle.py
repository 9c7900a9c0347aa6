"""Accounts of staff, trainers and partners: own password, switching off and on, roles,
and the last active administrator (issue 16, item 1)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts import lifecycle, staff_session
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.extensions import db

PASSWORD = "correct horse battery"
NEW_PASSWORD = "kebun singkong di belakang"


def _second_client_logged_in(app, user):
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = user.get_id()
        staff_session.mark_seen(session)
        if user.is_staff:
            staff_session.mark_verified(user, session)
    return other


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- own password ----------------------------------------------------------------------


def test_staff_change_their_own_password_and_other_sessions_end(app, client, login_as):
    user = login_as("operator", username="ops")
    elsewhere = _second_client_logged_in(app, user)
    assert elsewhere.get("/staf/").status_code == 200
    page = client.get("/staf/keamanan?lang=en").get_data(as_text=True)
    assert 'action="/staf/keamanan/sandi"' in page and "Current password" in page

    wrong = client.post(
        "/staf/keamanan/sandi?lang=en",
        data={"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert "This is not your current password." in wrong.get_data(as_text=True)

    done = client.post(
        "/staf/keamanan/sandi",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/staf/keamanan")
    # This browser stays in (and past the second step); the other one is out.
    assert client.get("/staf/").status_code == 200
    assert "/masuk" in elsewhere.get("/staf/").headers["Location"]
    db.session.refresh(user)
    from portal.accounts.passwords import verify_password

    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert [e.object_id for e in _audit("password_changed")] == [str(user.id)]


@pytest.mark.parametrize("role", ["trainer", "partner", "resident"])
def test_every_other_role_changes_its_own_password_too(client, login_as, role):
    login_as(role)
    done = client.post(
        "/akun/sandi",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert done.status_code == 302


def test_a_common_new_password_is_refused_for_staff_too(client, login_as):
    login_as("admin")
    response = client.post(
        "/staf/keamanan/sandi?lang=en",
        data={"current": PASSWORD, "password": "qwertyuiop", "confirm": "qwertyuiop"},
    )
    assert "one of the most common" in response.get_data(as_text=True)


# --- switching off and on --------------------------------------------------------------


def test_admin_switches_an_account_off_its_sessions_end_and_it_cannot_log_in(
    app, client, login_as, make_user
):
    operator = make_user("operator", username="ops")
    session_of_operator = _second_client_logged_in(app, operator)
    assert session_of_operator.get("/staf/").status_code == 200
    admin = login_as("admin")
    page = client.get("/staf/pengguna?lang=en").get_data(as_text=True)
    assert f'action="/staf/pengguna/{operator.id}/aktif"' in page

    response = client.post(f"/staf/pengguna/{operator.id}/aktif", data={"active": "0"})
    assert response.status_code == 302
    db.session.refresh(operator)
    assert operator.active is False
    # The open session ends at its next request.
    assert "/masuk" in session_of_operator.get("/staf/").headers["Location"]
    # The right password no longer opens it, and the person is told why.
    refused = app.test_client().post(
        "/masuk?lang=en", data={"identifier": "ops", "password": PASSWORD}
    )
    assert refused.status_code == 200
    assert "This account is switched off" in refused.get_data(as_text=True)
    [entry] = _audit("account_deactivated")
    assert entry.actor_id == admin.id and entry.object_id == str(operator.id)
    assert entry.before == {"active": True} and entry.after == {"active": False}

    client.post(f"/staf/pengguna/{operator.id}/aktif", data={"active": "1"})
    db.session.refresh(operator)
    assert operator.active is True
    assert len(_audit("account_activated")) == 1
    again = app.test_client().post("/masuk", data={"identifier": "ops", "password": PASSWORD})
    assert again.headers["Location"].startswith("/masuk/kode")


def test_admin_changes_a_role_and_the_old_sessions_end(app, client, login_as, make_user):
    trainer = make_user("trainer", username="pelatih")
    old_session = _second_client_logged_in(app, trainer)
    assert old_session.get("/akun").status_code == 200
    admin = login_as("admin")
    response = client.post(f"/staf/pengguna/{trainer.id}/peran", data={"role": "operator"})
    assert response.status_code == 302
    db.session.refresh(trainer)
    assert trainer.role == "operator"
    assert "/masuk" in old_session.get("/akun").headers["Location"]
    [entry] = _audit("account_role_changed")
    assert entry.actor_id == admin.id
    assert entry.before == {"role": "trainer"} and entry.after == {"role": "operator"}
    # A role nobody may give is refused; nothing changes.
    client.post(f"/staf/pengguna/{trainer.id}/peran", data={"role": "resident"})
    db.session.refresh(trainer)
    assert trainer.role == "operator"


def test_nobody_changes_their_own_account(client, login_as, make_user):
    admin = login_as("admin")
    make_user("admin")  # another admin exists, so only the own-account rule refuses
    off = client.post(f"/staf/pengguna/{admin.id}/aktif?lang=en", data={"active": "0"})
    assert off.status_code == 302
    demote = client.post(f"/staf/pengguna/{admin.id}/peran", data={"role": "auditor"})
    assert demote.status_code == 302
    db.session.refresh(admin)
    assert admin.active and admin.role == "admin"
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.set_active(admin.id, False, actor=admin)


def test_the_last_active_admin_is_kept(make_user):
    """Two admins demote each other (one after the other, as the row lock orders two at
    once): the second change finds no other active admin and is refused."""
    first = make_user("admin")
    second = make_user("admin")
    lifecycle.change_role(second.id, "operator", actor=first)
    with pytest.raises(lifecycle.LifecycleError) as refused:
        lifecycle.change_role(first.id, "operator", actor=second)
    assert refused.value.message is lifecycle.LAST_ADMIN
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.set_active(first.id, False, actor=second)
    db.session.expire_all()
    assert db.session.get(User, first.id).role == "admin"
    assert db.session.get(User, first.id).active is True
    # A switched-off admin does not count as one.
    third = make_user("admin")
    lifecycle.set_active(third.id, False, actor=first)
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.change_role(first.id, "auditor", actor=second)


def test_only_admins_manage_accounts_and_residents_are_not_managed_here(
    client, login_as, make_user
):
    resident = make_user("resident")
    target = make_user("trainer")
    login_as("admin")
    assert (
        client.post(f"/staf/pengguna/{resident.id}/aktif", data={"active": "0"}).status_code == 404
    )
    assert (
        client.post(f"/staf/pengguna/{resident.id}/peran", data={"role": "admin"}).status_code
        == 404
    )
    page = client.get("/staf/pengguna?lang=en").get_data(as_text=True)
    assert target.name in page and resident.name not in page
    for role in ("operator", "auditor"):
        login_as(role)
        assert client.get("/staf/pengguna").status_code == 403
        assert (
            client.post(f"/staf/pengguna/{target.id}/aktif", data={"active": "0"}).status_code
            == 403
        )
        assert (
            client.post(f"/staf/pengguna/{target.id}/peran", data={"role": "admin"}).status_code
            == 403
        )
    db.session.refresh(target)
    assert target.active and target.role == "trainer"


@pytest.mark.concurrency
def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, make_user):
    import threading

    first, second = make_user("admin"), make_user("admin")
    pairs = [(first.id, second.id), (second.id, first.id)]  # (actor, target)
    db.session.commit()  # no read transaction (an old snapshot) stays open here
    barrier = threading.Barrier(2, timeout=60)
    outcomes: list[str] = []

    def run(actor_id, target_id):
        with app.app_context():
            try:
                actor = db.session.get(User, actor_id)
                db.session.commit()
                barrier.wait()
                lifecycle.change_role(target_id, "operator", actor=actor)
                outcomes.append("ok")
            except lifecycle.LifecycleError:
                outcomes.append("refused")
            except Exception as error:  # anything else fails the test
                outcomes.append(f"error: {error!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=pair) for pair in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    db.session.expire_all()
    assert sorted(outcomes) == ["ok", "refused"], outcomes
    admins = db.session.scalars(select(User).where(User.role == "admin", User.active)).all()
    assert len(admins) == 1, [(a.id, a.role) for a in admins]
