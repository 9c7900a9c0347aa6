"""Run the same work in several threads released at one moment, each with its own app
context and database session: how the tests prove that "once only" holds under
concurrent requests (on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from portal.extensions import db


def run_at_once(app, count: int, work: Callable[[], object], *, refusals=(), path="/") -> list:
    """`work()` in `count` threads started together; their results in the order they
    finished. An exception of a class in `refusals` is returned as the exception; any
    other becomes the text "error: ..." (which a test's assertion then shows)."""
    barrier = threading.Barrier(count, timeout=60)
    outcomes, lock = [], threading.Lock()

    def run():
        with app.test_request_context(path):
            try:
                barrier.wait()
                result = work()
            except refusals as refused:
                result = refused
            except Exception as error:  # anything else fails the test that reads it
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes
