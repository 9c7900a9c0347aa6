"""Files and folders the portal writes (database, secrets, outbox, uploads, backups):
readable by the portal's own user only, whatever the process umask says.

Folders are 0700 and files 0600. A folder the portal finds already there (the
instance/ folder of a checkout, 0755) loses its group and world rights too, when the
portal's user owns it; a folder someone else owns is left as it is.
"""

from __future__ import annotations

import os
import stat

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: str, *, tighten_existing: bool = True) -> str:
    """Create `path` (and its missing parents) as 0700 folders; tighten it if it exists
    (unless `tighten_existing` is False: a folder the portal only puts a file into)."""
    missing = []
    head = os.path.abspath(path)
    while head and not os.path.exists(head):
        missing.append(head)
        head = os.path.dirname(head)
    os.makedirs(path, mode=DIR_MODE, exist_ok=True)
    for folder in missing:
        os.chmod(folder, DIR_MODE)
    if tighten_existing:
        tighten(path)
    return path


def tighten(path: str) -> None:
    """Take group and world rights away from `path` if this user owns it."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    if info.st_uid == os.getuid() and info.st_mode & 0o077:
        os.chmod(path, stat.S_IMODE(info.st_mode) & ~0o077)


def open_private(path: str, mode: str = "w", *, exclusive: bool = False, **kwargs):
    """open() for writing a new or replaced file that is created 0600 (and kept 0600)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def private_sqlite_file(url) -> None:
    """For a SQLite database in a file (`url`: the engine's URL, whose path
    Flask-SQLAlchemy has made absolute): create it empty as 0600 before SQLite does (its
    journal and WAL files take the database's rights), or tighten it."""
    path = url.database
    if url.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return
    if path.startswith("file:") or url.query.get("uri"):
        return
    private_dir(os.path.dirname(os.path.abspath(path)), tighten_existing=False)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        tighten(path)
