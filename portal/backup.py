"""Backup and restore: `flask --app portal backup [DIR]` and `flask --app portal restore
ARCHIVE`.

A backup is one tar file (0600, in a 0700 folder: it holds the keys and personal data)
with
- `manifest.json`: when, which engine and migration, and the row count of every table;
- the database: SQLite copied through its online backup API (a consistent copy while
  the portal runs), or PostgreSQL dumped by pg_dump in its custom format, under the same
  exported snapshot the row counts were taken in;
- `instance/`: the generated keys, uploads, the outbox and instance/config.py (not the
  SQLite file itself, its WAL, the page cache's marker, nor the backups folder).

Restore puts the database back (sqlite3 backup API, or pg_restore --clean into the
configured database, run as the owner role) and the instance files, then checks the
restored copy: /healthz answers ok through the application's test client, and every
table holds the row count of the manifest. Anything else is a problem and the command
exits non-zero. PostgreSQL tools of the server's major version are looked for in
/usr/lib/postgresql/<major>/bin, then on PATH (PG_BIN_DIR names another folder).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import inspect, text

from portal.extensions import db
from portal.files import FILE_MODE, open_private, private_dir
from portal.models_base import utcnow

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
INSTANCE = "instance"
# Not worth keeping: rebuilt by the portal (the page cache's marker, temporary files).
SKIPPED = re.compile(r"(^|/)(public-cache-generation.*|.*\.tmp)$")


class BackupError(click.ClickException):
    """A backup or restore that cannot go on; the message says why."""


@dataclass
class RestoreReport:
    manifest: dict
    problems: list[str] = field(default_factory=list)


# --- helpers -----------------------------------------------------------------------------


def _engine_name() -> str:
    return db.engine.dialect.name


def _sqlite_path() -> str:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return os.path.abspath(database)


def _scalar(conn, sql: str):
    """One value, from a SQLAlchemy connection or a sqlite3 one."""
    if isinstance(conn, sqlite3.Connection):
        row = conn.execute(sql).fetchone()
        return row[0] if row else None
    return conn.execute(text(sql)).scalar()


def _count(conn, tables) -> dict[str, int]:
    return {t: _scalar(conn, f'SELECT count(*) FROM "{t}"') for t in sorted(tables)}  # noqa: S608


def _revision(conn, tables) -> str | None:
    if "alembic_version" not in tables:
        return None
    return _scalar(conn, "SELECT version_num FROM alembic_version")


def pg_tool(name: str) -> str:
    """The path of pg_dump/pg_restore of the server's major version."""
    major = db.session.execute(text("SHOW server_version_num")).scalar()
    major = int(major) // 10000
    folders = [
        current_app.config.get("PG_BIN_DIR"),
        f"/usr/lib/postgresql/{major}/bin",
    ]
    candidates = [os.path.join(f, name) for f in folders if f]
    if found := shutil.which(name):
        candidates.append(found)
    for path in candidates:
        if not os.access(path, os.X_OK):
            continue
        version = subprocess.run(  # noqa: S603 - a PostgreSQL tool, no shell
            [path, "--version"], capture_output=True, text=True, check=False
        ).stdout
        found_major = re.search(r"\)\s*(\d+)", version)  # "pg_dump (PostgreSQL) 15.20"
        if found_major and int(found_major.group(1)) == major:
            return path
    raise BackupError(f"{name} of PostgreSQL {major} not found (set PG_BIN_DIR)")


