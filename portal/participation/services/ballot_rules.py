"""Ballots: their rules (options, method, opening and closing), frozen once open."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.audit.services import record
from portal.database import read
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import as_utc, utcnow
from portal.numbers import is_whole
from portal.participation.models import METHODS, RESULT_MODES, Ballot, BallotOption
from portal.participation.services.common import ParticipationError, owns_transaction


def parse_options(text: str) -> list[dict]:
    """One option per line: `label in Indonesian | label in English | cost`.

    The English label and the cost may be left out. Raises ParticipationError."""
    options = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        label_id = parts[0]
        label_en = parts[1] if len(parts) > 1 and parts[1] else None
        cost = None
        if len(parts) > 2 and parts[2]:
            digits = parts[2].replace(".", "").replace(",", "").replace(" ", "")
            if not is_whole(digits) or len(digits) > 15:
                raise ParticipationError(
                    _l("Line %(line)d: the cost must be a whole number of rupiah.", line=number),
                    "options",
                )
            cost = int(digits)
        if not label_id or len(label_id) > 200 or (label_en and len(label_en) > 200):
            raise ParticipationError(
                _l("Line %(line)d: each label needs 1 to 200 characters.", line=number),
                "options",
            )
        options.append({"label_id": label_id, "label_en": label_en, "cost": cost})
    return options


def options_text(ballot: Ballot) -> str:
    """The options back in the form's one-per-line format."""
    lines = []
    for o in ballot.options:
        parts = [o.label_id, o.label_en or ""]
        if o.cost is not None:
            parts.append(str(o.cost))
        lines.append(" | ".join(parts).rstrip(" |"))
    return "\n".join(lines)


RULE_FIELDS = (
    "question_id",
    "question_en",
    "description_id",
    "description_en",
    "method",
    "max_choices",
    "budget",
    "per_household",
    "opens_at",
    "closes_at",
    "results_mode",
)
LOCKED = _l("This ballot is already open: its rules can no longer be changed.")


@owns_transaction
def save_ballot(ballot: Ballot | None, data: dict, actor: User, now: datetime | None = None):
    """Create a ballot or change one that has not opened yet. `data` holds RULE_FIELDS
    and `options` (a list from parse_options). Once a ballot has opened, nothing in it
    can change any more: refused here, whatever the form did."""
    now = now or utcnow()
    if ballot is not None and ballot.has_opened(now):
        raise ParticipationError(LOCKED)
    options = data.get("options") or []
    method = data.get("method")
    if method not in METHODS:
        raise ParticipationError(_l("Choose a voting method."), "method")
    if data.get("results_mode") not in RESULT_MODES:
        raise ParticipationError(_l("Choose when results are shown."), "results_mode")
    if len(options) < 2:
        raise ParticipationError(_l("A ballot needs at least two options."), "options")
    opens_at, closes_at = as_utc(data["opens_at"]), as_utc(data["closes_at"])
    if closes_at <= opens_at:
        raise ParticipationError(_l("The ballot must close after it opens."), "closes_at")
    if ballot is None and opens_at < now - timedelta(minutes=5):
        raise ParticipationError(_l("The opening time cannot be in the past."), "opens_at")
    max_choices = data.get("max_choices")
    budget = data.get("budget")
    if method == "approval":
        if not max_choices or not 1 <= max_choices <= len(options):
            raise ParticipationError(
                _l("Give how many options a voter may choose (1 to the number of options)."),
                "max_choices",
            )
    else:
        max_choices = None
    if method == "budget":
        if not budget or budget <= 0:
            raise ParticipationError(_l("Give the total budget."), "budget")
        if any(o["cost"] is None for o in options):
            raise ParticipationError(_l("Every option needs a cost on a budget ballot."), "options")
    else:
        budget = None
    values = {k: data.get(k) for k in RULE_FIELDS}
    values.update(max_choices=max_choices, budget=budget, opens_at=opens_at, closes_at=closes_at)
    values["description_id"] = values["description_id"] or ""
    values["per_household"] = bool(values["per_household"])
    created = ballot is None
    if created:
        ballot = Ballot(created_by_id=actor.id)
        db.session.add(ballot)
    for key, value in values.items():
        setattr(ballot, key, value)
    # Every save moves updated_at, a change of the options alone too: a vote's upsert
    # names the updated_at of the rules it was checked against (see ballot_rules).
    ballot.updated_at = utcnow()
    ballot.options.clear()
    db.session.flush()
    for position, option in enumerate(options):
        ballot.options.append(BallotOption(position=position, **option))
    db.session.flush()
    record(
        "ballot.create" if created else "ballot.update",
        "ballot",
        ballot.id,
        actor=actor,
        summary=ballot.question_id[:200],
    )
    db.session.commit()
    return ballot


@owns_transaction
def publish_results(ballot_id: int, actor: User, now: datetime | None = None) -> Ballot:
    """Publish the final results of a closed ballot (with the CSV download)."""
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None:
        raise ParticipationError(_l("No such ballot."))
    if not ballot.is_closed(now):
        raise ParticipationError(_l("Final results can be published only after the ballot closes."))
    if ballot.results_published_at is None:
        ballot.results_published_at = utcnow()
        record("ballot.publish_results", "ballot", ballot.id, actor=actor)
    db.session.commit()
    return ballot


def ballots(visible_only: bool = False) -> list[Ballot]:
    return list(db.session.scalars(_ballots_statement()))


@cache  # built once per process (with its cache key)
def _ballots_statement():
    return select(Ballot).order_by(Ballot.closes_at.desc())


class BallotRow(NamedTuple):
    """What the staff list shows of a ballot."""

    id: int
    question_id: str
    method: str
    opens_at: datetime
    closes_at: datetime
    results_published: bool
    state: str  # "open", "closed" or "not_open": Ballot.is_open / is_closed, when read


def ballot_rows() -> list[BallotRow]:
    """`ballots()` as plain rows of what the staff list shows (latest closing first):
    one statement built once, past the ORM's loading of whole ballots."""
    now = utcnow()
    rows = []
    for id_, question, method, opens, closes, published_at in read(
        db.session, _ballot_rows_statement()
    ):
        opens, closes = as_utc(opens), as_utc(closes)
        state = "closed" if closes <= now else "open" if opens <= now else "not_open"
        rows.append(
            BallotRow(id_, question, method, opens, closes, published_at is not None, state)
        )
    return rows


@cache  # built once per process (with its cache key)
def _ballot_rows_statement():
    return select(
        Ballot.id,
        Ballot.question_id,
        Ballot.method,
        Ballot.opens_at,
        Ballot.closes_at,
        Ballot.results_published_at,
    ).order_by(Ballot.closes_at.desc())


def ballot_with_options(ballot_id: int) -> Ballot | None:
    """The ballot with its options loaded (one statement, built once), or None."""
    return db.session.scalars(_with_options_statement(), {"ballot_id": ballot_id}).unique().first()


@cache  # built once per process (with its cache key); the ballot bound
def _with_options_statement():
    return (
        select(Ballot)
        .options(joinedload(Ballot.options))
        .where(Ballot.id == bindparam("ballot_id"))
    )


def results_visible(ballot: Ballot, now: datetime | None = None) -> bool:
    """Whether the public may see results: live ones while open, final ones once
    staff published them."""
    if ballot.results_published:
        return True
    return ballot.results_mode == "live" and ballot.has_opened(now)
