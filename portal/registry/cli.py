"""`flask --app portal registry ...`: registry commands for the server's administrator."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from portal.registry.rescoring import rescore_all

cli = AppGroup("registry", help="The recipient registry.")


@cli.command("rescore")
def rescore() -> None:
    """Apply the current scoring rules to every household (audited; safe to repeat)."""
    result = rescore_all()
    click.echo(
        f"{result.households} households checked: {result.changed} rescored, "
        f"{result.need_level_changed} changed need level."
    )


def register(app: Flask) -> None:
    app.cli.add_command(cli)
