"""Every login has an absolute lifetime (staff 12 hours, others 30 days), also when it is
restored from the "keep me logged in" cookie; and several workers with rate-limit
counters in memory refuse to start (issue 16, item 2)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from flask_login.utils import encode_cookie

from portal import workers
from portal.accounts import second_factor as twofa
from tests.test_staff_2fa import T0, Clock, enrol

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parent.parent
HOUR = 3600
DAY = 24 * HOUR


@pytest.fixture
def clock(monkeypatch):
    c = Clock(T0)
    monkeypatch.setattr(twofa, "clock", c)
    return c


def test_a_busy_staff_login_still_ends_after_12_hours(client, make_user, clock):
    user = make_user("operator", username="ops")
    totp, _codes = enrol(user, clock.now)
    clock.advance(60)
    client.post("/masuk", data={"identifier": "ops", "password": PASSWORD})
    client.post("/masuk/kode", data={"code": totp.at(clock.now)})
    for _ in range(35):  # a request every 20 minutes: never idle
        clock.advance(20 * 60)
        assert client.get("/staf/").status_code == 200
    clock.advance(21 * 60)  # 12 h 1 min after the login
    response = client.get("/staf/?lang=en")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    page = client.get("/masuk?lang=en").get_data(as_text=True)
    assert "Your login has expired" in page


def test_a_member_login_ends_after_30_days(client, make_user, clock):
    make_user("resident", username="warga")
    client.post("/masuk", data={"identifier": "warga", "password": PASSWORD})
    clock.advance(29 * DAY)
    assert client.get("/akun").status_code == 200
    clock.advance(DAY + 1)
    assert "/masuk" in client.get("/akun").headers["Location"]


def test_the_remember_cookie_keeps_the_moment_of_the_login(app, client, make_user, clock):
    make_user("resident", username="warga")
    client.post("/masuk", data={"identifier": "warga", "password": PASSWORD, "remember": "y"})
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    clock.advance(10 * DAY)
    reopened = app.test_client()
    reopened.set_cookie("remember_token", cookie.value)
    assert reopened.get("/akun").status_code == 200
    # Thirty days after the password was typed the cookie restores nobody, however
    # often it was used in between.
    clock.advance(20 * DAY + 1)
    later = app.test_client()
    later.set_cookie("remember_token", cookie.value)
    assert "/masuk" in later.get("/akun").headers["Location"]


def test_a_remember_cookie_without_the_moment_of_login_restores_nobody(app, make_user, clock):
    """A year-long cookie made before the lifetime existed (only the user id, signed)."""
    user = make_user("resident", username="warga")
    with app.test_request_context():
        old = encode_cookie(user.get_id())
    browser = app.test_client()
    browser.set_cookie("remember_token", old)
    assert "/masuk" in browser.get("/akun").headers["Location"]


# --- several workers -------------------------------------------------------------------


def test_the_number_of_workers_is_read_from_gunicorn():
    gunicorn = {"SERVER_SOFTWARE": "gunicorn/23.0.0"}
    assert workers.worker_count({}, ["flask", "-w", "4"]) == 1  # not gunicorn: one process
    assert workers.worker_count(gunicorn, ["gunicorn", "-w", "4", "portal:create_app()"]) == 4
    assert workers.worker_count(gunicorn, ["gunicorn", "--workers=3", "x"]) == 3
    assert workers.worker_count(gunicorn, ["gunicorn", "-w2", "x"]) == 2
    assert workers.worker_count({**gunicorn, "WEB_CONCURRENCY": "5"}, ["gunicorn", "x"]) == 5
    both = {**gunicorn, "PORTAL_WORKERS": "6", "WEB_CONCURRENCY": "5"}
    assert workers.worker_count(both, ["gunicorn", "-w", "4"]) == 6
    assert workers.worker_count(gunicorn, ["gunicorn", "x"]) == 1


def test_several_workers_counting_in_memory_are_refused(caplog):
    memory = {"RATELIMIT_STORAGE_URI": "sweeping-memory://"}
    workers.check_limit_storage(memory, 1)
    workers.check_limit_storage({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}, 4)
    with pytest.raises(workers.PerWorkerLimits, match="RATELIMIT_STORAGE_URI"):
        workers.check_limit_storage(memory, 2)
    with pytest.raises(workers.PerWorkerLimits):
        workers.check_limit_storage({"RATELIMIT_STORAGE_URI": "memory://"}, 2)
    with caplog.at_level(logging.ERROR, logger="portal.workers"):
        workers.check_limit_storage({**memory, "RATELIMIT_PER_WORKER_OK": True}, 2)
    assert "2 workers" in caplog.text


def test_create_app_refuses_under_gunicorn_with_several_workers(app_config, monkeypatch):
    from portal import create_app

    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/23.0.0")
    monkeypatch.setenv("PORTAL_WORKERS", "2")
    with pytest.raises(workers.PerWorkerLimits):
        create_app(app_config)
    monkeypatch.setenv("PORTAL_WORKERS", "1")
    assert create_app(app_config) is not None


def test_gunicorn_with_two_workers_and_memory_counters_does_not_start(tmp_path):
    """The real thing: the workers are given by GUNICORN_CMD_ARGS, so only the project's
    gunicorn.conf.py can tell the app how many there are."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("RATELIMIT_STORAGE_URI", "WEB_CONCURRENCY", "RATELIMIT_PER_WORKER_OK")
    }
    env.update(
        PORTAL_INSTANCE=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        GUNICORN_CMD_ARGS="--workers 2",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "portal:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _out, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate()
        pytest.fail("gunicorn started although its workers would count limits apart")
    assert proc.returncode != 0
    assert "PerWorkerLimits" in err and "2 workers" in err


def test_gunicorn_workers_freeze_what_start_up_made():
    """gunicorn.conf.py's post_worker_init: the app's start-up objects are out of the
    cycle collector's reach (a full collection would walk them all)."""
    script = (
        "import gc, runpy\n"
        "hooks = runpy.run_path('gunicorn.conf.py')\n"
        "before = gc.get_freeze_count()\n"
        "hooks['post_worker_init'](None)\n"
        "print(before, gc.get_freeze_count())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    before, after = map(int, out.stdout.split())
    assert before == 0 and after > 1000
