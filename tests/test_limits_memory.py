"""The rate-limit counters kept in memory: right counts, expiry, and no thread per hit."""

from __future__ import annotations

import threading
import time

from limits import RateLimitItemPerSecond, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from portal.extensions import limiter
from portal.limits_memory import SweepingMemoryStorage


def test_the_app_counts_in_the_sweeping_storage(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "sweeping-memory://"
    assert isinstance(limiter.storage, SweepingMemoryStorage)


def test_counts_limit_and_expire_without_starting_threads(monkeypatch):
    storage = storage_from_string("sweeping-memory://")
    assert isinstance(storage, SweepingMemoryStorage)
    started = []
    real_start = threading.Thread.start

    def counting_start(thread):
        started.append(thread)
        return real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", counting_start)
    window = FixedWindowRateLimiter(storage)
    five = parse("5 per minute")
    answers = [window.hit(five, "1.2.3.4") for _ in range(7)]
    assert answers == [True] * 5 + [False, False]
    assert window.hit(five, "5.6.7.8")  # another address has its own budget
    # A one-second window opens again after it has passed (expiry on read).
    short = RateLimitItemPerSecond(1)
    assert window.hit(short, "9.9.9.9") and not window.hit(short, "9.9.9.9")
    time.sleep(1.05)
    assert window.hit(short, "9.9.9.9")
    assert started == []


def test_the_sweep_drops_expired_counters_at_most_once_a_second(monkeypatch):
    storage = SweepingMemoryStorage()
    storage.incr("old", expiry=0.01)
    time.sleep(0.02)
    storage._next_sweep = 0  # due now
    storage.incr("new", expiry=60)
    assert "old" not in storage.storage and storage.storage["new"] == 1
    storage.incr("old2", expiry=0.01)
    time.sleep(0.02)
    storage.incr("new", expiry=60)  # the next sweep is a second away: nothing dropped yet
    assert "old2" in storage.storage
