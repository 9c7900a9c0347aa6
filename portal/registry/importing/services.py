"""The import batch, from upload to confirmation: what the upload page and the
`flask import-registry` command call.

1. `start_import()` keeps the file in instance/uploads/<token> (never under static/),
   recognises its layout, reads every row, compares it with the registry and stores
   the preview. Nothing in the registry changes.
2. `preview_rows()` pages through the outcome; `rejected_rows_file()` gives the
   refused rows with a reason column, as .xlsx or .csv.
3. `confirm_import()` compares again (the registry may have changed meanwhile) and
   writes every valid row in ONE transaction with its audit entries: all or nothing.
   The same file imported twice finds everything unchanged and writes nothing.
4. `discard_import()` drops the batch and its files.

Files of a batch: <token>.upload (the file as sent), <token>.rows.jsonl (rows read
into canonical values), <token>.preview.jsonl (the outcome of each row). After
confirming or discarding, only the outcome of rows with problems is kept, so that
the rejected ones can still be downloaded and warnings followed up; the rest holds
personal data and is deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow, village_today
from portal.numbers import is_whole
from portal.registry.importing import layouts, planner, row_reading, vocab
from portal.registry.importing.batch_files import _file, _remove, uploads_dir
from portal.registry.importing.layouts import Row
from portal.registry.importing.models import ImportBatch
from portal.registry.importing.outcomes import (
    ROW_FILTERS,
    PreviewRow,
    preview_rows,
    record_rejected_download,
    rejected_rows_file,
    table_file,
)
from portal.registry.importing.problems import Problem
from portal.registry.importing.readers import (
    DEFAULT_MAX_BYTES,
    ImportFileError,
    file_size_limit_message,
    open_workbook,
)
from portal.registry.importing.values import ValueProblem, parse_date, text
from portal.registry.models import NATIONAL_PROGRAMMES
from portal.service_errors import ServiceError

COPY_CHUNK = 1024 * 1024
DATE_FIELDS = ("birth_date",)
CLI_MAX_BYTES = 200 * 1024 * 1024
STALE_HOURS = 48

# What the preview table shows of each kind of row.
DISPLAY = {
    "person": ("nik", "name", "kk_number", "relation", "sex", "birth_date", "status", "rt", "rw"),
    "participant": ("nik", "name", "participant", "card_number"),
    "rtm": ("nik", "rtm_number", "rtm_level"),
    "welfare": ("national_id", "kk_number", "nik", "name", "desil"),
}


class PreviewError(ServiceError):
    """The file cannot be previewed; `message` (lazy) goes beside the form `field`."""

    def __init__(self, message, field: str = "file"):
        super().__init__(message, field)


class ConfirmError(ServiceError):
    """The batch cannot be confirmed (already done, files gone, or the import failed)."""


def upload_limit() -> int:
    """The largest file the upload page takes (REGISTRY_IMPORT_MAX_BYTES, 10 MiB)."""
    return int(current_app.config.get("REGISTRY_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def cli_limit() -> int:
    """The largest file the command line takes (REGISTRY_IMPORT_CLI_MAX_BYTES, 200 MiB)."""
    return int(current_app.config.get("REGISTRY_IMPORT_CLI_MAX_BYTES", CLI_MAX_BYTES))


# ----------------------------------------------------------------- row (de)serialising


def _json_default(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _dump_row(row: Row) -> str:
    return json.dumps(
        {
            "n": row.number,
            "k": row.kind,
            "v": row.values,
            # One string, not a list: a quarter of the (de)serialising time of a roster.
            "c": _joined(row.cells),
            "e": [p.to_json() for p in row.errors],
            "w": [p.to_json() for p in row.warnings],
        },
        default=_json_default,
        ensure_ascii=False,
    )


def _joined(cells: list[str]) -> str:
    joined = "\t".join(cells)
    if joined.count("\t") != len(cells) - 1:  # a tab inside a cell: rare, made a space
        joined = "\t".join(c.replace("\t", " ") for c in cells)
    return joined


def _load_row(line: str) -> Row:
    data = json.loads(line)
    values = data["v"]
    for name in DATE_FIELDS:
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    return Row(
        data["n"],
        data["k"],
        values,
        data["c"].split("\t"),
        [Problem.from_json(p) for p in data["e"]],
        [Problem.from_json(p) for p in data["w"]],
    )


def _read_rows(path: Path) -> Iterator[Row]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            yield _load_row(line)


def _display(row: Row) -> dict:
    out = {}
    for name in DISPLAY[row.kind]:
        value = row.values.get(name)
        if isinstance(value, date):
            value = value.strftime("%d-%m-%Y")
        out[name] = value
    return out


class _PreviewWriter:
    """Writes the outcome of each row, one JSON line each, as the planner emits them."""

    def __init__(self, path: Path, only_problems: bool = False, append: bool = False):
        # Closed in close(); appended to when an import in steps resumes.
        self.fh = open(path, "a" if append else "w", encoding="utf-8")  # noqa: SIM115
        # After confirming only rows with problems are kept: skip writing the others.
        self.only_problems = only_problems

    def __call__(self, row: Row, outcome: planner.Outcome) -> None:
        if self.only_problems and not (
            row.errors or row.warnings or outcome.errors or outcome.warnings
        ):
            return
        line = {
            "n": row.number,
            "s": outcome.status,
            "t": outcome.target,
            "d": _display(row),
            # The file's own cells are needed only to give back the rejected rows.
            "c": row.cells if outcome.status == "rejected" else [],
            "e": [p.to_json() for p in (*row.errors, *outcome.errors)],
            "w": [p.to_json() for p in (*row.warnings, *outcome.warnings)],
        }
        self.fh.write(json.dumps(line, default=_json_default, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.fh.close()


# ----------------------------------------------------------------------- the batch


def _programme_options(detected: layouts.Detected, options: dict, today: date) -> dict:
    """Programme, target and period of an OpenSID aid list, from its Program sheet and
    what the operator chose. Raises PreviewError when the programme is not known."""
    sheet = detected.programme
    name = text(sheet.get("name"))
    code = options.get("programme") or planner.programme_from_name(name)
    if code not in NATIONAL_PROGRAMMES:
        raise PreviewError(
            _l(
                "The programme “%(name)s” is not recognised as one of the national "
                "programmes. Choose it in the list and upload the file again.",
                name=name or "?",
            ),
            field="programme",
        )
    target = text(sheet.get("target"))
    target = int(target) if target and is_whole(target) else vocab.TARGET_PERSON
    notes = []
    try:
        start = parse_date(sheet.get("start"), today=today, allow_future=True)
    except ValueProblem:
        start = None
    try:
        end = parse_date(sheet.get("end"), today=today, allow_future=True)
    except ValueProblem:
        end = None
    if start is None:
        start = today
        notes.append("no_start")
    if end is not None and end < start:
        end = None
    return {
        "programme": code,
        "programme_name": name,
        "target": target,
        "period_start": start.isoformat(),
        "period_end": end.isoformat() if end else None,
        "notes": notes,
    }


def _plan(
    batch_layout: str,
    rows_path: Path,
    emit,
    options: dict,
    filename: str,
    today: date,
    step_rows: int | None = None,
):
    def rows():
        return _read_rows(rows_path)

    kind = layouts.BY_CODE[batch_layout].kind
    source = f"Impor {filename}"[:80]
    if kind == "person":
        # In steps (a district's roster): only one step's lookups and writes in memory.
        return planner.plan_people(rows, emit, today=today, chunk_rows=step_rows)
    if kind == "participant":
        return planner.plan_participants(
            rows,
            emit,
            today=today,
            code=options["programme"],
            target=options["target"],
            period_start=date.fromisoformat(options["period_start"]),
            period_end=date.fromisoformat(options["period_end"])
            if options.get("period_end")
            else None,
            source=source,
        )
    if kind == "rtm":
        return planner.plan_rtm(rows, emit, today=today)
    return planner.plan_welfare(rows, emit, today=today, source=source)


def start_import(
    source,
    filename: str,
    *,
    actor,
    options: dict | None = None,
    max_bytes: int | None = None,
    today: date | None = None,
    preview: bool = True,
    step_rows: int | None = None,
) -> ImportBatch:
    """Keep an uploaded file (a path or a readable binary stream), read and check every
    row against the registry, and store the preview as a new ImportBatch.

    Raises PreviewError (with the form field it belongs to) when the file is too large,
    is not a spreadsheet, has an unknown layout or names an unknown programme.
    Nothing in the registry changes. With `preview=False` the rows are only read (the
    command line's --yes confirms at once, and confirming compares them anyway).
    `step_rows` plans a roster in steps of that many rows (`steps`), so that memory
    holds one step's writes, not the whole file's.
    """
    today = today or village_today()
    max_bytes = upload_limit() if max_bytes is None else max_bytes
    options = dict(options or {})
    expire_stale_batches()
    token = secrets.token_urlsafe(24)
    files = ("upload", "rows.jsonl", "preview.jsonl")
    try:
        size, digest = _keep_upload(source, token, max_bytes)
        detected, count = _read_file(token, size, max_bytes, options, today)
        if count == 0:
            raise PreviewError(_l("The file has a header row but no data rows."))
        summary = {"rows": count}
        if preview:
            writer = _PreviewWriter(_file(token, "preview.jsonl"))
            try:
                plan = _plan(
                    detected.layout.code, _file(token, "rows.jsonl"), writer, options, filename,
                    today, step_rows,
                )  # fmt: skip
            finally:
                writer.close()
            summary = plan.summary() | {"writes": plan.writes}
    except ImportFileError as exc:
        _remove(token, *files)
        raise PreviewError(exc.message) from None
    except BaseException:
        _remove(token, *files)
        db.session.rollback()
        raise
    db.session.rollback()  # the planner only read; end its snapshot
    summary["header"] = detected.header
    previous = db.session.scalar(
        select(ImportBatch.id)
        .where(ImportBatch.sha256 == digest, ImportBatch.status == "confirmed")
        .order_by(ImportBatch.confirmed_at.desc())
        .limit(1)
    )
    if previous is not None:
        summary["same_file_as"] = previous
    batch = ImportBatch(
        created_by_id=getattr(actor, "id", None),
        filename=os.path.basename(filename or "upload")[:200],
        sha256=digest,
        size=size,
        token=token,
        layout=detected.layout.code,
        status="previewed",
        summary=summary,
        options=_plain_options(options),
    )
    db.session.add(batch)
    db.session.commit()
    return batch


def _plain_options(options: dict) -> dict:
    return {k: v for k, v in options.items() if isinstance(v, str | int | list | type(None))}


def _keep_upload(source, token: str, max_bytes: int) -> tuple[int, str]:
    """Copy the upload to instance/uploads/<token>.upload; (size, sha256). Stops reading
    as soon as the file passes the limit."""
    upload = _file(token, "upload")
    digest = hashlib.sha256()
    size = 0
    with open(upload, "wb") as out:
        os.chmod(upload, 0o600)
        reader = open(source, "rb") if isinstance(source, str | Path) else source  # noqa: SIM115
        try:
            while chunk := reader.read(COPY_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise PreviewError(file_size_limit_message(max_bytes))
                digest.update(chunk)
                out.write(chunk)
        finally:
            if reader is not source:
                reader.close()
    return size, digest.hexdigest()


def _read_file(token: str, size: int, max_bytes: int, options: dict, today: date):
    """Recognise the layout and write every row, read, to <token>.rows.jsonl."""
    workbook = open_workbook(str(_file(token, "upload")), size, max_bytes)
    count = 0
    try:
        detected = layouts.detect(workbook)
        if detected.layout is layouts.OPENSID_BANTUAN:
            options.update(_programme_options(detected, options, today))
        with open(_file(token, "rows.jsonl"), "w", encoding="utf-8") as fh:
            for row in row_reading.data_rows(workbook, detected, today=today):
                fh.write(_dump_row(row) + "\n")
                count += 1
    finally:
        workbook.close()
    return detected, count


def expire_stale_batches(hours: int = STALE_HOURS) -> int:
    """Discard previews nobody confirmed within `hours`: their files hold personal data
    and should not wait in instance/uploads/ for ever. Returns how many."""
    cutoff = utcnow() - timedelta(hours=hours)
    stale = list(
        db.session.scalars(
            select(ImportBatch).where(
                ImportBatch.status == "previewed", ImportBatch.created_at < cutoff
            )
        )
    )
    for batch in stale:
        batch.status = "discarded"
        record("expire", "import_batch", batch.id, summary=batch.filename)
    db.session.commit()
    for batch in stale:
        _keep_only_problems(batch.token)
    return len(stale)


def get_batch(batch_id: int) -> ImportBatch | None:
    return db.session.get(ImportBatch, batch_id)


def recent_batches(limit: int = 50) -> list[ImportBatch]:
    return list(
        db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit))
    )


def _keep_error(batch_id: int, exc: Exception) -> None:
    """A failed confirmation: its own transaction rolled back, the error kept on the batch
    (shown on its page) and logged."""
    db.session.rollback()
    with write_transaction(db.session()):
        db.session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(error=f"{type(exc).__name__}: {exc}"[:300])
        )
    current_app.logger.exception("import batch %s failed", batch_id)


def confirm_import(batch: ImportBatch, *, actor, today: date | None = None) -> ImportBatch:
    """Write every valid row of a previewed batch in one transaction, with audit entries.

    The rows are compared with the registry again, so what is written is right even if
    the registry changed since the preview. Any failure rolls everything back and the
    batch stays waiting (with the error noted); raises ConfirmError then.
    """
    today = today or village_today()
    if batch.status != "previewed":
        raise ConfirmError(_l("This import has already been confirmed or discarded."))
    rows_path = _file(batch, "rows.jsonl")
    if not rows_path.exists():
        raise ConfirmError(_l("The uploaded file is no longer kept. Upload it again."))
    batch_id, token, layout = batch.id, batch.token, batch.layout
    options, filename = dict(batch.options or {}), batch.filename
    new_preview = _file(token, "confirm.jsonl")
    writer = _PreviewWriter(new_preview, only_problems=True)
    try:
        with write_transaction(db.session()):
            # Claim the batch first: a second confirmation (double click, two operators)
            # finds it taken and stops before writing anything.
            claimed = db.session.execute(
                update(ImportBatch)
                .where(ImportBatch.id == batch_id, ImportBatch.status == "previewed")
                .values(
                    status="confirmed",
                    confirmed_at=utcnow(),
                    confirmed_by_id=getattr(actor, "id", None),
                    error=None,
                )  # fmt: skip
            ).rowcount
            if not claimed:
                raise ConfirmError(_l("This import has already been confirmed or discarded."))
            plan = _plan(layout, rows_path, writer, options, filename, today)
            writer.close()
            summary_text = f"{layouts.BY_CODE[layout].code}: {filename}"
            planner.apply(plan, actor=actor, today=today, summary=summary_text)
            counts = plan.summary() | {
                "writes": plan.writes,
                "header": (batch.summary or {}).get("header", []),
            }
            db.session.execute(
                update(ImportBatch).where(ImportBatch.id == batch_id).values(summary=counts)
            )
            record(
                "import",
                "import_batch",
                batch_id,
                actor=actor,
                summary=summary_text,
                after={k: v for k, v in counts.items() if k != "header"} | {"layout": layout},
            )
    except ConfirmError:
        writer.close()
        _remove(token, "confirm.jsonl")
        raise
    except Exception as exc:
        writer.close()
        _remove(token, "confirm.jsonl")
        _keep_error(batch_id, exc)
        raise ConfirmError(
            _l("The import failed and nothing was written. The error has been logged.")
        ) from exc
    shutil.move(new_preview, _file(token, "preview.jsonl"))
    _keep_only_problems(token)
    db.session.expire_all()
    return db.session.get(ImportBatch, batch_id)


def discard_import(batch: ImportBatch, *, actor) -> None:
    """Drop a previewed batch and its files; nothing was written to the registry."""
    if batch.status != "previewed":
        raise ConfirmError(_l("This import has already been confirmed or discarded."))
    with write_transaction(db.session()):
        batch.status = "discarded"
        record("discard", "import_batch", batch.id, actor=actor, summary=batch.filename)
    _keep_only_problems(batch.token)


def _keep_only_problems(token: str) -> None:
    """After the decision, keep only the rows with problems: the rejected ones (for
    their download) and those with warnings (to follow up). The rest is deleted."""
    preview = _file(token, "preview.jsonl")
    if preview.exists():
        kept = _file(token, "problems.jsonl")
        with open(preview, encoding="utf-8") as src, open(kept, "w", encoding="utf-8") as out:
            for line in src:
                data = json.loads(line)
                if data["e"] or data["w"] or data["s"] == "rejected":
                    out.write(line)
    _remove(token, "upload", "rows.jsonl", "preview.jsonl")


__all__ = [
    "ROW_FILTERS",
    "ConfirmError",
    "PreviewError",
    "PreviewRow",
    "confirm_import",
    "discard_import",
    "preview_rows",
    "record_rejected_download",
    "rejected_rows_file",
    "start_import",
    "table_file",
    "uploads_dir",
]
