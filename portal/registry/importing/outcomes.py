"""Reading a batch's outcome back: the preview's pages, and the rejected rows as a file
(.xlsx or .csv) with a reason column in the reader's language."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

from flask_babel import gettext as _

from portal import spreadsheet
from portal.audit.services import record
from portal.extensions import db
from portal.registry.importing.batch_files import _file
from portal.registry.importing.models import ImportBatch
from portal.registry.importing.problems import Problem, render

ROW_FILTERS = ("all", "problems", "rejected", "new", "updated", "unchanged")


@dataclass
class PreviewRow:
    number: int
    status: str
    target: str
    display: dict
    cells: list[str]
    errors: list[Problem]
    warnings: list[Problem]


def _outcomes(batch: ImportBatch) -> Iterator[PreviewRow]:
    path = _file(batch, "preview.jsonl")
    if not path.exists():
        path = _file(batch, "problems.jsonl")
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            data = json.loads(line)
            yield PreviewRow(
                data["n"],
                data["s"],
                data["t"],
                data["d"],
                data["c"],
                [Problem.from_json(p) for p in data["e"]],
                [Problem.from_json(p) for p in data["w"]],
            )


def _keep(row: PreviewRow, which: str) -> bool:
    if which == "problems":
        return bool(row.errors or row.warnings)
    if which in ("rejected", "new", "updated", "unchanged"):
        return row.status == which
    return True


def preview_rows(
    batch: ImportBatch, which: str = "all", page: int = 1, per_page: int = 50
) -> tuple[list[PreviewRow], int]:
    """One page of row outcomes (all, with problems, or one status) and how many match.

    The outcome file is read as a stream, so a 100,000-row preview never sits in memory.
    """
    which = which if which in ROW_FILTERS else "all"
    start = (page - 1) * per_page
    items, total = [], 0
    for row in _outcomes(batch):
        if not _keep(row, which):
            continue
        if start <= total < start + per_page:
            items.append(row)
        total += 1
    return items, total


def rejected_rows_file(batch: ImportBatch, fmt: str = "xlsx") -> tuple[bytes, str, str]:
    """The rejected rows as the file had them, with a reason column in the reader's
    language. Returns (content, mimetype, file name)."""
    header = [*(batch.summary or {}).get("header", []), _("Row"), _("Reason")]
    rows = (
        [*row.cells, row.number, render(row.errors)]
        for row in _outcomes(batch)
        if row.status == "rejected"
    )
    stem = os.path.splitext(batch.filename)[0] or "import"
    name = stem + "-" + _("rejected")
    return table_file(header, rows, fmt, name)


def record_rejected_download(batch: ImportBatch, fmt: str, *, actor, ip=None) -> None:
    """Audit the download of a batch's rejected rows (they hold personal data)."""
    record(
        "export",
        "import_batch",
        batch.id,
        actor=actor,
        ip=ip,
        summary=f"rejected rows .{fmt}",
        after={"rows": (batch.summary or {}).get("rejected", 0), "format": fmt},
    )
    db.session.commit()


def table_file(header: list, rows, fmt: str, name: str) -> tuple[bytes, str, str]:
    """A header and rows as .xlsx (write-only) or .csv (UTF-8 with BOM and ";", what
    Excel opens correctly on Indonesian Windows); every cell through
    `portal.spreadsheet.safe_cell` (never a formula; NIK and KK numbers stay text)."""
    if fmt == "csv":
        data = spreadsheet.csv_text(chain([header], rows), delimiter=";", bom=True)
        return data.encode("utf-8"), "text/csv; charset=utf-8", f"{name}.csv"
    data = spreadsheet.xlsx_bytes([("Data", chain([header], rows))])
    return data, spreadsheet.XLSX_MIMETYPE, f"{name}.xlsx"
