"""Read-only programme data for other packages' forms."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.programmes.models import Programme


def names() -> list[tuple[int, str]]:
    """(id, Indonesian name) of every programme, by that name: the options of the staff
    forms' programme selects (two columns, not every programme with its texts)."""
    rows = db.session.execute(select(Programme.id, Programme.name_id).order_by(Programme.name_id))
    return [(row.id, row.name_id) for row in rows]
