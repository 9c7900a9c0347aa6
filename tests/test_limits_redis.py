"""Rate limits across workers: with RATELIMIT_STORAGE_URI pointing at Redis, every worker
counts against the same counters (a district runs several). Each `create_app` below
stands for a worker: Flask-Limiter makes a new storage for it, as a new process would.

Needs Redis (127.0.0.1:6379, or TEST_REDIS_URL): skipped on a developer's machine
without it, failed in CI, where a silent skip would prove nothing.
"""

from __future__ import annotations

import os
import uuid

import pytest

from portal import create_app
from portal.extensions import db
from tests.conftest import BASE_CONFIG

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WRONG = {"identifier": "nobody-here", "password": "not the password"}


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own (other runs may share the Redis); its keys are
    deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI ({REDIS})")
        pytest.skip(f"no Redis at {REDIS}")
    prefix = f"portal-test-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


def _worker(database_url: str, storage: str, prefix: str = ""):
    return create_app(
        {
            **BASE_CONFIG,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": storage,
            "RATELIMIT_KEY_PREFIX": prefix,
            "RATELIMIT_LOGIN": "3 per minute",
        }
    )


def _logins(app, times: int) -> list[int]:
    client = app.test_client()
    codes = [client.post("/masuk", data=WRONG).status_code for _ in range(times)]
    with app.app_context():
        db.engine.dispose()
    return codes


def test_login_limit_holds_across_workers_sharing_redis(
    database_url, redis_prefix, tmp_path, monkeypatch
):
    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path / "instance"))
    codes = _logins(_worker(database_url, REDIS, redis_prefix), 2)
    codes += _logins(_worker(database_url, REDIS, redis_prefix), 2)
    assert codes == [200, 200, 200, 429]


def test_without_redis_each_worker_counts_alone(database_url, tmp_path, monkeypatch):
    """Why a district needs Redis: in memory, a second worker starts from zero."""
    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path / "instance"))
    codes = _logins(_worker(database_url, "sweeping-memory://"), 2)
    codes += _logins(_worker(database_url, "sweeping-memory://"), 2)
    assert codes == [200, 200, 200, 200]
