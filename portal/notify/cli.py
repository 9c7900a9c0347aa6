"""`flask notify send`: the sender, run by cron or as a worker of its own (`--loop`),
never by the web workers."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from portal.notify import outbox

cli = AppGroup("notify", help="The outbox of every feature: send the queued messages.")


@cli.command("send")
@click.option("--limit", default=500, show_default=True, help="Messages per round.")
@click.option("--loop", is_flag=True, help="Keep sending until stopped (a worker).")
@click.option("--pause", default=30, show_default=True, help="Seconds to wait when idle.")
def send(limit: int, loop: bool, pause: int) -> None:
    """Send the queued messages that are due (failed ones are retried later)."""
    while True:
        counts = outbox.send_due(limit=limit)
        click.echo(f"sent {counts['sent']}, failed {counts['failed']}")
        if not loop:
            return
        if counts["sent"] + counts["failed"] < limit:
            time.sleep(pause)
