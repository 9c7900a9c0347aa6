"""What other features add to distribution's pages, registered by them: distribution
imports none of them (docs/architecture.md, Layers). Monitoring registers the open
survey a finished round's evaluation links (`register_round_survey`), which the public
round page reads with the round, in the same statement."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, null

_round_survey: list[Callable[[ColumnElement], ColumnElement]] = []


def register_round_survey(column: Callable[[ColumnElement], ColumnElement]) -> None:
    """`column(round_id)`: a scalar subquery of the id of the open survey the evaluation
    of the round `round_id` (a column of the round's statement) links, NULL without one.
    Registered once, before the first round page (the statement is built once)."""
    if column not in _round_survey:
        _round_survey[:] = [column]


def round_survey(round_id: ColumnElement) -> ColumnElement:
    """The registered survey column of the round, or NULL with none registered."""
    return _round_survey[0](round_id) if _round_survey else null()