def _libpq(url) -> tuple[str, dict]:
    """A libpq connection string without the password, and the environment giving it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return dsn, env


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{os.path.basename(args[0])} failed: {done.stderr.strip()[-2000:]}")


# --- backup ------------------------------------------------------------------------------


def _dump_sqlite(work: Path) -> tuple[dict[str, int], str | None]:
    target = work / SQLITE_MEMBER
    source = sqlite3.connect(_sqlite_path())
    try:
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        tables = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts, revision = _count(copy, tables), _revision(copy, tables)
        copy.close()
    finally:
        source.close()
    os.chmod(target, FILE_MODE)
    return counts, revision


def _dump_postgresql(work: Path) -> tuple[dict[str, int], str | None]:
    """pg_dump under the snapshot the counts are taken in: they describe the same data."""
    tool = pg_tool("pg_dump")
    dsn, env = _libpq(db.engine.url)
    target = work / PG_MEMBER
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            tables = inspect(conn).get_table_names()
            counts, revision = _count(conn, tables), _revision(conn, tables)
            _run([tool, "--format=custom", f"--snapshot={snapshot}", "-f", str(target), dsn], env)
    os.chmod(target, FILE_MODE)
    return counts, revision


def _instance_files(skip: list[str]) -> list[tuple[str, str]]:
    """(path, name in the archive) of every file under instance/ worth keeping."""
    root = current_app.instance_path
    skipped = [os.path.abspath(s) for s in skip]
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if os.path.join(folder, d) not in skipped)
        for name in sorted(files):
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, root).replace(os.sep, "/")
            if any(path == s or path.startswith(s + "-") for s in skipped):
                continue  # the SQLite file, its -wal and -shm
            if SKIPPED.search(relative) or not os.path.isfile(path):
                continue
            found.append((path, f"{INSTANCE}/{relative}"))
    return found


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode = 0o700 if info.isdir() else FILE_MODE
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def default_directory() -> str:
    return os.path.join(current_app.instance_path, "backups")


def create_backup(directory: str | None = None) -> tuple[str, dict]:
    """Write a backup archive into `directory` (instance/backups by default).
    Returns its path and its manifest."""
    directory = private_dir(os.path.abspath(directory or default_directory()))
    engine = _engine_name()
    skip = [directory]
    with tempfile.TemporaryDirectory(dir=directory) as work:
        if engine == "sqlite":
            (counts, revision), member = _dump_sqlite(Path(work)), SQLITE_MEMBER
            skip.append(_sqlite_path())
        elif engine == "postgresql":
            (counts, revision), member = _dump_postgresql(Path(work)), PG_MEMBER
        else:  # pragma: no cover - only the two supported engines
            raise BackupError(f"no backup for {engine}")
        files = _instance_files(skip + [work])
        now = utcnow()
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "engine": engine,
            "revision": revision,
            "database": member,
            "tables": counts,
            "files": [name for _path, name in files],
        }
        (Path(work) / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        final = os.path.join(directory, f"portal-backup-{now:%Y%m%dT%H%M%SZ}.tar")
        partial = os.path.join(work, "archive.tar")
        with open_private(partial, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            tar.add(os.path.join(work, MANIFEST), MANIFEST, filter=_private)
            tar.add(os.path.join(work, member), member, filter=_private)
            for path, name in files:
                tar.add(path, name, filter=_private)
        os.replace(partial, final)
    return final, manifest


# --- restore -----------------------------------------------------------------------------


def _safe_name(name: str) -> str | None:
    """A member name that stays inside the archive's own tree, or None."""
    clean = posixpath.normpath(name)
    if clean.startswith(("/", "../")) or clean == ".." or "\\" in name or "\x00" in name:
        return None
    return clean


def _read_archive(tar: tarfile.TarFile) -> tuple[dict, dict[str, tarfile.TarInfo]]:
    """The manifest and the archive's regular files by name; refuses links, devices and
    names that leave the tree."""
    members = {}
    for info in tar.getmembers():
        name = _safe_name(info.name)
        if name is None or not (info.isfile() or info.isdir()):
            raise BackupError(f"the archive holds an unsafe member: {info.name!r}")
        if info.isfile():
            members[name] = info
    if MANIFEST not in members:
        raise BackupError("the archive has no manifest.json: not a portal backup")
    manifest = json.loads(tar.extractfile(members[MANIFEST]).read())
    if manifest.get("format") != FORMAT or manifest.get("database") not in members:
        raise BackupError("the archive is not a portal backup this version can restore")
    return manifest, members


