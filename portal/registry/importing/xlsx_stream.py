"""Reading a large .xlsx sheet row by row, never the whole sheet in memory.

calamine (what `readers` uses) loads a whole sheet into memory before giving the first
row: fine for a village (100,000 rows take about 400 MB), not for a district's
1,000,000-row roster, whose sheet holds some 37 million cells. Above
`STREAM_ABOVE_BYTES` of sheet XML, `readers.Workbook.rows` uses this reader instead:
lxml parses the sheet part straight from the ZIP archive, one <row> at a time, and
drops each row once read. Only the shared-string table (the distinct texts of the
workbook, when the writer used one) is held.

Values come as calamine gives them: text as str, numbers as float, booleans as bool,
numbers in a date format as `datetime.date` (or `datetime.datetime` with a time of
day), empty cells as "". Row numbers are the spreadsheet's; a row's cells start at
column A.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta

from lxml import etree

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A sheet part larger than this (uncompressed) is streamed; a 100,000-row roster's is
# about 150 MB, so rosters of a village still go through calamine.
STREAM_ABOVE_BYTES = 256 * 1024 * 1024
# Built-in number formats that are dates or times (ECMA-376, 18.8.30).
DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
_DATE_CODE = re.compile(r"[dmyhs]")
# An uploaded file is not trusted: no entities expanded, no DTD or network fetched.
_SAFE = {"resolve_entities": False, "no_network": True, "load_dtd": False}
_PARSER = etree.XMLParser(**_SAFE)
_EPOCH = datetime(1899, 12, 30)


def sheet_parts(archive: zipfile.ZipFile) -> list[str]:
    """The ZIP member of each sheet, in workbook order."""
    workbook = etree.fromstring(archive.read("xl/workbook.xml"), _PARSER)
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), _PARSER)
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{PKG_REL_NS}Relationship")}
    parts = []
    for sheet in workbook.iter(f"{NS}sheet"):
        target = targets.get(sheet.get(f"{REL_NS}id"), "")
        if target.startswith("/"):
            parts.append(target.lstrip("/"))
        else:
            parts.append(posixpath.normpath(posixpath.join("xl", target)))
    return parts


def sheet_size(path: str, index: int) -> int:
    """The uncompressed size of a sheet's XML (as the archive declares it)."""
    with zipfile.ZipFile(path) as archive:
        parts = sheet_parts(archive)
        return archive.getinfo(parts[index]).file_size


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    try:
        fh = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings = []
    with fh:
        for _event, item in etree.iterparse(fh, events=("end",), tag=f"{NS}si", **_SAFE):
            # Rich text: the runs' texts, without the phonetic (<rPh>) readings.
            strings.append("".join(t.text or "" for t in item.iter(f"{NS}t")
                                   if t.getparent().tag != f"{NS}rPh"))  # fmt: skip
            item.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell formats (the cells' s attribute) that show a date."""
    try:
        styles = etree.fromstring(archive.read("xl/styles.xml"), _PARSER)
    except KeyError:
        return set()
    custom = set()
    for fmt in styles.iter(f"{NS}numFmt"):
        # Strip quoted text, [colours] and escaped characters before looking for d/m/y.
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", (fmt.get("formatCode") or "").lower())
        if _DATE_CODE.search(code):
            custom.add(int(fmt.get("numFmtId")))
    xfs = styles.find(f"{NS}cellXfs")
    found = set()
    for i, xf in enumerate(xfs if xfs is not None else []):
        fmt_id = int(xf.get("numFmtId") or 0)
        if fmt_id in DATE_FORMAT_IDS or fmt_id in custom:
            found.add(i)
    return found


def _as_date(serial: float):
    moment = _EPOCH + timedelta(days=serial)
    return moment.date() if serial == int(serial) else moment


CELL = f"{NS}c"
_COLUMNS: dict[str, int] = {}


def _column(ref: str) -> int:
    letters = ref.rstrip("0123456789")
    index = _COLUMNS.get(letters)
    if index is None:
        index = 0
        for ch in letters:
            index = index * 26 + ord(ch) - 64
        index -= 1
        _COLUMNS[letters] = index
    return index


def _value(cell, kind, strings, date_styles):
    if kind == "inlineStr":
        inline = cell.find(f"{NS}is")
        return "" if inline is None else "".join(inline.itertext())
    raw = cell.findtext(f"{NS}v")
    if raw is None:
        return ""
    if kind == "s":
        return strings[int(raw)]
    if kind in ("str", "e"):
        return raw
    if kind == "b":
        return raw == "1"
    if kind == "d":
        return datetime.fromisoformat(raw)
    number = float(raw)
    style = cell.get("s")
    if style is not None and int(style) in date_styles:
        return _as_date(number)
    return number


def stream_rows(path: str, index: int) -> Iterator[tuple[int, list]]:
    """(row number, cell values) for every row of sheet `index`, empty rows included."""
    with zipfile.ZipFile(path) as archive:
        part = sheet_parts(archive)[index]
        strings = _shared_strings(archive)
        date_styles = _date_styles(archive)
        expected = 1
        with archive.open(part) as fh:
            for _event, row in etree.iterparse(fh, events=("end",), tag=f"{NS}row", **_SAFE):
                number = int(row.get("r") or expected)
                while expected < number:  # rows the file leaves out are empty
                    yield expected, []
                    expected += 1
                cells: list = []
                append = cells.append
                for cell in row.iterchildren(CELL):
                    ref = cell.get("r")
                    if ref is not None and (position := _column(ref)) > len(cells):
                        cells.extend([""] * (position - len(cells)))
                    kind = cell.get("t")
                    if kind == "inlineStr":  # the most common cell of a roster: fast path
                        append("".join(cell[0].itertext()) if len(cell) else "")
                    else:
                        append(_value(cell, kind, strings, date_styles))
                yield number, cells
                expected = number + 1
                # Drop the row and what came before it: memory stays flat.
                row.clear()
                parent = row.getparent()
                while row.getprevious() is not None:
                    del parent[0]
