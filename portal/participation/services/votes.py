"""Votes: one row per (ballot, voter key), written in as few statements as possible."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask import current_app
from sqlalchemy import Integer, all_, and_, bindparam, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from portal.accounts.models import User
from portal.database import read, write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import as_utc, utcnow
from portal.participation.models import Ballot, BallotOption, BallotVote, BallotVoteChoice
from portal.participation.services.ballot_results import _kept_results
from portal.participation.services.common import (
    ParticipationError,
    _require_verified,
    area_for,
    owns_transaction,
)
from portal.registry.models import Household, Membership

HOUSEHOLD_MISSING = _l(
    "This ballot is one vote per household, and the registry has no "
    "household for you. Ask the village office."
)


def voter_key(ballot, user: User) -> tuple[int, int | None, int | None]:
    """(voter key, RT, RW): the user id, or the household id on a household ballot."""
    _require_verified(user)
    household_id, rt, rw = area_for(user)
    if ballot.per_household:
        if household_id is None:
            raise ParticipationError(HOUSEHOLD_MISSING)
        return household_id, rt, rw
    return user.id, rt, rw


@dataclass(frozen=True)
class BallotRules:
    """What a vote is checked against: a ballot's rules and its options' costs (by
    option id), as of `updated_at`. Read once per worker for an open ballot, whose
    rules can no longer change (see `ballot_rules`)."""

    id: int
    method: str
    max_choices: int | None
    budget: int | None
    per_household: bool
    opens_at: datetime
    closes_at: datetime
    updated_at: datetime
    costs: dict[int, int | None]

    def has_opened(self, now: datetime) -> bool:
        return as_utc(self.opens_at) <= now

    def is_closed(self, now: datetime) -> bool:
        return as_utc(self.closes_at) <= now


_RULES_KEY = "participation_ballot_rules"
_RULES_MAX = 64
_RULES_QUERY = (
    select(
        Ballot.id,
        Ballot.method,
        Ballot.max_choices,
        Ballot.budget,
        Ballot.per_household,
        Ballot.opens_at,
        Ballot.closes_at,
        Ballot.updated_at,
        BallotOption.id,
        BallotOption.cost,
    )
    .outerjoin(BallotOption, BallotOption.ballot_id == Ballot.id)
    .where(Ballot.id == bindparam("ballot_id"))
)


def ballot_rules(ballot_id: int, now: datetime | None = None, fresh: bool = False):
    """The rules of a ballot (BallotRules), or None if there is no such ballot.

    Kept per worker (in the app, so each app has its own) once the ballot is open:
    from then on the service refuses every change to it. A vote still proves the copy
    current, in the database, as it writes: its INSERT names the `updated_at` read
    here and writes nothing when the ballot row has moved on (then the rules are read
    again). `fresh` reads them again whatever is kept."""
    kept = current_app.extensions.setdefault(_RULES_KEY, {})
    if not fresh:
        rules = kept.get(ballot_id)
        if rules is not None:
            return rules
    rows = db.session.connection().execute(_RULES_QUERY, {"ballot_id": ballot_id}).all()
    if not rows:
        kept.pop(ballot_id, None)
        return None
    first = rows[0]
    rules = BallotRules(*first[:8], costs={row[8]: row[9] for row in rows if row[8] is not None})
    now = now or utcnow()
    if rules.has_opened(now) and not rules.is_closed(now):
        if len(kept) >= _RULES_MAX:
            kept.clear()
        kept[ballot_id] = rules
    else:
        kept.pop(ballot_id, None)
    return rules


def check_choice(ballot, option_ids) -> list[int]:
    """The chosen option ids, checked against the method; raises ParticipationError.
    `ballot` is a Ballot or its BallotRules."""
    costs = (
        ballot.costs if isinstance(ballot, BallotRules) else {o.id: o.cost for o in ballot.options}
    )
    chosen = []
    for raw in option_ids:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value not in costs:
            raise ParticipationError(_l("That option is not on this ballot."), "options")
        if value not in chosen:
            chosen.append(value)
    if not chosen:
        raise ParticipationError(_l("Choose an option."), "options")
    if ballot.method == "single" and len(chosen) != 1:
        raise ParticipationError(_l("Choose exactly one option."), "options")
    if ballot.method == "approval" and len(chosen) > (ballot.max_choices or 1):
        raise ParticipationError(
            _l("Choose at most %(count)d options.", count=ballot.max_choices), "options"
        )
    if ballot.method == "budget":
        total = sum(costs[i] or 0 for i in chosen)
        if total > ballot.budget:
            raise ParticipationError(
                _l(
                    "Your choice costs %(total)s, more than the budget of %(budget)s. "
                    "Remove a project.",
                    total=_Money(total),
                    budget=_Money(ballot.budget),
                ),
                "options",
            )
    return sorted(chosen)


class _Money:
    """Formats as rupiah in the reader's language when the message is put into words."""

    def __init__(self, amount: int):
        self.amount = amount

    def __str__(self) -> str:
        from portal.i18n import money

        return money(self.amount)


