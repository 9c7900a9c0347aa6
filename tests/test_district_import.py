"""A district's roster: the .xlsx read row by row (never the whole sheet in memory), the
import written in steps and resumed after it stopped half-way, and the claim that keeps
two processes from writing the same step."""

from __future__ import annotations

import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select, update

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.registry.importing import planner, readers, services, steps, xlsx_stream
from portal.registry.importing.models import ImportBatch
from portal.registry.importing.planner import people_plan
from portal.registry.models import Household, Membership, Person
from portal.registry.validation import make_nik
from tests.test_registry_import import SIAK_HEADER, TODAY, serial, siak_row, snapshot

FAMILIES = 12  # four people each


def roster_rows(families: int = FAMILIES) -> list[list]:
    rows = [SIAK_HEADER]
    for n in range(families):
        kk = f"32010101011{n + 1:05d}"
        for m, (relation, sex) in enumerate(
            (("Kepala Keluarga", "Laki-Laki"), ("Istri", "Perempuan"), ("Anak", "Perempuan"),
             ("Anak", "Laki-Laki"))
        ):  # fmt: skip
            born = date(1960 + m * 10, 1 + n % 12, 1 + m)
            nik = make_nik(
                "320101", born, "male" if sex == "Laki-Laki" else "female", n * 4 + m + 1
            )
            rows.append(
                siak_row(kk, nik, f"WARGA {n} {m}", born=serial(born), sex=sex, relation=relation,
                         rt=float(1 + n % 5), rw=float(1 + n % 3))
            )  # fmt: skip
    return rows


def xlsx_file(path, rows, write_only: bool) -> str:
    book = openpyxl.Workbook(write_only=write_only)
    if not write_only:
        book.remove(book.active)
    sheet = book.create_sheet("Data")
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ----------------------------------------------------------------- the streaming reader


@pytest.mark.parametrize("write_only", [False, True])
def test_streamed_rows_are_what_calamine_reads(tmp_path, write_only):
    """Shared strings (openpyxl's normal writer) and inline strings (its write-only one),
    numbers, booleans, dates in a date format, gaps in a row and empty rows."""
    rows = [
        ["Nomor KK", "NIK", "Nama", "Lahir", "Jam", "RT", "Aktif"],
        ["3201010101100001", "3201010401950001", "BUDI", date(1995, 1, 4),
         datetime(2020, 5, 6, 7, 8, 9), 8, True],
        [],
        ["3201010101100002", None, "SITI", 34703, None, 3.5, False],
        [None, None, None, None, None, None, "x"],
    ]  # fmt: skip
    path = xlsx_file(tmp_path / "a.xlsx", rows, write_only)
    streamed = list(xlsx_stream.stream_rows(path, 0))
    expected = list(
        enumerate(CalamineWorkbook.from_path(path).get_sheet_by_index(0).iter_rows(), 1)
    )
    # calamine pads every row to the sheet's width; the stream stops at a row's last cell.
    assert [(n, cells + [""] * (7 - len(cells))) for n, cells in streamed] == expected
    assert streamed[1][1][3] == date(1995, 1, 4)
    assert streamed[3][1][3] == 34703.0  # a number without a date format stays a number


def test_the_sheet_is_read_as_it_is_parsed_not_all_at_once(tmp_path, monkeypatch):
    """The first row comes when only the beginning of the sheet's XML has been read."""
    path = xlsx_file(tmp_path / "big.xlsx", roster_rows(600), write_only=True)
    opened = []
    real_iterparse = xlsx_stream.etree.iterparse

    def watching(source, **kwargs):
        opened.append(source)
        return real_iterparse(source, **kwargs)

    monkeypatch.setattr(xlsx_stream.etree, "iterparse", watching)
    rows = xlsx_stream.stream_rows(path, 0)
    number, header = next(rows)
    assert (number, header[0]) == (1, "Nomor KK")
    with zipfile.ZipFile(path) as archive:
        size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    sheet = opened[-1]
    assert sheet.tell() < size / 10
    assert sum(1 for _ in rows) == 2400
    assert sheet.closed  # read to the end and closed


