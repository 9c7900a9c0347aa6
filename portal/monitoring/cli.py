"""`flask monitoring snapshot` (run from cron at the end of each year)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.models_base import village_today
from portal.monitoring.services.snapshots import take_snapshot

cli = AppGroup("monitoring", help="Monitoring: the yearly snapshot of need levels.")


@cli.command("snapshot")
@click.option("--year", type=int, default=None, help="The year (this year if not given).")
def snapshot(year: int | None) -> None:
    """Copy every household's need level into the year's snapshot (once per household)."""
    year = year or village_today().year
    added = take_snapshot(year)
    click.echo(f"snapshot {year}: {added} households added")