@contextmanager
def _vote_transaction():
    """The write of a vote. On SQLite, `write_transaction` (BEGIN IMMEDIATE: the write
    lock first). On PostgreSQL the upsert's row lock already orders one voter's racing
    requests, so the statements join the request's own (read committed) transaction and
    commit once: two round trips fewer than ending the reads' transaction first. Either
    way the commits keep what the request has loaded (the account: a vote does not
    change it) instead of expiring it, which saves reading the account again, once in
    the write and once more for the response's headers. Round trips are most of what a
    vote costs."""
    session = db.session()
    session.expire_on_commit = False
    try:
        with write_transaction(session, join_on_postgresql=True) as written:
            yield written
    finally:
        session.expire_on_commit = True


class UnknownBallot(ParticipationError):
    """The ballot does not exist (the view answers 404)."""


CLOSED = _l("This ballot has closed: votes are no longer accepted.")
NOT_OPEN = _l("This ballot is not open yet.")
NO_BALLOT = _l("No such ballot.")


def _checked(rules: BallotRules | None, user: User, option_ids, now: datetime) -> list[int]:
    """The rules of a vote, in the order a voter is told about them."""
    if rules is None:
        raise UnknownBallot(NO_BALLOT)
    if rules.is_closed(now):
        raise ParticipationError(CLOSED)
    if not rules.has_opened(now):
        raise ParticipationError(NOT_OPEN)
    _require_verified(user)
    return check_choice(rules, option_ids)


_VOTE_STATEMENTS: dict[tuple[str, bool], tuple] = {}


def _vote_statements(dialect: str, per_household: bool) -> tuple:
    """(upsert of the ballot row, replacement of its choices) for a dialect, built once
    per process: from one vote to the next only the parameters change, and SQLAlchemy
    keeps the compiled SQL.

    The upsert is an INSERT ... SELECT: the SELECT reads the voter's RT/RW (and, on a
    household ballot, the household as the voter key) from their open membership, and
    yields a row only while the ballot row is still the one the rules were read from
    (`updated_at`). ON CONFLICT on the unique (ballot, voter key) turns it into the
    replacement of the voter's row, and locks that row until the commit, so one voter's
    racing requests take turns. On PostgreSQL the choices are replaced by one statement
    (the rows no longer chosen deleted in a WITH, the chosen ones inserted unless kept);
    it runs after the upsert got the lock, so it sees what an earlier request of the same
    voter committed. On SQLite (one writer at a time) a DELETE and an INSERT."""
    key = (dialect, per_household)
    built = _VOTE_STATEMENTS.get(key)
    if built is not None:
        return built
    vote, choice = BallotVote.__table__, BallotVoteChoice.__table__
    ballot, member, home = Ballot.__table__, Membership.__table__, Household.__table__
    lives = member.join(home, home.c.id == member.c.household_id)
    at_home = and_(member.c.person_id == bindparam("person_id"), member.c.end_date.is_(None))
    caster = bindparam("user_id", type_=Integer)
    if per_household:
        source = select(ballot.c.id, home.c.id, caster, home.c.rt, home.c.rw).select_from(
            ballot.join(lives, at_home)
        )
    else:
        source = select(ballot.c.id, caster, caster, home.c.rt, home.c.rw).select_from(
            ballot.outerjoin(lives, at_home)
        )
    # SQLite needs the WHERE to tell the upsert's ON from a join's.
    source = source.where(
        ballot.c.id == bindparam("ballot_id"), ballot.c.updated_at == bindparam("updated_at")
    )
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = dialect_insert(vote).from_select(
        ["ballot_id", "voter_key", "cast_by", "rt", "rw"], source
    )
    upsert = upsert.on_conflict_do_update(
        index_elements=["ballot_id", "voter_key"],
        set_={
            "cast_by": upsert.excluded.cast_by,
            "rt": upsert.excluded.rt,
            "rw": upsert.excluded.rw,
        },
    ).returning(vote.c.id)
    if dialect == "postgresql":
        chosen = bindparam("chosen", type_=postgresql.ARRAY(Integer))
        gone = (
            delete(choice)
            .where(choice.c.vote_id == bindparam("vote_id"), choice.c.option_id != all_(chosen))
            .cte("gone")
        )
        choices = (
            postgresql.insert(choice)
            .from_select(
                ["vote_id", "option_id"],
                select(bindparam("vote_id", type_=Integer), func.unnest(chosen)),
            )
            .on_conflict_do_nothing(index_elements=["vote_id", "option_id"])
            .add_cte(gone)
        )
    else:
        choices = (
            delete(choice).where(choice.c.vote_id == bindparam("vote_id")),
            insert(choice),
        )
    built = _VOTE_STATEMENTS[key] = (upsert, choices)
    return built