def test_a_large_sheet_goes_through_the_stream_and_imports_the_same(app, tmp_path, monkeypatch):
    path = xlsx_file(tmp_path / "r.xlsx", roster_rows(), write_only=True)
    used = []
    real = xlsx_stream.stream_rows
    monkeypatch.setattr(xlsx_stream, "stream_rows", lambda *a: used.append(a) or real(*a))
    monkeypatch.setattr(xlsx_stream, "STREAM_ABOVE_BYTES", 0)
    batch = services.start_import(path, "r.xlsx", actor=None, today=TODAY)
    assert used
    services.confirm_import(batch, actor=None, today=TODAY)
    assert count(Person) == 4 * FAMILIES
    assert count(Household) == FAMILIES


def test_a_district_sized_file_may_expand_more_than_an_upload():
    assert readers.unzipped_limit(readers.DEFAULT_MAX_BYTES) == readers.MAX_UNZIPPED_BYTES
    big = 200 * 1024 * 1024
    assert readers.unzipped_limit(big) == readers.UNZIP_RATIO * big


# ------------------------------------------------------------------ importing in steps


def previewed(tmp_path, rows=None) -> ImportBatch:
    path = xlsx_file(tmp_path / "roster.xlsx", rows or roster_rows(), write_only=True)
    return services.start_import(path, "roster.xlsx", actor=None, today=TODAY)


def test_an_import_in_steps_writes_what_one_transaction_would(app, tmp_path):
    batch = previewed(tmp_path)
    expected = {k: v for k, v in batch.summary.items() if k != "header"}
    done = steps.confirm_in_steps(batch, actor=None, size=5, today=TODAY)
    assert done.status == "confirmed"
    assert done.rows_done == 4 * FAMILIES
    assert {k: v for k, v in done.summary.items() if k != "header"} == expected
    assert count(Person) == count(Membership) == 4 * FAMILIES
    creates = db.session.scalar(
        select(func.count()).where(
            AuditEntry.action == "create", AuditEntry.object_type == "person"
        )
    )
    assert creates == 4 * FAMILIES
    # Every household was scored with all its members (each step rescored what it touched).
    scored = db.session.scalar(select(func.count()).where(Household.scored_at.is_not(None)))
    assert scored == FAMILIES
    before = snapshot()
    again = services.start_import(
        str(tmp_path / "roster.xlsx"), "roster.xlsx", actor=None, today=TODAY
    )
    assert again.summary["writes"] == 0
    assert again.summary["people_unchanged"] == 4 * FAMILIES
    assert snapshot() == before


