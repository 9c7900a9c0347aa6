"""Read-only participation data for other features (a CSR need may name the ballot
that decided it). They read it here, never through participation's tables."""

from __future__ import annotations

from functools import cache

from sqlalchemy import select

from portal.database import read
from portal.extensions import db
from portal.participation.models import Ballot, Survey


def ballot_questions() -> list[tuple[int, str]]:
    """(id, Indonesian question) of every ballot, the latest closing first."""
    return [(row.id, row.question_id) for row in read(db.session, _ballot_questions_statement())]


@cache  # no per-request value: built once per process (with its cache key)
def _ballot_questions_statement():
    return select(Ballot.id, Ballot.question_id).order_by(Ballot.closes_at.desc())


def turnout_between(start, end) -> tuple[int, int]:
    """(voters, eligible) summed over the ballots that closed in [start, end), each
    counted as its results count them (participation's own rule)."""
    from portal.participation.services import ballot_results

    voters = eligible = 0
    for ballot in db.session.scalars(
        select(Ballot).where(Ballot.closes_at >= start, Ballot.closes_at < end)
    ):
        ballot_voters, ballot_eligible = ballot_results.turnout_counts(ballot)
        voters += ballot_voters
        eligible += ballot_eligible
    return voters, eligible


def survey(survey_id: int) -> Survey | None:
    """A survey by id (the monitoring evaluation links one per round or year)."""
    return db.session.get(Survey, survey_id)


def open_survey_statement(survey_id):
    """The survey `survey_id` names (a bound value or another feature's scalar
    subquery) while it is open: one statement where asking for the id first took two."""
    return select(Survey).where(Survey.id == survey_id, Survey.status == "open")
