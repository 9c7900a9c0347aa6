"""Open an uploaded file as a spreadsheet, judged by its content and size, never by its
name, and stream its rows.

- .xlsx: a ZIP archive holding xl/workbook.xml;
- .xls: an OLE2 compound file (signature D0 CF 11 E0 A1 B1 1A E1);
- .csv: text in UTF-8 (with or without BOM) or Windows-1252, separated by ";" (what
  Excel writes in Indonesian locales), "," or tabs.

Excel files are read with calamine (Rust): openpyxl's pure-Python reader takes more
than a minute for a 100,000-row roster. calamine holds a whole sheet in memory, so a
sheet larger than `xlsx_stream.STREAM_ABOVE_BYTES` (a district's roster) is streamed
row by row by `xlsx_stream` instead. Rows come as lists of cell values with their
row number as the operator sees it in the spreadsheet.
"""

from __future__ import annotations

import codecs
import csv
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from portal.i18n import lazy_gettext as _l
from portal.registry.importing import xlsx_stream
from portal.service_errors import ServiceError

OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP = b"PK\x03\x04"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# An .xlsx expands roughly 10-15 times; far more than that is a "zip bomb".
MAX_UNZIPPED_BYTES = 600 * 1024 * 1024
# A file allowed to be larger than the upload page's limit (the command line's district
# roster) may expand to this many times its allowed size.
UNZIP_RATIO = 12
CSV_SEPARATORS = (";", ",", "\t", "|")
SNIFF_BYTES = 64 * 1024


class ImportFileError(ServiceError):
    """The file cannot be imported at all; `message` is a lazy string for the operator."""


@dataclass
class Workbook:
    """An opened file: its kind ("xlsx", "xls", "csv") and its sheets by name."""

    kind: str
    path: str
    sheet_names: list[str]
    _book: object = None
    _encoding: str | None = None
    _separator: str | None = None
    _loaded: tuple | None = None

    def rows(self, sheet: str | int = 0) -> Iterator[tuple[int, list]]:
        """(row number, cell values) for every row of a sheet, empty rows included."""
        if self.kind == "csv":
            yield from _csv_rows(self.path, self._encoding, self._separator)
            return
        index = sheet if isinstance(sheet, int) else self.sheet_names.index(sheet)
        if self.kind == "xlsx" and xlsx_stream.sheet_size(self.path, index) > (
            xlsx_stream.STREAM_ABOVE_BYTES
        ):
            # A district's roster: row by row, never the whole sheet in memory.
            yield from xlsx_stream.stream_rows(self.path, index)
            return
        # calamine loads a whole sheet at once: keep the last one, so that finding the
        # header and then reading the rows does not load a 100,000-row sheet twice.
        if self._loaded is None or self._loaded[0] != index:
            self._loaded = None
            self._loaded = (index, self._book.get_sheet_by_index(index))
        worksheet = self._loaded[1]
        # calamine yields from the first row of the sheet but drops empty leading columns,
        # so row numbers match the spreadsheet and columns are found by header name.
        yield from enumerate(worksheet.iter_rows(), start=1)

    def close(self) -> None:
        self._loaded = None
        if self._book is not None:
            self._book.close()
            self._book = None


