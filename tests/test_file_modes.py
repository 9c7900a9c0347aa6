"""What the portal writes is readable by its own user only: 0700 folders, 0600 files,
whatever the process umask (here the common 022)."""

from __future__ import annotations

import os
import stat
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from portal import create_app, uploads
from portal.cache import bump_generation
from portal.extensions import db
from portal.notify.outbox import FileSender

from .conftest import BASE_CONFIG


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def common_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_fresh_instance_database_and_keys_are_private(tmp_path, monkeypatch):
    instance = tmp_path / "srv" / "instance"
    database = tmp_path / "data" / "portal.sqlite3"
    monkeypatch.setenv("PORTAL_INSTANCE", str(instance))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TOTP_ENCRYPTION_KEY", raising=False)
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.execute(text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        assert mode(instance) == 0o700
        assert mode(instance / "secret_key") == 0o600
        assert mode(instance / "totp_key") == 0o600
        assert mode(database.parent) == 0o700
        assert mode(database) == 0o600
        # SQLite gives its WAL and shared-memory files the database's rights.
        assert mode(f"{database}-wal") == 0o600
        db.engine.dispose()


def test_an_existing_instance_folder_loses_group_and_world_rights(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    os.chmod(instance, 0o755)  # noqa: S103 - what a checkout gives it
    monkeypatch.setenv("PORTAL_INSTANCE", str(instance))
    create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert mode(instance) == 0o700


def test_outbox_files_are_private(app, tmp_path):
    folder = tmp_path / "outbox" / "messages"
    message = SimpleNamespace(
        id=7, channel="sms", recipient="+6281234567890", subject="Kode", body="Halo"
    )
    FileSender(str(folder))(message)
    assert mode(folder) == 0o700
    written = folder / "00000007-sms.txt"
    assert written.read_text().startswith("To: +6281234567890")
    assert mode(written) == 0o600


def test_uploads_are_private(app, tmp_path):
    folder = uploads.folder(str(tmp_path / "uploads"), "complaints")
    name = uploads.store(uploads.CleanImage(b"\xff\xd8\xff data", "jpg", "image/jpeg"), folder)
    assert mode(tmp_path / "uploads") == 0o700
    assert mode(folder) == 0o700
    assert mode(os.path.join(folder, name)) == 0o600


def test_the_page_cache_generation_file_is_private(app):
    bump_generation(app.instance_path)
    names = [n for n in os.listdir(app.instance_path) if "generation" in n]
    assert names and all(mode(os.path.join(app.instance_path, n)) == 0o600 for n in names)
