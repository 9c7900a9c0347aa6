"""A district's export: the CSV of the whole registry is streamed, its rows read from
the database a few households at a time (`yield_per`) while it is being sent."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import event, func, select

from portal.audit.models import AuditEntry
from portal.devdata.registry import generate
from portal.extensions import db
from portal.registry import services as registry
from portal.registry.importing import export
from portal.registry.models import Person


def _people() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Person).where(Person.merged_into_id.is_(None))
    )


def test_the_csv_export_is_read_and_written_a_chunk_at_a_time(app, monkeypatch):
    generate(60, seed=7)
    db.session.commit()
    monkeypatch.setattr(export, "YIELD", 10)
    statements = []

    def seen(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT") and "FROM person" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with app.test_request_context("/"):
            chunks, mimetype, name = export.export_list(
                registry.Filters(), "people", "csv", actor=None
            )
            assert not isinstance(chunks, bytes)
            assert mimetype.startswith("text/csv") and name.endswith(".csv")
            header = next(chunks)
            first = next(chunks)
            loaded_at_first = len(statements)
            rest = list(chunks)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    # The members were loaded 10 households at a time, as the file was written: only a
    # few loads had run when the first rows were ready, many by the end.
    assert loaded_at_first <= 3
    assert len(statements) >= 60 // 10
    text = b"".join([header, first, *rest]).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][0] == "NIK"
    assert len(lines) - 1 == _people()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
    assert entry.after["rows"] == _people()


def test_the_export_page_streams_the_csv(app, client, login_as):
    generate(30, seed=8)
    db.session.commit()
    login_as("operator")
    response = client.post(
        "/staf/registrasi/ekspor/unduh", data={"isi": "households", "format": "csv"}
    )
    assert response.status_code == 200
    assert response.is_streamed
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True)), delimiter=";"))
    assert len(lines) == 31
    assert "attachment" in response.headers["Content-Disposition"]


@pytest.fixture
def temporary_files(monkeypatch, tmp_path):
    """The folder Python's temporary files go to during the test."""
    import tempfile

    files = tmp_path / "temporary"
    files.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(files))
    return files


def test_the_xlsx_export_is_written_to_a_file_and_sent_in_chunks(app, temporary_files):
    """The .xlsx is written to a temporary file (openpyxl's write-only mode), audited with
    its row count, then read out in chunks; the file is gone once it is sent."""
    from openpyxl import load_workbook

    files = temporary_files
    generate(40, seed=9)
    db.session.commit()
    with app.test_request_context("/"):
        chunks, mimetype, name = export.export_list(
            registry.Filters(), "people", "xlsx", actor=None
        )
        assert not isinstance(chunks, bytes) and name.endswith(".xlsx")
        assert mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        written = list(files.iterdir())
        assert len(written) == 1 and written[0].suffix == ".xlsx"
        data = b"".join(chunks)
    assert list(files.iterdir()) == []
    rows = list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "NIK" and len(rows) - 1 == _people()
    assert all(isinstance(row[0], str) and len(row[0]) == 16 for row in rows[1:])  # NIK as text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
    assert entry.after["rows"] == _people() and entry.after["format"] == "xlsx"


def test_an_xlsx_export_left_unread_removes_its_file(app, temporary_files):
    files = temporary_files
    generate(5, seed=10)
    db.session.commit()
    with app.test_request_context("/"):
        chunks, _mimetype, _name = export.export_list(
            registry.Filters(), "households", "xlsx", actor=None
        )
        next(chunks)
        chunks.close()  # the reader went away after the first chunk
    assert list(files.iterdir()) == []
