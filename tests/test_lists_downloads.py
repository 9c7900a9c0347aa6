"""Downloads of the recipient lists and other public files: the full-name print is a
staff download (audited); a published version's PDF and CSV are made once per version
and language and kept; what cannot be kept is limited per address, and PDF renders are
capped per process (503 with Retry-After)."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import select

from portal import filecache
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.lists import export, services
from portal.lists.models import ListVersionRow
from tests.test_lists import _private_values, _scan, published, village  # noqa: F401


@pytest.fixture
def board(village, make_user, app):  # noqa: F811
    app.config["LISTS_PDF_COMPRESS"] = False
    return published(village, make_user)


def _first_row(version) -> ListVersionRow:
    return db.session.scalar(select(ListVersionRow).where(ListVersionRow.version_id == version.id))


def _prints(version) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "print_list_full_names",
                AuditEntry.object_id == str(version.id),
            )
        )
    )


def _count_renders(monkeypatch, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(export, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(export, name, counting)
    return calls


# --- the full-name print ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["operator", "admin", "auditor"])
def test_full_name_print_is_a_staff_download_and_audited(board, app, client, login_as, role):
    app.config["LISTS_PRINT_FULL_NAMES"] = True
    period, version, *_ = board
    row = _first_row(version)
    url = f"/staf/daftar-penerima/{period.id}/versi/1/cetak.pdf"
    user = login_as(role)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    body = response.get_data()
    assert row.full_name.encode("latin-1") in body
    _scan(body, _private_values(version), full_names_ok=True)
    entries = _prints(version)
    assert [e.actor_id for e in entries] == [user.id]
    # The staff page offers it; the public PDF stays masked for the same reader.
    page = client.get(f"/staf/daftar-penerima/{period.id}").get_data(as_text=True)
    assert "/versi/1/cetak.pdf" in page
    public_pdf = client.get(f"/daftar-penerima/{period.id}/versi/1.pdf").get_data()
    assert row.full_name.encode("latin-1") not in public_pdf


def test_full_name_print_refuses_the_public_and_residents(board, app, client, login_as):
    app.config["LISTS_PRINT_FULL_NAMES"] = True
    period, version, *_ = board
    url = f"/staf/daftar-penerima/{period.id}/versi/1/cetak.pdf"
    response = client.get(url)
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    login_as("resident")
    assert client.get(url).status_code == 403
    assert _prints(version) == []


def test_no_full_name_print_where_the_village_has_not_decided_so(board, client, login_as):
    period, version, *_ = board
    login_as("admin")
    assert client.get(f"/staf/daftar-penerima/{period.id}/versi/1/cetak.pdf").status_code == 404
    page = client.get(f"/staf/daftar-penerima/{period.id}").get_data(as_text=True)
    assert "cetak.pdf" not in page
    assert _prints(version) == []


# --- kept files -----------------------------------------------------------------------------


def test_a_published_versions_pdf_and_csv_are_made_once_per_language(board, app, monkeypatch):
    period, version, *_ = board
    pdfs = _count_renders(monkeypatch, "version_pdf")
    csvs = _count_renders(monkeypatch, "version_csv")
    url = f"/daftar-penerima/{period.id}/versi/1"
    bodies = {}
    for lang in ("id", "en"):
        client = app.test_client()
        first = client.get(f"{url}.pdf?lang={lang}")
        again = client.get(f"{url}.pdf")  # the language cookie set by ?lang=
        assert first.status_code == again.status_code == 200
        assert first.get_data() == again.get_data()
        bodies[lang] = first.get_data()
        assert client.get(f"{url}.csv").get_data() == client.get(f"{url}.csv").get_data()
    assert len(pdfs) == 2 and len(csvs) == 2  # once per language, not per request
    assert b"Recipient list" in bodies["en"] and b"Recipient list" not in bodies["id"]
    kept = {
        kind: sorted(os.listdir(os.path.join(app.instance_path, "filecache", kind)))
        for kind in ("lists-pdf", "lists-csv")
    }
    for kind, names in kept.items():
        files = [n for n in names if not n.endswith(".lock")]
        assert len(files) == 2, (kind, names)
        assert any("-v1-id-" in n for n in files) and any("-v1-en-" in n for n in files)


def test_editing_the_period_makes_a_new_file_and_drops_the_old(board, app, client, monkeypatch):
    period, version, _decision, operator, _head = board
    url = f"/daftar-penerima/{period.id}/versi/1.pdf"
    pdfs = _count_renders(monkeypatch, "version_pdf")
    assert client.get(url).status_code == 200
    data = {name: getattr(period, name) for name in services.PERIOD_FIELDS}
    data["title_id"] = "Judul Baru Sekali"
    services.save_period(period, data, actor=operator)
    body = client.get(url).get_data()
    assert b"Judul Baru Sekali" in body
    assert len(pdfs) == 2
    folder = os.path.join(app.instance_path, "filecache", "lists-pdf")
    assert len([n for n in os.listdir(folder) if n.endswith(".pdf")]) == 1


def test_concurrent_first_requests_render_once(app):
    """Every thread misses the file first; the renderer holds until all of them have
    looked (a condition, not a sleep), so without the lock each would render."""
    threads_n = 6
    seen = threading.Condition()
    misses = []
    renders = []
    real_read = filecache._read

    def counting_read(path):
        data = real_read(path)
        if data is None:
            with seen:
                misses.append(1)
                seen.notify_all()
        return data

    def make():
        renders.append(1)
        with seen:
            assert seen.wait_for(lambda: len(misses) >= threads_n, timeout=20)
        return b"made once"

    results, errors = [], []

    def worker():
        with app.app_context():
            try:
                path = filecache.path_for("test", "one", "v1", "id")
                results.append(filecache.kept(path, make))
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

    filecache_read = filecache._read
    filecache._read = counting_read
    try:
        threads = [threading.Thread(target=worker) for _ in range(threads_n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        filecache._read = filecache_read
    assert not errors
    assert results == [b"made once"] * threads_n
    assert len(renders) == 1


def test_a_key_part_cannot_leave_the_cache_folder(app):
    with app.app_context():
        path = filecache.path_for("../x", "..", "/etc/passwd")
        root = os.path.join(app.instance_path, filecache.FOLDER)
        assert os.path.commonpath([root, os.path.abspath(path)]) == root


# --- limits ---------------------------------------------------------------------------------


def test_too_many_renders_at_once_answer_503_with_retry_after(board, app, client, login_as):
    app.config["RENDER_SLOTS"] = 1
    app.config["LISTS_PRINT_FULL_NAMES"] = True
    period, version, *_ = board
    url = f"/daftar-penerima/{period.id}/versi/1.pdf?lang=en"
    with app.app_context(), filecache.render_slot():  # another render is running
        busy = client.get(url)
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == str(filecache.Busy.retry_after)
        assert "try again in a few seconds" in busy.get_data(as_text=True)
        login_as("operator")
        staff = client.get(f"/staf/daftar-penerima/{period.id}/versi/1/cetak.pdf")
        assert staff.status_code == 503
    assert _prints(version) == []  # nothing was handed out, nothing audited
    folder = os.path.join(app.instance_path, "filecache", "lists-pdf")
    assert not [n for n in os.listdir(folder) if n.endswith(".pdf")]  # nothing half-kept
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/csr/data/janji.csv", "/csr/data/pengiriman.json", "/partisipasi/pemungutan/1/hasil.csv"],
)
def test_public_downloads_made_afresh_are_limited_per_address(app, client, url):
    app.config["RATELIMIT_DOWNLOAD"] = "2 per minute"
    first = [client.get(url).status_code for _ in range(2)]
    assert 429 not in first
    refused = client.get(url)
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    other = app.test_client()
    other.environ_base = {"REMOTE_ADDR": "10.0.0.9"}
    assert other.get(url).status_code in first
