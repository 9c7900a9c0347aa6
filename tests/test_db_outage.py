"""The database goes away while the portal runs, and comes back.

While it is away: pages answer a friendly 503 in the reader's language (no traceback,
`Retry-After`), /healthz answers 503, a sign-up saves nothing. When it is back, the
same app (no restart) answers again, and the training outbox still holds the message
queued before the cut and sends it. PostgreSQL is cut with a TCP proxy in front of
the shared server (tests/db_outage.py); SQLite with a lock held by another connection.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, make_url, select

from portal.extensions import db
from portal.models_base import utcnow
from portal.notify import outbox
from portal.notify.models import OutboxMessage
from portal.training import services
from portal.training.models import Place
from tests import training_helpers as th
from tests.conftest import ENGINE
from tests.db_outage import SqliteLock, TcpProxy


class Recorder:
    def __init__(self):
        self.sent: list[int] = []

    def __call__(self, message):
        self.sent.append(message.id)


@pytest.fixture
def proxy(database_url):
    if ENGINE != "postgresql":
        yield None
        return
    url = make_url(database_url)
    relay = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    yield relay
    relay.close()


@pytest.fixture
def app_config(database_url, proxy):
    from tests.conftest import BASE_CONFIG

    url = database_url
    if proxy is not None:
        url = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
        url = url.render_as_string(hide_password=False)
    return {
        **BASE_CONFIG,
        "SQLALCHEMY_DATABASE_URI": url,
        "PUBLIC_CACHE_SECONDS": 0,
        "SQLITE_BUSY_TIMEOUT_MS": 100,
        "DATABASE_CONNECT_TIMEOUT": 2,
    }


class Outage:
    """cut() and restore() for the engine under test."""

    def __init__(self, app, proxy):
        self.app = app
        self.proxy = proxy
        self.lock = None
        if proxy is None:
            self.lock = SqliteLock(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)

    def cut(self) -> None:
        if self.proxy is not None:
            self.proxy.cut()
            return
        # A lock on the whole file can only be taken while nobody has it open.
        db.session.remove()
        db.engine.dispose()
        self.lock.take()

    def restore(self) -> None:
        if self.proxy is not None:
            self.proxy.restore()
        else:
            self.lock.release()


@pytest.fixture
def outage(app, proxy):
    state = Outage(app, proxy)
    yield state
    state.restore()


def login_resident(client, make_user):
    user = th.resident(make_user, name="Siti Aminah")
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return user


def assert_friendly_503(response, *phrases):
    text = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Traceback" not in text and "OperationalError" not in text
    assert "sqlalchemy" not in text.lower() and "psycopg" not in text.lower()
    for phrase in phrases:
        assert phrase in text


ID_TEXT = "Portal tidak dapat menghubungi basis datanya"
EN_TEXT = "The portal cannot reach its database right now."


def test_pages_answer_503_while_the_database_is_away_and_recover_without_restart(
    client, make_user, outage
):
    session_id = th.session(th.course(), seats=5).id
    # A message queued before the cut: Rina's confirmation.
    services.sign_up(session_id, services.applicant_by_phone("Rina", "081299990000"))
    queued = db.session.scalar(select(OutboxMessage.id))
    user_id = login_resident(client, make_user).id
    assert client.get("/pelatihan/").status_code == 200
    assert client.get("/healthz").status_code == 200

    outage.cut()
    assert_friendly_503(client.get("/pelatihan/"), ID_TEXT)
    english = client.get("/pelatihan/", headers={"Accept-Language": "en"})
    assert_friendly_503(english, EN_TEXT)
    signed_up = client.post(f"/pelatihan/sesi/{session_id}/daftar")
    assert_friendly_503(signed_up, ID_TEXT)
    # A monitor asks without a session: the health check's own answer.
    health = client.application.test_client().get("/healthz")
    assert health.status_code == 503 and health.json["database"] == "unavailable"
    # The outbox run (cron) fails as a whole; it has not marked anything.
    with pytest.raises(Exception):  # noqa: B017 (the driver's own error, per engine)
        outbox.send_due({"sms": Recorder()})
    db.session.rollback()

    outage.restore()
    assert client.get("/healthz").status_code == 200
    assert client.get("/pelatihan/").status_code == 200
    # Nothing of the refused sign-up was written; now it goes through.
    assert db.session.scalar(select(func.count(Place.id)).where(Place.user_id == user_id)) == 0
    assert client.post(f"/pelatihan/sesi/{session_id}/daftar").status_code == 302
    sender = Recorder()
    assert outbox.send_due({"sms": sender, "email": sender, "whatsapp": sender})["sent"] == 2
    assert queued in sender.sent


def test_the_503_page_reads_nothing_from_the_database_for_a_logged_in_staff_member(
    client, login_as, outage
):
    login_as("operator")
    assert client.get("/staf/").status_code == 200
    outage.cut()
    page = client.get("/staf/", headers={"HX-Request": "true"})
    assert_friendly_503(page, ID_TEXT)
    outage.restore()
    assert client.get("/staf/").status_code == 200


def test_a_message_whose_sender_run_died_is_sent_after_its_lease(app):
    ts = th.session(th.course(), seats=5)
    services.sign_up(ts.id, services.applicant_by_phone("Rina", "081299990000"))
    message_id = db.session.scalar(select(OutboxMessage.id))
    # A run claimed it, then died (database gone, process killed) before recording.
    assert outbox.claim(message_id) is True
    sender = Recorder()
    assert outbox.send_due({"sms": sender})["sent"] == 0  # still within the lease
    message = db.session.get(OutboxMessage, message_id)
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert outbox.send_due({"sms": sender}) == {"sent": 1, "failed": 0}
    assert sender.sent == [message_id]
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).status == "sent"


@pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's single writer")
def test_a_long_write_lock_refuses_writes_with_503_and_keeps_reads(client, make_user):
    ts = th.session(th.course(), seats=5)
    user = login_resident(client, make_user)
    path = make_url(client.application.config["SQLALCHEMY_DATABASE_URI"]).database
    writer = sqlite3.connect(path, isolation_level=None, timeout=5)
    writer.execute("BEGIN IMMEDIATE")  # a backup or a long import in another program
    try:
        assert client.get("/pelatihan/").status_code == 200
        assert_friendly_503(client.post(f"/pelatihan/sesi/{ts.id}/daftar"), ID_TEXT)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert db.session.scalar(select(func.count(Place.id)).where(Place.user_id == user.id)) == 0
    assert client.post(f"/pelatihan/sesi/{ts.id}/daftar").status_code == 302


def test_only_a_missing_database_is_an_outage():
    from sqlalchemy import exc

    from portal.unavailable import is_outage

    lost = exc.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True)
    assert is_outage(exc.OperationalError("SELECT 1", {}, Exception("locked")))
    assert is_outage(exc.InterfaceError("SELECT 1", {}, Exception("closed")))
    assert is_outage(lost)
    # A broken rule or bad SQL is a bug or a form error, never "try again later".
    assert not is_outage(exc.IntegrityError("INSERT", {}, Exception("unique")))
    assert not is_outage(exc.ProgrammingError("SELEC", {}, Exception("syntax")))
