"""In-memory rate-limit counters without a timer thread per hit.

`limits`' MemoryStorage (the `memory://` scheme) starts a `threading.Timer` to drop
expired counters whenever the previous 10 ms timer has ended, which under steady
traffic is nearly every counted request, and `Timer.start()` waits until the new
thread runs: on a busy two-core server that blocked a sync worker for about 3 ms a
vote (bench/README.md, participation). Expired counters are already dropped when they
are read (`MemoryStorage.get`), so the sweep is only housekeeping: here it runs inline,
at most once a second, and no thread is started.

Scheme `sweeping-memory://`, the default of RATELIMIT_STORAGE_URI; several workers or
servers set Redis instead (one budget for all of them). A test checks that no thread
is started, so a change inside `limits` that bypasses this shows up; `limits` is pinned
to the 5.x releases this was written for, and tests/test_library_overrides.py fails if
the method replaced here is renamed.
"""

from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage


class SweepingMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = ["sweeping-memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the one MemoryStorage starts; none replaces it
        self._sweep_lock = threading.Lock()
        self._next_sweep = time.monotonic() + self.SWEEP_SECONDS

    # MemoryStorage calls self.__schedule_expiry() on every hit (a name-mangled method).
    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802
        now = time.monotonic()
        if now < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()
        finally:
            self._sweep_lock.release()

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self.timer.cancel()
        self._sweep_lock = threading.Lock()
