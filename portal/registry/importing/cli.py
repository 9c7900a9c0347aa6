"""`flask --app portal import-registry FILE [--yes]`: the roster import on the server.

Without --yes it prints the preview (counts and the first problems) and asks before
writing. The file size limit is REGISTRY_IMPORT_CLI_MAX_BYTES (200 MiB), larger than
the upload page's, because an administrator on the server may import a whole
district's roster at once.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import click
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.i18n import lazy_gettext as _l
from portal.registry.importing import layouts, services, steps
from portal.registry.models import NATIONAL_PROGRAMMES

SHOWN_PROBLEMS = 20
COUNT_LABELS = (
    ("rows", _l("rows read")),
    ("households_new", _l("new households")),
    ("households_updated", _l("households changed")),
    ("households_unchanged", _l("households unchanged")),
    ("people_new", _l("new people")),
    ("people_updated", _l("people changed")),
    ("people_moved", _l("people moved to another household")),
    ("people_unchanged", _l("people unchanged")),
    ("enrolments_new", _l("new national-programme enrolments")),
    ("enrolments_updated", _l("enrolments changed")),
    ("enrolments_unchanged", _l("enrolments unchanged")),
    ("duplicates_in_file", _l("duplicates within the file")),
    ("conflicts", _l("NIKs the registry holds for someone else")),
    ("stale_enrolments", _l("dead, moved or missing people still enrolled")),
    ("rows_with_warnings", _l("rows with warnings")),
    ("rejected", _l("rows rejected")),
)


def register(app: Flask) -> None:
    @app.cli.command("import-registry")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True))
    @click.option("--yes", is_flag=True, help="Import without asking after the preview.")
    @click.option(
        "--programme",
        type=click.Choice(sorted(NATIONAL_PROGRAMMES)),
        help="National programme of an OpenSID aid list whose name is not recognised.",
    )
    @click.option(
        "--rejected",
        "rejected_path",
        type=click.Path(dir_okay=False, writable=True),
        help="Write the rejected rows with their reasons to this .xlsx or .csv file.",
    )
    @click.option("--max-mb", type=int, help="Largest file to accept, in MiB.")
    @click.option(
        "--commit-every",
        type=click.IntRange(min=1),
        help="Write a roster in steps of about this many rows, each committed on its own; "
        "an import stopped half-way resumes when the same file is imported again.",
    )
    def import_registry(path, yes, programme, rejected_path, max_mb, commit_every):
        """Import a roster or aid list (SIAK, OpenSID, welfare data) into the registry."""
        # No request, so no browser language: messages come in the portal's default one.
        with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "id")):
            _import(path, yes, programme, rejected_path, max_mb, commit_every)


def _confirm(batch, actor, commit_every):
    try:
        if commit_every and steps.can_step(batch):
            return steps.confirm_in_steps(batch, actor=actor, size=commit_every)
        return services.confirm_import(batch, actor=actor)
    except services.ConfirmError as exc:
        raise click.ClickException(str(exc.message)) from None


def _import(path, yes, programme, rejected_path, max_mb, commit_every) -> None:
    limit = max_mb * 1024 * 1024 if max_mb else services.cli_limit()
    actor = SimpleNamespace(id=None, name="flask import-registry")
    options = {"programme": programme} if programme else {}
    unfinished = steps.unfinished_batch(path) if commit_every else None
    if unfinished is not None:
        click.echo(
            _(
                "Resuming import batch %(id)d of this file after row %(row)d.",
                id=unfinished.id,
                row=unfinished.rows_done,
            )
        )
        _finish(_confirm(unfinished, actor, commit_every), True, rejected_path)
        return
    try:
        # With --yes there is no one to show a preview to: confirming compares the rows
        # with the registry anyway, so they are compared once, not twice.
        batch = services.start_import(
            path,
            os.path.basename(path),
            actor=None,
            options=options,
            max_bytes=limit,
            preview=not yes,
            step_rows=commit_every,
        )
    except services.PreviewError as exc:
        raise click.ClickException(str(exc.message)) from None
    if not yes:
        _print_summary(batch)
        if not click.confirm(_("Write these changes to the registry?")):
            services.discard_import(batch, actor=actor)
            click.echo(_("Nothing was imported."))
            return
    _finish(_confirm(batch, actor, commit_every), yes, rejected_path)


def _finish(batch, yes, rejected_path) -> None:
    if yes:
        _print_summary(batch)
    click.echo(
        _(
            "Imported: %(n)d changes written (import batch %(id)d).",
            n=batch.summary.get("writes", 0),
            id=batch.id,
        )  # fmt: skip
    )
    if rejected_path and batch.summary.get("rejected"):
        fmt = "csv" if rejected_path.lower().endswith(".csv") else "xlsx"
        data, _mime, _name = services.rejected_rows_file(batch, fmt)
        with open(rejected_path, "wb") as fh:
            fh.write(data)
        click.echo(_("Rejected rows written to %(path)s.", path=rejected_path))


def _print_summary(batch) -> None:
    layout = layouts.BY_CODE[batch.layout]
    click.echo(_("File: %(name)s (%(layout)s)", name=batch.filename, layout=layout.label))
    for name, label in COUNT_LABELS:
        if batch.summary.get(name):
            click.echo(f"  {str(label):48} {batch.summary[name]:>8}")
    rows, total = services.preview_rows(batch, "problems", per_page=SHOWN_PROBLEMS)
    for row in rows:
        problems = [*row.errors, *row.warnings]
        mark = "x" if row.status == "rejected" else "!"
        for item in problems:
            where = f" [{item.column}]" if item.column else ""
            click.echo(f"  {mark} {row.number:>6}{where} {item.text()}")
    if total > len(rows):
        click.echo(_("  … and %(n)d more rows with problems.", n=total - len(rows)))