def file_size_limit_message(limit: int):
    return _l(
        "The file is larger than %(mb)s MB. Split it into smaller files, or ask the "
        "administrator to import it on the server.",
        mb=_megabytes(limit),
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def sniff(head: bytes) -> str | None:
    """The kind of file from its first bytes: "zip", "ole2", "text" or None (binary)."""
    if head.startswith(ZIP):
        return "zip"
    if head.startswith(OLE2):
        return "ole2"
    if b"\x00" in head[:4096] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    return "text"


def open_workbook(path: str, size: int, max_bytes: int = DEFAULT_MAX_BYTES) -> Workbook:
    """Open `path` as a spreadsheet or raise ImportFileError saying why it cannot be."""
    if size > max_bytes:
        raise ImportFileError(file_size_limit_message(max_bytes))
    if size == 0:
        raise ImportFileError(_l("The file is empty."))
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    kind = sniff(head)
    if kind == "zip":
        return _open_excel(path, "xlsx", unzipped_limit(max_bytes))
    if kind == "ole2":
        return _open_excel(path, "xls")
    if kind == "text":
        encoding, separator = _sniff_text(path, head)
        return Workbook("csv", path, ["CSV"], _encoding=encoding, _separator=separator)
    raise ImportFileError(not_a_spreadsheet())


def unzipped_limit(max_bytes: int) -> int:
    """How large an .xlsx may be once decompressed: MAX_UNZIPPED_BYTES, or UNZIP_RATIO
    times the allowed file size when that is above the upload page's default."""
    if max_bytes <= DEFAULT_MAX_BYTES:
        return MAX_UNZIPPED_BYTES
    return max(MAX_UNZIPPED_BYTES, UNZIP_RATIO * max_bytes)


def not_a_spreadsheet():
    return _l(
        "This file is not a spreadsheet. Upload an Excel file (.xlsx or .xls) or a CSV "
        "file, as exported from SIAK, OpenSID or the welfare data."
    )


def _open_excel(path: str, kind: str, limit: int = MAX_UNZIPPED_BYTES) -> Workbook:
    from python_calamine import CalamineError, CalamineWorkbook

    if kind == "xlsx":
        try:
            with zipfile.ZipFile(path) as archive:
                infos = archive.infolist()
        except zipfile.BadZipFile:
            raise ImportFileError(not_a_spreadsheet()) from None
        if "xl/workbook.xml" not in {info.filename for info in infos}:
            # A Word document or any other ZIP archive.
            raise ImportFileError(not_a_spreadsheet())
        if unzipped_size(path, infos, limit) > limit:
            raise ImportFileError(
                _l("The spreadsheet holds too much data to import at once. Split it up.")
            )
    try:
        book = CalamineWorkbook.from_path(path)
        names = list(book.sheet_names)
    except (CalamineError, OSError, ValueError):
        raise ImportFileError(
            _l(
                "The spreadsheet could not be read: it may be damaged or protected by a "
                "password. Open it in Excel, save it again and upload the new file."
            )
        ) from None
    if not names:
        raise ImportFileError(_l("The spreadsheet has no sheets."))
    return Workbook(kind, path, names, _book=book)


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a ZIP member's local file header
_CHUNK = 256 * 1024


def unzipped_size(path: str, infos: list[zipfile.ZipInfo], limit: int) -> int:
    """The real size of the archive's members once decompressed, counted by inflating
    each one (streaming, never holding more than a chunk) and stopping as soon as the
    total passes `limit`. The sizes an archive declares for its members are not trusted:
    a zip bomb lies about them, and calamine inflates what is there, not what is declared.
    A member packed other than stored or deflated (Excel writes only these) counts as
    over the limit, as does one whose data cannot be found.
    """
    total = 0
    with open(path, "rb") as fh:
        for info in infos:
            total += _member_size(fh, info, limit - total)
            if total > limit:
                break
    return total


def _member_size(fh, info: zipfile.ZipInfo, budget: int) -> int:
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        return budget + 1
    name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
    fh.seek(name_length + extra_length, 1)
    if info.compress_type == zipfile.ZIP_STORED:
        # Stored data is read as it is: at most what the file holds.
        return min(info.compress_size, budget + 1)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return budget + 1
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    # Read on to the end of the deflate stream, whatever compress_size says.
    while not inflater.eof and size <= budget:
        chunk = inflater.unconsumed_tail or fh.read(_CHUNK)
        if not chunk:
            break
        try:
            size += len(inflater.decompress(chunk, _CHUNK))
        except zlib.error:
            return budget + 1
    return size


def _sniff_text(path: str, head: bytes) -> tuple[str, str]:
    """Encoding and separator of a CSV file: UTF-8 when the whole file decodes as UTF-8,
    else Windows-1252 (what Excel writes on Indonesian Windows)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif _is_utf8(path):
        encoding = "utf-8-sig"
    else:
        encoding = "cp1252"
    try:
        sample = head.decode(encoding, errors="replace")
    except LookupError:  # pragma: no cover - fixed encodings
        raise ImportFileError(not_a_spreadsheet()) from None
    # The header may sit below a title line: look at the busiest of the first lines.
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    counts = {sep: max((line.count(sep) for line in lines), default=0) for sep in CSV_SEPARATORS}
    separator = max(counts, key=counts.get)
    if counts[separator] == 0:
        raise ImportFileError(not_a_spreadsheet())
    return encoding, separator


def _is_utf8(path: str) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        try:
            while chunk := fh.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _csv_rows(path: str, encoding: str, separator: str) -> Iterator[tuple[int, list]]:
    # cp1252 leaves five bytes undefined: show them as "?" rather than refuse the file.
    errors = "strict" if encoding.startswith("utf") else "replace"
    with open(path, encoding=encoding, errors=errors, newline="") as fh:
        reader = csv.reader(fh, delimiter=separator)
        number = 0
        try:
            # Numbered by record, as Excel numbers the rows when it opens the file.
            for number, row in enumerate(reader, start=1):  # noqa: B007
                yield number, row
        except csv.Error:
            raise ImportFileError(
                _l("Row %(row)d of the CSV file cannot be read.", row=number + 1)
            ) from None