def _restore_sqlite(extracted: str) -> None:
    target = _sqlite_path()
    db.session.remove()
    db.engine.dispose()
    source = sqlite3.connect(f"file:{extracted}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(target)
        with destination:
            source.backup(destination)
        destination.close()
    finally:
        source.close()
    os.chmod(target, FILE_MODE)


def _restore_postgresql(extracted: str) -> None:
    """pg_restore into the configured database, replacing what is there, in one
    transaction. Run as the owner role: objects are owned by whoever restores them
    (--no-owner), and the application role gets its rights from the owner's default
    privileges (README, "Two database roles")."""
    tool = pg_tool("pg_restore")
    dsn, env = _libpq(db.engine.url)
    db.session.remove()
    db.engine.dispose()
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "-d",
            dsn,
            extracted,
        ],
        env,
    )


def _restore_files(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> int:
    root = current_app.instance_path
    written = 0
    for name, info in sorted(members.items()):
        if not name.startswith(INSTANCE + "/"):
            continue
        path = os.path.join(root, *name[len(INSTANCE) + 1 :].split("/"))
        private_dir(os.path.dirname(path))
        with tar.extractfile(info) as source, open_private(path, "wb") as out:
            shutil.copyfileobj(source, out)
        written += 1
    return written


def check(manifest: dict) -> list[str]:
    """What differs between the live database and the manifest, and /healthz."""
    problems = []
    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        for table, expected in sorted(manifest["tables"].items()):
            if table not in tables:
                problems.append(f"table {table} is missing")
                continue
            found = _scalar(conn, f'SELECT count(*) FROM "{table}"')  # noqa: S608
            if found != expected:
                problems.append(f"table {table}: {found} rows, the manifest says {expected}")
    health = current_app.test_client().get("/healthz")
    if health.status_code != 200 or (health.get_json() or {}).get("status") != "ok":
        problems.append(f"/healthz answered {health.status_code}: {health.get_data(as_text=True)}")
    return problems


def restore(archive: str) -> RestoreReport:
    """Put the archive's database and instance files back, then check the result."""
    engine = _engine_name()
    with tarfile.open(archive, mode="r:") as tar:
        manifest, members = _read_archive(tar)
        if manifest.get("engine") != engine:
            raise BackupError(
                f"the archive holds a {manifest.get('engine')} database; "
                f"this portal runs on {engine}"
            )
        with tempfile.TemporaryDirectory() as work:
            extracted = os.path.join(work, "database")
            source = tar.extractfile(members[manifest["database"]])
            with source, open_private(extracted, "wb") as out:
                shutil.copyfileobj(source, out)
            if engine == "sqlite":
                _restore_sqlite(extracted)
            else:
                _restore_postgresql(extracted)
        _restore_files(tar, members)
    return RestoreReport(manifest, check(manifest))


# --- commands ----------------------------------------------------------------------------


def register(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("directory", required=False, type=click.Path(file_okay=False))
    def backup_command(directory: str | None) -> None:
        """Write a backup archive (database + instance/) into DIRECTORY
        (instance/backups by default). The archive holds the keys: keep it safe."""
        path, manifest = create_backup(directory)
        rows = sum(manifest["tables"].values())
        click.echo(f"Backup written: {path}")
        click.echo(
            f"  {len(manifest['tables'])} tables, {rows} rows, {len(manifest['files'])} files"
        )

    @app.cli.command("restore")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="Do not ask before replacing the data.")
    def restore_command(archive: str, yes: bool) -> None:
        """Replace the database and the instance files with a backup ARCHIVE, then check
        that the copy answers /healthz and holds the manifest's row counts."""
        if not yes:
            click.confirm(
                "This replaces the database and the instance files. Continue?", abort=True
            )
        report = restore(archive)
        if report.problems:
            for problem in report.problems:
                click.echo(f"  problem: {problem}", err=True)
            raise click.ClickException("the restored copy does not match its manifest")
        tables = report.manifest["tables"]
        click.echo(
            f"Restored {archive}: {len(tables)} tables, {sum(tables.values())} rows, "
            "row counts and /healthz checked."
        )
