"""Several workers must share their rate-limit counters.

Counters in memory (`sweeping-memory://`, `memory://`) belong to one process: with four
gunicorn workers every limit (logins per address, second-step codes per account,
self-checks) is four times as generous, and which worker answers is luck. So the app
refuses to start when more than one worker would count in memory, unless
RATELIMIT_PER_WORKER_OK says it is meant (then it logs an ERROR at every start).
The fix is RATELIMIT_STORAGE_URI=redis://... (one budget for all workers).

How the app knows the number of workers, in a process that gunicorn started (gunicorn
sets SERVER_SOFTWARE=gunicorn/<version>): PORTAL_WORKERS, which the project's
gunicorn.conf.py sets from gunicorn's own settings before the workers start; else the
-w/--workers option on gunicorn's command line; else WEB_CONCURRENCY, gunicorn's
default. Outside gunicorn (flask run, the CLI, tests) there is one process.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, Sequence

MEMORY_SCHEMES = ("memory", "sweeping-memory")

log = logging.getLogger(__name__)


class PerWorkerLimits(RuntimeError):
    """More than one worker would keep its own rate-limit counters."""


def counts_in_memory(storage_uri: str | None) -> bool:
    scheme = (storage_uri or "memory://").split("://", 1)[0].lower()
    return scheme in MEMORY_SCHEMES


def _whole(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def workers_on_command_line(argv: Sequence[str]) -> int | None:
    """The value of gunicorn's -w / --workers option, if the command line has one."""
    found = None
    args = list(argv)
    for i, arg in enumerate(args):
        value = None
        if arg in ("-w", "--workers") and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--workers="):
            value = arg.split("=", 1)[1]
        elif arg.startswith("-w") and len(arg) > 2 and not arg.startswith("--"):
            value = arg[2:]
        if value is not None and _whole(value) is not None:
            found = _whole(value)  # the last one wins, as with gunicorn
    return found


def worker_count(environ: Mapping[str, str] | None = None, argv: Sequence[str] | None = None):
    """How many worker processes serve this app (1 outside gunicorn)."""
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    if not environ.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
        return 1
    for value in (
        _whole(environ.get("PORTAL_WORKERS")),
        workers_on_command_line(argv[1:]),
        _whole(environ.get("WEB_CONCURRENCY")),
    ):
        if value is not None:
            return value
    return 1


def check_limit_storage(config: Mapping, workers: int) -> None:
    """Refuse (PerWorkerLimits) several workers counting limits each in its own memory."""
    uri = config.get("RATELIMIT_STORAGE_URI")
    if workers <= 1 or not counts_in_memory(uri):
        return
    message = (
        f"{workers} workers keep rate-limit counters each in its own memory ({uri}): "
        "every limit is that many times looser. Set RATELIMIT_STORAGE_URI=redis://... "
        "(or run one worker)."
    )
    if config.get("RATELIMIT_PER_WORKER_OK"):
        log.error("%s Starting anyway: RATELIMIT_PER_WORKER_OK is set.", message)
        return
    raise PerWorkerLimits(message + " To start anyway, set RATELIMIT_PER_WORKER_OK=1.")
