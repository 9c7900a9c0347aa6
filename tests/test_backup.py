"""`flask --app portal backup` and `restore`, on the engine the suite runs on: back up,
wipe the database and the instance files, restore, and find the same rows, files and a
healthy /healthz; a copy that does not match its manifest fails the command."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import create_engine, func, select, text

from portal import backup, uploads
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.complaints import services as complaints
from portal.complaints.models import Complaint
from portal.extensions import db
from portal.notify.outbox import FileSender

from .conftest import ENGINE


def jpeg() -> uploads.CleanImage:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="JPEG")
    return uploads.clean_image(out.getvalue(), max_side=100, as_logo=False)


@pytest.fixture
def village(app, make_user):
    """Some of everything: accounts, audit entries, a complaint with a photo, an outbox
    file."""
    operator = make_user("operator", name="Bu Ani")
    make_user("resident", username=None, phone="+6281234500009")
    complaint, _code = complaints.file_complaint(
        category="service",
        description="Lampu jalan di RT 3 mati sejak minggu lalu.",
        anonymous=True,
        photo=jpeg(),
    )
    complaints.note(complaint, actor=operator, body="Sudah dilaporkan.")
    FileSender(app.config["OUTBOX_DIR"])(
        SimpleNamespace(id=1, channel="sms", recipient="+6281234500009", subject="S", body="B")
    )
    db.session.commit()
    return SimpleNamespace(complaint_id=complaint.id, photo=complaints.photo_path(complaint))


def counts() -> dict[str, int]:
    return {
        "user_account": db.session.scalar(select(func.count()).select_from(User)),
        "audit_entry": db.session.scalar(select(func.count()).select_from(AuditEntry)),
        "complaint": db.session.scalar(select(func.count()).select_from(Complaint)),
    }


def wipe_database(app) -> None:
    db.session.remove()
    db.engine.dispose()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if ENGINE == "postgresql":
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)


def make_backup(runner, tmp_path) -> str:
    result = runner.invoke(args=["backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    [archive] = (tmp_path / "backups").glob("portal-backup-*.tar")
    return str(archive)


def test_backup_wipe_restore_gives_back_the_same_village(app, runner, village, tmp_path):
    before = counts()
    photo = Path(village.photo).read_bytes()
    outbox_file = os.path.join(app.config["OUTBOX_DIR"], "00000001-sms.txt")
    archive = make_backup(runner, tmp_path)

    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "backups").st_mode) == 0o700
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        assert all(m.mode == 0o600 for m in tar.getmembers() if m.isfile())
    assert manifest["engine"] == ENGINE and manifest["revision"]
    assert manifest["tables"]["user_account"] == before["user_account"]
    assert manifest["database"] in names
    assert "instance/totp_key" in names and "instance/outbox/00000001-sms.txt" in names
    assert any(n.startswith("instance/uploads/complaints/") for n in names)
    assert not any(n.endswith(".sqlite3") and n.startswith("instance/") for n in names)

    wipe_database(app)
    shutil.rmtree(os.path.join(app.instance_path, "uploads"))
    shutil.rmtree(app.config["OUTBOX_DIR"])

    result = runner.invoke(args=["restore", archive, "--yes"])
    assert result.exit_code == 0, result.output
    assert "row counts and /healthz checked" in result.output

    db.session.remove()
    assert counts() == before
    assert db.session.get(Complaint, village.complaint_id) is not None
    assert Path(village.photo).read_bytes() == photo
    assert stat.S_IMODE(os.stat(village.photo).st_mode) == 0o600
    assert Path(outbox_file).read_text().startswith("To: +6281234500009")
    assert app.test_client().get("/healthz").get_json()["status"] == "ok"
    # The append-only rules came back with the tables.
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE audit_entry SET summary = 'x'"))
    db.session.rollback()


def _rewrite(archive: str, target: str, change) -> None:
    """A copy of `archive` with `change(name, data) -> (name, data)` applied to members."""
    with tarfile.open(archive) as src, tarfile.open(target, "w") as out:
        for info in src.getmembers():
            name, data = change(info.name, src.extractfile(info).read())
            copy = tarfile.TarInfo(name)
            copy.size = len(data)
            copy.mode = 0o600
            out.addfile(copy, io.BytesIO(data))


def test_a_copy_that_does_not_match_its_manifest_fails(app, runner, village, tmp_path):
    archive = make_backup(runner, tmp_path)

    def one_more_account(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["tables"]["user_account"] += 1
            data = json.dumps(manifest).encode()
        return name, data

    lying = str(tmp_path / "lying.tar")
    _rewrite(archive, lying, one_more_account)
    result = runner.invoke(args=["restore", lying, "--yes"])
    assert result.exit_code != 0
    assert "user_account" in result.output and "does not match" in result.output


def test_an_archive_reaching_outside_instance_is_refused(app, runner, village, tmp_path):
    archive = make_backup(runner, tmp_path)
    escaped = tmp_path / "escaped.txt"

    def climb(name, data):
        return ("instance/../../escaped.txt" if name == "instance/totp_key" else name), data

    evil = str(tmp_path / "evil.tar")
    _rewrite(archive, evil, climb)
    result = runner.invoke(args=["restore", evil, "--yes"])
    assert result.exit_code != 0 and "unsafe member" in result.output
    assert not escaped.exists()
    db.session.remove()
    assert counts()["complaint"] == 1  # refused before anything was replaced


def test_restore_asks_first(app, runner, village, tmp_path):
    archive = make_backup(runner, tmp_path)
    result = runner.invoke(args=["restore", archive], input="n\n")
    assert result.exit_code != 0 and "Aborted" in result.output


def test_an_archive_of_the_other_engine_is_refused(app, runner, village, tmp_path):
    archive = make_backup(runner, tmp_path)
    other = "postgresql" if ENGINE == "sqlite" else "sqlite"

    def other_engine(name, data):
        if name == "manifest.json":
            data = json.dumps({**json.loads(data), "engine": other}).encode()
        return name, data

    changed = str(tmp_path / "other.tar")
    _rewrite(archive, changed, other_engine)
    result = runner.invoke(args=["restore", changed, "--yes"])
    assert result.exit_code != 0 and f"holds a {other} database" in result.output


def test_the_postgresql_tools_match_the_server(app):
    if ENGINE != "postgresql":
        pytest.skip("PostgreSQL only")
    server = int(db.session.execute(text("SHOW server_version_num")).scalar()) // 10000
    path = backup.pg_tool("pg_dump")
    assert os.access(path, os.X_OK)
    assert backup.pg_tool("pg_restore").endswith("pg_restore")
    assert server >= 10
