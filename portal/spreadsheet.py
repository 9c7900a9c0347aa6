"""Every CSV and .xlsx file the portal writes goes through here: one rule for its cells.

A text cell that starts with = + - @ (or a tab, carriage return or line feed, or their
full-width forms) would run as a formula when the file is opened in Excel, LibreOffice
or Google Sheets ("=HYPERLINK(...)" in a survey answer, a course title or a company
name). Following OWASP's advice on CSV injection, such text gets a single quote in
front, in CSV and in .xlsx alike; real numbers (int, float, Decimal) stay numbers, so a
numeric column keeps its negative values as numbers. Text is written as text: a NIK or
KK number keeps all 16 digits.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

# OWASP's list, plus the line feed and the full-width forms some spreadsheets accept.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """The value to write into a cell: numbers and dates as they are, None as "", any
    other value as text, with a quote in front when it starts with a trigger."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = str(value)
    if text.startswith(TRIGGERS):
        return "'" + text
    return text


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


def csv_text(rows: Iterable[Iterable], *, delimiter: str = ",", bom: bool = False) -> str:
    """Rows (the header first) as CSV text, every cell through `safe_cell`.

    `bom` and `delimiter=";"` give what Excel opens correctly on Indonesian Windows.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(safe_row(row))
    return ("\ufeff" if bom else "") + out.getvalue()


def append_row(sheet, row: Iterable) -> None:
    """Append a row to an openpyxl sheet (normal or write-only), every cell through
    `safe_cell`: after it no text starts with "=", so openpyxl never writes a formula."""
    sheet.append(safe_row(row))


def _write_xlsx(sheets: Iterable[tuple[str, Iterable[Iterable]]], target) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(str(title)[:31])
        for row in rows:
            append_row(sheet, row)
    book.save(target)


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[Iterable]]]) -> bytes:
    """A workbook of (title, rows) sheets, written row by row (openpyxl's write-only
    mode, so a long export does not sit in memory as cell objects)."""
    buffer = io.BytesIO()
    _write_xlsx(sheets, buffer)
    return buffer.getvalue()


def xlsx_chunks(
    sheets: Iterable[tuple[str, Iterable[Iterable]]], chunk_size: int = 1 << 16
) -> Iterator[bytes]:
    """The same workbook written to a temporary file first (openpyxl's write-only mode
    keeps each sheet's rows in a temporary file too, and the ZIP is written from them),
    then handed out in chunks; the file is removed when the last chunk is read or the
    reader stops. Memory stays flat however many rows: a district's export."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        _write_xlsx(sheets, path)
    except BaseException:
        os.unlink(path)
        raise
    return _read_and_remove(path, chunk_size)


def _read_and_remove(path: str, chunk_size: int) -> Iterator[bytes]:
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(chunk_size):
                yield chunk
    finally:
        os.unlink(path)
