"""Files made once and kept: downloads whose content never changes for a given key.

A published recipient list never changes, so its PDF and CSV are rendered once per
version and language and then served from a file under `instance/filecache/`. The key
names everything the content depends on (kind, id, version, language, and a short
digest of whatever else goes into it); a new key is a new file, so nothing is ever
overwritten in place.

Made once, also under concurrent requests from several workers: the first request takes
an exclusive lock on a lock file next to the target (`fcntl.flock`, which holds between
processes and between threads of one process and is released if the process dies),
checks again that the file is still missing, renders, writes a temporary file and moves
it into place with `os.replace` (readers never see half a file). The others wait on the
lock and then read the finished file.

Renders that cannot be kept go through `render_slot()`: at most RENDER_SLOTS of them at
once per process; one more is refused with `Busy` (the view answers 503 with
Retry-After), so a burst of requests cannot tie up every worker.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
from collections.abc import Callable, Iterator

from flask import current_app

try:  # POSIX; the portal runs on Linux servers.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

FOLDER = "filecache"
SAFE = re.compile(r"[^A-Za-z0-9_.-]")
_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()
_slots_guard = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


class Busy(RuntimeError):
    """Too many renders at once: try again in a few seconds."""

    retry_after = 5


def digest(*parts) -> str:
    """A short stable digest of what else a file depends on (settings, edit times)."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def path_for(kind: str, *key) -> str:
    """Where the file for (kind, *key) lives: instance/filecache/<kind>/<key parts>."""
    name = "-".join(SAFE.sub("_", str(k)) for k in key)
    return os.path.join(current_app.instance_path, FOLDER, SAFE.sub("_", kind), name)


@contextlib.contextmanager
def _exclusive(lock_path: str) -> Iterator[None]:
    with _thread_locks_guard:
        local = _thread_locks.setdefault(lock_path, threading.Lock())
    with local:
        if fcntl is None:  # pragma: no cover
            yield
            return
        with open(lock_path, "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def _write(path: str, data: bytes) -> None:
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)


def _prune(path: str, family: str | None) -> None:
    """Remove older files of the same family (same name up to the digest)."""
    if not family:
        return
    folder = os.path.dirname(path)
    own = os.path.basename(path)
    for name in os.listdir(folder):
        if name.startswith(family) and name != own and not name.endswith((".lock", ".tmp")):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(folder, name))


def kept(path: str, make: Callable[[], bytes], *, family: str | None = None) -> bytes:
    """The bytes of `path`, made by `make()` (once) when the file does not exist yet.

    `family`: the start of the file name shared by older keys of the same document
    (e.g. without the digest); those files are removed once the new one is written."""
    data = _read(path)
    if data is not None:
        return data
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    except OSError:
        # A read-only instance folder must not turn a download into an error.
        current_app.logger.warning("file cache: cannot write under %s", path)
        with render_slot():
            return make()
    with _exclusive(f"{path}.lock"):
        data = _read(path)
        if data is not None:
            return data
        with render_slot():
            data = make()
        _write(path, data)
    with contextlib.suppress(OSError):
        os.remove(f"{path}.lock")
        _prune(path, family)
    return data


def _semaphore() -> threading.BoundedSemaphore:
    size = max(1, int(current_app.config.get("RENDER_SLOTS", 2)))
    with _slots_guard:
        if size not in _slots:
            _slots[size] = threading.BoundedSemaphore(size)
        return _slots[size]


@contextlib.contextmanager
def render_slot() -> Iterator[None]:
    """Hold one of the process's RENDER_SLOTS while rendering; raise Busy when none is free."""
    semaphore = _semaphore()
    if not semaphore.acquire(blocking=False):
        raise Busy()
    try:
        yield
    finally:
        semaphore.release()


def download_limit() -> str:
    """The per-address limit of public downloads made afresh on each request
    (RATELIMIT_DOWNLOAD): open data, ballot results."""
    return current_app.config.get("RATELIMIT_DOWNLOAD", "20 per minute;200 per hour")
