"""Read-only programme data for other packages' forms."""

from __future__ import annotations

from functools import cache

from sqlalchemy import select

from portal.database import read
from portal.extensions import db
from portal.programmes.models import Programme


def names() -> list[tuple[int, str]]:
    """(id, Indonesian name) of every programme, by that name: the options of the staff
    forms' programme selects (two columns, not every programme with its texts)."""
    return [(row.id, row.name_id) for row in read(db.session, _names_statement())]


@cache  # no per-request value: built once per process (with its cache key)
def _names_statement():
    return select(Programme.id, Programme.name_id).order_by(Programme.name_id)