def test_steps_end_where_the_family_card_changes(app, tmp_path, monkeypatch):
    batch = previewed(tmp_path)
    seen = []
    real = planner.apply

    def watching(plan, **kwargs):
        seen.append(sorted({p["household_kk"] for p in plan.new_persons}))
        assert all(
            sum(1 for p in plan.new_persons if p["household_kk"] == kk) == 4 for kk in seen[-1]
        )
        return real(plan, **kwargs)

    monkeypatch.setattr(planner, "apply", watching)
    steps.confirm_in_steps(batch, actor=None, size=5, today=TODAY)
    # Steps of at least 5 rows ending at a new KK number: two families (8 rows) each.
    assert [len(kks) for kks in seen] == [2] * (FAMILIES // 2)


def test_an_import_stopped_half_way_resumes_after_the_rows_it_wrote(app, tmp_path, monkeypatch):
    batch = previewed(tmp_path)
    expected = {k: v for k, v in batch.summary.items() if k != "header"}
    real = planner.apply
    calls = []

    def dies_on_the_third_step(plan, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            real(plan, **kwargs)  # written, then the process dies before committing
            raise KeyboardInterrupt
        return real(plan, **kwargs)

    monkeypatch.setattr(planner, "apply", dies_on_the_third_step)
    with pytest.raises(KeyboardInterrupt):
        steps.confirm_in_steps(batch, actor=None, size=8, today=TODAY)
    db.session.rollback()
    stopped = db.session.get(ImportBatch, batch.id)
    assert (stopped.status, stopped.rows_done) == ("previewed", 16)
    assert count(Person) == 16  # two steps committed; the third rolled back
    monkeypatch.setattr(planner, "apply", real)
    path = str(tmp_path / "roster.xlsx")
    assert steps.unfinished_batch(path).id == batch.id
    done = steps.confirm_in_steps(steps.unfinished_batch(path), actor=None, size=8, today=TODAY)
    assert done.status == "confirmed"
    assert {k: v for k, v in done.summary.items() if k != "header"} == expected
    assert count(Person) == count(Membership) == 4 * FAMILIES
    assert count(Household) == FAMILIES
    creates = db.session.scalar(
        select(func.count()).where(
            AuditEntry.action == "create", AuditEntry.object_type == "person"
        )
    )
    assert creates == 4 * FAMILIES
    assert steps.unfinished_batch(path) is None


def test_the_command_line_resumes_the_same_file(app, runner, tmp_path, monkeypatch):
    path = xlsx_file(tmp_path / "roster.xlsx", roster_rows(), write_only=True)
    real = planner.apply
    calls = []

    def fails_on_the_second_step(plan, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(plan, **kwargs)

    monkeypatch.setattr(planner, "apply", fails_on_the_second_step)
    first = runner.invoke(args=["import-registry", path, "--yes", "--commit-every", "8"])
    assert first.exit_code != 0
    assert count(Person) == 8
    monkeypatch.setattr(planner, "apply", real)
    second = runner.invoke(args=["import-registry", path, "--yes", "--commit-every", "8"])
    assert second.exit_code == 0, second.output
    assert "8" in second.output and str(4 * FAMILIES) in second.output
    assert count(Person) == 4 * FAMILIES
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 1


def test_a_step_another_process_already_wrote_is_not_written_again(app, tmp_path, monkeypatch):
    batch = previewed(tmp_path)
    real = people_plan._look_up
    calls = []

    def overtaken(*args):
        calls.append(1)
        if len(calls) == 2:
            # Meanwhile another process resumed the batch and wrote this step.
            db.session.rollback()
            with db.engine.begin() as conn:
                conn.execute(update(ImportBatch).values(rows_done=ImportBatch.rows_done + 8))
        return real(*args)

    monkeypatch.setattr(people_plan, "_look_up", overtaken)
    with pytest.raises(services.ConfirmError):
        steps.confirm_in_steps(batch, actor=None, size=8, today=TODAY)
    db.session.rollback()
    # The first step is written; the second was refused by its claim before any write.
    assert count(Person) == 8


def test_preview_in_steps_counts_like_the_preview_at_once(app, tmp_path):
    path = xlsx_file(tmp_path / "r.xlsx", roster_rows(), write_only=True)
    whole = services.start_import(path, "r.xlsx", actor=None, today=TODAY)
    stepped = services.start_import(path, "r.xlsx", actor=None, today=TODAY, step_rows=5)
    assert stepped.summary["writes"] == whole.summary["writes"] == 5 * FAMILIES
    assert {k: v for k, v in stepped.summary.items()} == dict(whole.summary)
    assert count(Person) == 0


def test_a_family_listed_twice_apart_finds_its_member_without_a_nik(app, tmp_path):
    """OpenSID rows may lack a NIK; such a member is matched by household, name and birth
    date. When the family appears again after a step boundary, the member is still found
    in the registry, not created twice."""
    from tests.test_registry_import import OPENSID_HEADER, opensid_row

    kk, other = "'5201140104120001", "'5201140104120002"

    def member(nik, name, born, kk_number=kk, level="4"):
        return opensid_row(alamat="Dusun Karang", dusun="KARANG", rw="'001", rt="'004",
                           nama=name, no_kk=kk_number, nik=nik, sex="1", tanggallahir=born,
                           kk_level=level, status_dasar="1")  # fmt: skip

    rows = [
        OPENSID_HEADER,
        member("'5201140505850001", "AHMAD", "1985-05-05", level="1"),
        member("'5201140101700004", "AMAQ DEDI", "1970-01-01", other, level="1"),
        member("'5201140101700005", "INAQ DEDI", "1972-01-01", other, level="3"),
        member("", "BAYI TANPA NIK", "2025-01-01"),  # the family again, further down
    ]
    path = xlsx_file(tmp_path / "penduduk.xlsx", rows, write_only=False)
    first = services.start_import(path, "penduduk.xlsx", actor=None, today=TODAY)
    services.confirm_import(first, actor=None, today=TODAY)
    assert count(Person) == 4
    again = services.start_import(path, "penduduk.xlsx", actor=None, today=TODAY)
    done = steps.confirm_in_steps(again, actor=None, size=1, today=TODAY)
    assert done.summary["people_unchanged"] == 4
    assert done.summary.get("people_new", 0) == 0
    assert count(Person) == 4