def _write_vote(session, rules: BallotRules, user: User, chosen: list[int]) -> int | None:
    """Upsert the voter's row and replace its choices; None when nothing was written
    (the ballot changed since its rules were read, or a household ballot and the
    voter has no household)."""
    connection = session.connection()
    dialect = connection.dialect.name
    upsert, choices = _vote_statements(dialect, rules.per_household)
    vote_id = connection.execute(
        upsert,
        {
            "ballot_id": rules.id,
            "updated_at": rules.updated_at,
            "person_id": user.person_id,
            "user_id": user.id,
        },
    ).scalar()
    if vote_id is None:
        return None
    if dialect == "postgresql":
        connection.execute(choices, {"vote_id": vote_id, "chosen": chosen})
    else:
        remove, add = choices
        connection.execute(remove, {"vote_id": vote_id})
        connection.execute(add, [{"vote_id": vote_id, "option_id": o} for o in chosen])
    return vote_id


@owns_transaction
def cast_vote(ballot_id: int, user: User, option_ids, now: datetime | None = None) -> list[int]:
    """Record (or replace) the voter's ballot. One row per voter key, whatever races:
    the row is an upsert on the unique (ballot, voter key), which also locks it, and
    its choices are replaced in the same transaction.

    The rules come from the worker's copy of an open ballot (`ballot_rules`): no query.
    The upsert writes only if the ballot row is still the one they were read from;
    otherwise, and before any refusal, the rules are read again and the vote decided
    on those."""
    now = now or utcnow()
    with _vote_transaction() as session:
        rules = current_app.extensions.get(_RULES_KEY, {}).get(ballot_id)
        fresh = rules is None
        for _attempt in range(3):
            if fresh:
                rules = ballot_rules(ballot_id, now, fresh=True)
            try:
                chosen = _checked(rules, user, option_ids, now)
            except ParticipationError:
                if fresh:
                    raise
                fresh = True  # refused only on rules read again
                continue
            if _write_vote(session, rules, user, chosen) is not None:
                break
            if fresh and rules.per_household:
                voter_key(rules, user)  # no household: refused with its own message
            fresh = True  # the ballot row moved on: read its rules again
        else:
            raise UnknownBallot(NO_BALLOT)
    _kept_results().pop(ballot_id, None)
    return chosen


def my_choice(ballot: Ballot, user: User) -> list[int]:
    """The voter's own current choice (for changing it); empty if none. The only read
    of choices by voter, and only ever for the voter themselves."""
    try:
        key, _rt, _rw = voter_key(ballot, user)
    except ParticipationError:
        return []
    params = {"ballot_id": ballot.id, "key": key}
    return list(read(db.session, _my_choice_statement(), params).scalars())


@cache  # built once per process (with its cache key); the values as parameters
def _my_choice_statement():
    return (
        select(BallotVoteChoice.option_id)
        .join(BallotVote, BallotVote.id == BallotVoteChoice.vote_id)
        .where(
            BallotVote.ballot_id == bindparam("ballot_id"),
            BallotVote.voter_key == bindparam("key"),
        )
    )
