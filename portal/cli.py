"""`flask --app portal ...` commands: create-admin, seed-demo (backup and restore come
from portal/backup.py)."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db


def register(app: Flask) -> None:
    from portal.registry.cli import register as register_registry
    from portal.registry.importing.cli import register as register_import_registry

    register_import_registry(app)
    register_registry(app)
    from portal.backup import register as register_backup

    register_backup(app)

    @app.cli.command("create-admin")
    @click.option("--username", prompt=True)
    @click.option("--name", prompt=True)
    @click.option(
        "--role",
        default="admin",
        show_default=True,
        type=click.Choice(["admin", "operator", "auditor"]),
    )
    @click.password_option()
    def create_admin(username: str, name: str, role: str, password: str) -> None:
        """Create a staff account (admin by default)."""
        from portal.accounts.models import User
        from portal.accounts.passwords import password_problem
        from portal.accounts.services import create_user

        problem = password_problem(password)
        if problem is not None:
            raise click.BadParameter(str(problem), param_hint="password")
        exists = db.session.scalar(select(func.count()).where(User.username == username))
        if exists:
            raise click.ClickException(f"the username {username!r} is taken")
        create_user(name=name, role=role, password=password, username=username)
        db.session.commit()
        click.echo(f"Created {role} {username!r}.")

    @app.cli.command("seed-demo")
    @click.option(
        "--households",
        default=5000,
        show_default=True,
        help="How many demo households the registry gets (when it exists).",
    )
    def seed_demo(households: int) -> None:
        """Fill an empty database with demo content and print the staff logins."""
        from portal.devdata import village as demo

        logins = demo.seed(households=households)
        if logins is None:
            click.echo("The database already holds data: demo data not added.")
            return
        click.echo("Demo data added. Staff logins (shown once, keep them safe):")
        for role, username, password in logins:
            click.echo(f"  {role:9} username: {username:10} password: {password}")
