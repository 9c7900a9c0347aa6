"""Read-only participation data for other features (a CSR need may name the ballot
that decided it). They read it here, never through participation's tables."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.participation.models import Ballot


def ballot_questions() -> list[tuple[int, str]]:
    """(id, Indonesian question) of every ballot, the latest closing first."""
    rows = db.session.execute(
        select(Ballot.id, Ballot.question_id).order_by(Ballot.closes_at.desc())
    )
    return [(row.id, row.question_id) for row in rows]
