"""`flask training send-outbox` and `flask training remind` (run from cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.notify import outbox
from portal.training import services

cli = AppGroup("training", help="Training courses: messages and reminders.")


@cli.command("send-outbox")
@click.option("--limit", default=200, show_default=True, help="At most this many messages.")
def send_outbox(limit: int) -> None:
    """Send the queued messages that are due (failed ones are retried later)."""
    counts = outbox.send_due(limit=limit)
    click.echo(f"sent {counts['sent']}, failed {counts['failed']}")


@cli.command("remind")
def remind() -> None:
    """Queue reminders for tomorrow's sessions (once per place), then send them."""
    queued = services.queue_reminders()
    counts = outbox.send_due()
    click.echo(f"queued {queued} reminders; sent {counts['sent']}, failed {counts['failed']}")
