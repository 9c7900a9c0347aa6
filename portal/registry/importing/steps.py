"""Confirming a large roster in steps, resumable after a kill: a district's import.

`services.confirm_import` writes a batch in ONE transaction: all or nothing, right for
the upload page, but a 1,000,000-row roster then holds every planned write in memory
and a kill (power cut, out of memory, an impatient operator) loses all of it.
`confirm_in_steps` plans and writes the rows a step of about `size` rows at a time
(`planner.plan_people(..., chunk_rows=size)`), each step in its own transaction with
its audit entries, and advances the batch's `rows_done` in the same transaction with
a conditional UPDATE (from the count the step started at): a second process on the
same batch finds it moved and stops, and a step is never written twice. After a kill
the batch is still "previewed" with `rows_done` rows written: `unfinished_batch()`
finds it by the file's SHA-256 and `confirm_in_steps` goes on after those rows (the
command line does this when the same file is imported again). Only rosters (SIAK,
OpenSID residents) are imported in steps; other layouts use one transaction.

The rows written by finished steps stay if a later step fails: the batch keeps its
error and waits to be resumed. Counts of a resumed import are those of both runs
together (saved with each step).
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date

from sqlalchemy import select, update

from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow, village_today
from portal.registry.importing import layouts, planner
from portal.registry.importing.batch_files import _file, _remove
from portal.registry.importing.models import ImportBatch
from portal.registry.importing.services import (
    ConfirmError,
    _keep_error,
    _keep_only_problems,
    _PreviewWriter,
    _read_rows,
)

DEFAULT_STEP_ROWS = 20_000


def can_step(batch: ImportBatch) -> bool:
    """Whether the batch's layout is imported in steps (the rosters)."""
    return layouts.BY_CODE[batch.layout].kind == "person"


def file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def unfinished_batch(path: str) -> ImportBatch | None:
    """The latest batch of this same file (by SHA-256) that an import in steps left
    half-written, if its rows are still kept."""
    batch = db.session.scalar(
        select(ImportBatch)
        .where(
            ImportBatch.sha256 == file_digest(path),
            ImportBatch.status == "previewed",
            ImportBatch.rows_done > 0,
        )
        .order_by(ImportBatch.id.desc())
        .limit(1)
    )
    if batch is None or not _file(batch, "rows.jsonl").exists():
        return None
    return batch


def _claim_step(batch_id: int, done_before: int, values: dict) -> None:
    """Advance the batch from `done_before` rows, or stop: another process moved it."""
    claimed = db.session.execute(
        update(ImportBatch)
        .where(
            ImportBatch.id == batch_id,
            ImportBatch.status == "previewed",
            ImportBatch.rows_done == done_before,
        )
        .values(**values)
    ).rowcount
    if not claimed:
        raise ConfirmError(
            _l("This import has been confirmed, discarded or resumed by someone else meanwhile.")
        )


def _problems_writer(token: str, start: int, progress: dict) -> _PreviewWriter:
    """The file of the rows' problems, appended to: a resumed run keeps what finished
    steps wrote and drops the lines of a step that did not commit."""
    problems = _file(token, "confirm.jsonl")
    if start and problems.exists():
        with open(problems, "r+b") as fh:
            fh.truncate(progress.get("problems_bytes", 0))
    elif problems.exists():
        problems.unlink()
    return _PreviewWriter(problems, only_problems=True, append=True)


def _finish(batch_id: int, done: int, counts: dict, *, actor, layout, summary_text, size, start):
    """The batch confirmed, audited, in one transaction (unless another process moved it)."""
    with write_transaction(db.session()):
        _claim_step(
            batch_id,
            done,
            {
                "status": "confirmed",
                "confirmed_at": utcnow(),
                "confirmed_by_id": getattr(actor, "id", None),
                "summary": counts,
                "error": None,
            },
        )
        record(
            "import",
            "import_batch",
            batch_id,
            actor=actor,
            summary=summary_text,
            after={k: v for k, v in counts.items() if k != "header"}
            | {"layout": layout, "steps_of": size, "resumed_at_row": start},
        )


def _failed(batch_id: int, exc: Exception, done: int) -> ConfirmError:
    """Keep the error on the batch (the finished steps stay) and say where it stopped."""
    _keep_error(batch_id, exc)
    return ConfirmError(
        _l(
            "The import stopped after row %(row)d; the rows before it are written. "
            "Run it again to resume.",
            row=done,
        )
    )


def confirm_in_steps(
    batch: ImportBatch, *, actor, size: int = DEFAULT_STEP_ROWS, today: date | None = None
) -> ImportBatch:
    """Write a previewed roster batch in steps of about `size` rows, resuming after the
    rows an earlier run wrote. Raises ConfirmError when it cannot go on; what finished
    steps wrote stays, and running it again resumes."""
    today = today or village_today()
    if batch.status != "previewed":
        raise ConfirmError(_l("This import has already been confirmed or discarded."))
    if not can_step(batch):
        raise ValueError("only rosters are imported in steps")
    rows_path = _file(batch, "rows.jsonl")
    if not rows_path.exists():
        raise ConfirmError(_l("The uploaded file is no longer kept. Upload it again."))
    batch_id, token, layout, filename = batch.id, batch.token, batch.layout, batch.filename
    base = dict(batch.summary or {})
    progress = base.pop("progress", {})
    start = batch.rows_done
    writer = _problems_writer(token, start, progress)
    summary_text = f"{layouts.BY_CODE[layout].code}: {filename}"
    state = {"done": start}
    db.session.rollback()

    def step(plan: planner.Plan, done: int) -> None:
        writer.fh.flush()
        saved = {
            "counts": plan.summary(),
            "writes": plan.writes,
            "problems_bytes": writer.fh.tell(),
        }
        with write_transaction(db.session()):
            values = {"rows_done": done, "summary": base | {"progress": saved}}
            _claim_step(batch_id, state["done"], values)
            planner.apply(plan, actor=actor, today=today, summary=summary_text)
        state["done"] = done

    try:
        plan = planner.plan_people(
            lambda: _read_rows(rows_path),
            writer,
            today=today,
            chunk_rows=size,
            on_chunk=step,
            skip=start,
            counts=progress.get("counts"),
            writes=progress.get("writes", 0),
        )
        writer.close()
        counts = plan.summary() | {"writes": plan.writes, "header": base.get("header", [])}
        _finish(
            batch_id,
            state["done"],
            counts,
            actor=actor,
            layout=layout,
            summary_text=summary_text,
            size=size,
            start=start,
        )
    except ConfirmError:
        writer.close()
        raise
    except Exception as exc:
        writer.close()
        raise _failed(batch_id, exc, state["done"]) from exc
    except BaseException:  # killed (Ctrl-C): the finished steps stay, resumable
        writer.close()
        raise
    shutil.move(_file(token, "confirm.jsonl"), _file(token, "preview.jsonl"))
    _keep_only_problems(token)
    _remove(token, "confirm.jsonl")
    db.session.expire_all()
    return db.session.get(ImportBatch, batch_id)


__all__ = ["DEFAULT_STEP_ROWS", "can_step", "confirm_in_steps", "file_digest", "unfinished_batch"]
