"""Rules of participation: ballots, votes and results; surveys; proposals, supports,
comments, flags and moderation. Views and tests call these; none touches `request`.

Every write is one transaction. Votes, responses, supports and flags run inside
`write_transaction` (BEGIN IMMEDIATE on SQLite) and rely on unique constraints with
INSERT ... ON CONFLICT (both engines), so that racing requests from one voter leave
exactly one row. Counters (supports, comments, flags, responses) move by a relative
UPDATE in the same transaction as the row they count.
"""

from __future__ import annotations

import csv
import io
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    all_,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    union,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from portal.accounts.models import User
from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.models_base import utcnow
from portal.numbers import is_whole
from portal.participation.models import (
    METHODS,
    PROPOSAL_CATEGORIES,
    QUESTION_KINDS,
    RESULT_MODES,
    Ballot,
    BallotOption,
    BallotVote,
    BallotVoteChoice,
    ContentFlag,
    Proposal,
    ProposalComment,
    ProposalSupport,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    _aware,
)
from portal.privacy import mask_name
from portal.public.services import next_meeting
from portal.registry.models import Household, Membership

EDITORS = ("operator", "admin")
READERS = ("operator", "admin", "auditor")
AREA_MINIMUM = 5  # votes an RT/RW needs before its own figures are shown
PAGE_SIZE = 20


class ParticipationError(Exception):
    """A refused request; `message` is for the reader (lazy, put into words in their
    language), `field` names the form field it belongs beside."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


NOT_VERIFIED = _l(
    "Only verified residents of the village can take part. Verify your account first."
)


def _insert(session):
    """The dialect's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite)."""
    name = session.get_bind().dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert


def _require_verified(user: User) -> None:
    if user is None or user.role != "resident" or not user.is_verified:
        raise ParticipationError(NOT_VERIFIED)


def area_for(user: User) -> tuple[int | None, int | None, int | None]:
    """(household id, RT, RW) of a verified resident now, or Nones. One query: the
    same open membership `household_id_for` reads, joined to its household."""
    if not user.is_verified or user.person_id is None:
        return None, None, None
    row = db.session.execute(
        select(Household.id, Household.rt, Household.rw)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.person_id == user.person_id, Membership.end_date.is_(None))
    ).first()
    return (row.id, row.rt, row.rw) if row is not None else (None, None, None)


# --- ballots: rules -------------------------------------------------------------------


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
    opens_at, closes_at = _aware(data["opens_at"]), _aware(data["closes_at"])
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
    stmt = select(Ballot).order_by(Ballot.closes_at.desc())
    return list(db.session.scalars(stmt))


def results_visible(ballot: Ballot, now: datetime | None = None) -> bool:
    """Whether the public may see results: live ones while open, final ones once
    staff published them."""
    if ballot.results_published:
        return True
    return ballot.results_mode == "live" and ballot.has_opened(now)


# --- ballots: votes --------------------------------------------------------------------

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
        return _aware(self.opens_at) <= now

    def is_closed(self, now: datetime) -> bool:
        return _aware(self.closes_at) <= now


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
    if per_household:
        source = select(ballot.c.id, home.c.id, home.c.rt, home.c.rw).select_from(
            ballot.join(lives, at_home)
        )
    else:
        source = select(
            ballot.c.id, bindparam("user_id", type_=Integer), home.c.rt, home.c.rw
        ).select_from(ballot.outerjoin(lives, at_home))
    # SQLite needs the WHERE to tell the upsert's ON from a join's.
    source = source.where(
        ballot.c.id == bindparam("ballot_id"), ballot.c.updated_at == bindparam("updated_at")
    )
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = dialect_insert(vote).from_select(["ballot_id", "voter_key", "rt", "rw"], source)
    upsert = upsert.on_conflict_do_update(
        index_elements=["ballot_id", "voter_key"],
        set_={"rt": upsert.excluded.rt, "rw": upsert.excluded.rw},
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
    return list(
        db.session.scalars(
            select(BallotVoteChoice.option_id)
            .join(BallotVote, BallotVote.id == BallotVoteChoice.vote_id)
            .where(BallotVote.ballot_id == ballot.id, BallotVote.voter_key == key)
        )
    )


# --- ballots: results -------------------------------------------------------------------


@dataclass
class Area:
    rw: int | None
    rt: int | None
    voters: int
    counts: dict[int, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        rt = f"{self.rt:03d}" if self.rt is not None else "–"
        rw = f"{self.rw:03d}" if self.rw is not None else "–"
        return f"{rt}/{rw}"


@dataclass
class Results:
    ballot_id: int
    voters: int
    eligible: int
    counts: dict[int, int]
    areas: list[Area]
    hidden_areas: int
    hidden_voters: int
    computed_at: float

    def share(self, option_id: int) -> int:
        """Per cent of voters who chose the option (approval shares can add past 100)."""
        return round(self.counts.get(option_id, 0) * 100 / self.voters) if self.voters else 0

    @property
    def turnout(self) -> int:
        return round(self.voters * 100 / self.eligible) if self.eligible else 0


_RESULTS_KEY = "participation_results"


def _kept_results() -> dict[int, Results]:
    """This worker's computed results, per app (ballot ids of two apps never mix)."""
    return current_app.extensions.setdefault(_RESULTS_KEY, {})


def eligible_count(ballot: Ballot) -> int:
    """Who may vote: verified residents now (or the households they live in), together
    with everyone who has voted. A voter was eligible when the vote was taken even if
    they have since moved away or closed their account, so they stay counted, and
    turnout can never pass 100%."""
    verified = (User.role == "resident", User.verification_status == "verified", User.active)
    if ballot.per_household:
        keys = (
            select(Membership.household_id.label("key"))
            .join(User, User.person_id == Membership.person_id)
            .where(Membership.end_date.is_(None), *verified)
        )
    else:
        keys = select(User.id.label("key")).where(*verified)
    voted = select(BallotVote.voter_key.label("key")).where(BallotVote.ballot_id == ballot.id)
    both = union(keys, voted).subquery()
    return db.session.scalar(select(func.count()).select_from(both)) or 0


def suppress_small_areas(areas: list[Area], total: int) -> tuple[list[Area], int, int]:
    """Areas with fewer than AREA_MINIMUM votes are not shown. If what is left over
    (total minus the shown areas) is still 1 to 4 votes, the smallest shown areas are
    folded in too, so that nobody can subtract their way to a small group's votes."""
    shown = sorted((a for a in areas if a.voters >= AREA_MINIMUM), key=lambda a: a.voters)
    rest = total - sum(a.voters for a in shown)
    while 0 < rest < AREA_MINIMUM and shown:
        rest += shown.pop(0).voters
    shown.sort(key=lambda a: (a.rw or 0, a.rt or 0))
    return shown, len(areas) - len(shown), rest


def compute_results(ballot: Ballot) -> Results:
    """Counts per option, voters, turnout, and the RT/RW breakdown: aggregates only."""
    voters = db.session.scalar(
        select(func.count()).select_from(BallotVote).where(BallotVote.ballot_id == ballot.id)
    )
    counts = dict(
        db.session.execute(
            select(BallotVoteChoice.option_id, func.count())
            .join(BallotOption, BallotOption.id == BallotVoteChoice.option_id)
            .where(BallotOption.ballot_id == ballot.id)
            .group_by(BallotVoteChoice.option_id)
        ).all()
    )
    areas = {
        (rw, rt): Area(rw, rt, n)
        for rw, rt, n in db.session.execute(
            select(BallotVote.rw, BallotVote.rt, func.count())
            .where(BallotVote.ballot_id == ballot.id)
            .group_by(BallotVote.rw, BallotVote.rt)
        )
    }
    shown, hidden, hidden_voters = suppress_small_areas(list(areas.values()), voters or 0)
    if shown:
        for rw, rt, option_id, n in db.session.execute(
            select(BallotVote.rw, BallotVote.rt, BallotVoteChoice.option_id, func.count())
            .join(BallotVote, BallotVote.id == BallotVoteChoice.vote_id)
            .where(BallotVote.ballot_id == ballot.id)
            .group_by(BallotVote.rw, BallotVote.rt, BallotVoteChoice.option_id)
        ):
            area = areas.get((rw, rt))
            if area is not None:
                area.counts[option_id] = n
    return Results(
        ballot.id,
        voters or 0,
        eligible_count(ballot),
        counts,
        shown,
        hidden,
        hidden_voters,
        time.monotonic(),
    )


def results(ballot: Ballot, now: datetime | None = None) -> Results:
    """The results, kept per worker: a closed ballot's never change; an open one's are
    recomputed at most every PARTICIPATION_RESULTS_SECONDS (and at once in the worker
    that took a vote)."""
    cached = _kept_results().get(ballot.id)
    ttl = current_app.config.get("PARTICIPATION_RESULTS_SECONDS", 5)
    if cached is not None:
        if ballot.is_closed(now) and cached.computed_at >= _closed_mark(ballot):
            return cached
        if time.monotonic() - cached.computed_at < ttl:
            return cached
    fresh = compute_results(ballot)
    _kept_results()[ballot.id] = fresh
    return fresh


def _closed_mark(ballot: Ballot) -> float:
    """The monotonic clock at the ballot's closing time: results computed after it
    are final."""
    return time.monotonic() - (utcnow() - _aware(ballot.closes_at)).total_seconds()


def results_csv(ballot: Ballot, lang: str) -> str:
    """Final results as CSV: option, cost, votes, share, then the areas shown."""
    from portal.i18n import localized

    res = results(ballot)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["option", "cost", "votes", "share_percent"])
    for option in ballot.options:
        writer.writerow(
            [
                str(localized(option, "label", lang)),
                option.cost if option.cost is not None else "",
                res.counts.get(option.id, 0),
                res.share(option.id),
            ]
        )
    writer.writerow([])
    writer.writerow(["voters", res.voters])
    writer.writerow(["eligible", res.eligible])
    writer.writerow(["turnout_percent", res.turnout])
    if res.areas:
        writer.writerow([])
        writer.writerow(["rt_rw", "voters", *[f"option_{o.position + 1}" for o in ballot.options]])
        for area in res.areas:
            writer.writerow(
                [area.label, area.voters, *[area.counts.get(o.id, 0) for o in ballot.options]]
            )
    return out.getvalue()


# --- surveys ---------------------------------------------------------------------------


def save_survey(survey: Survey | None, data: dict, actor: User) -> Survey:
    created = survey is None
    if created:
        survey = Survey(created_by_id=actor.id, status="draft")
        db.session.add(survey)
    for key in ("title_id", "title_en", "intro_id", "intro_en"):
        setattr(survey, key, data.get(key) or ("" if key == "intro_id" else None))
    db.session.flush()
    record("survey.create" if created else "survey.update", "survey", survey.id, actor=actor)
    db.session.commit()
    return survey


def add_question(survey: Survey, data: dict, actor: User) -> SurveyQuestion:
    """Add a question to a draft survey."""
    if survey.status != "draft":
        raise ParticipationError(_l("Questions can be changed only while the survey is a draft."))
    kind = data.get("kind")
    if kind not in QUESTION_KINDS:
        raise ParticipationError(_l("Choose a kind of question."), "kind")
    question = SurveyQuestion(
        survey_id=survey.id,
        position=len(survey.questions),
        kind=kind,
        text_id=data["text_id"],
        text_en=data.get("text_en") or None,
        choices_id=data.get("choices_id") or "",
        choices_en=data.get("choices_en") or None,
        required=bool(data.get("required")),
    )
    if kind in ("single", "multiple"):
        n = len(question.choice_list("id"))
        if n < 2:
            raise ParticipationError(_l("Give at least two choices, one per line."), "choices_id")
        if question.choices_en and len(question.choice_list("en")) != n:
            raise ParticipationError(
                _l("Give as many English choices as Indonesian ones."), "choices_en"
            )
    else:
        question.choices_id, question.choices_en = "", None
    db.session.add(question)
    db.session.flush()
    record("survey.add_question", "survey", survey.id, actor=actor)
    db.session.commit()
    return question


def remove_question(survey: Survey, question_id: int, actor: User) -> None:
    if survey.status != "draft":
        raise ParticipationError(_l("Questions can be changed only while the survey is a draft."))
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        raise ParticipationError(_l("No such question."))
    db.session.delete(question)
    record("survey.remove_question", "survey", survey.id, actor=actor)
    db.session.commit()


def set_survey_status(survey: Survey, status: str, actor: User) -> None:
    allowed = {("draft", "open"), ("open", "closed")}
    if (survey.status, status) not in allowed:
        raise ParticipationError(_l("That step is not possible now."))
    if status == "open" and not survey.questions:
        raise ParticipationError(_l("Add at least one question first."))
    survey.status = status
    record(f"survey.{status}", "survey", survey.id, actor=actor)
    db.session.commit()


def has_answered(survey: Survey, user: User) -> bool:
    return (
        db.session.scalar(
            select(SurveyResponse.id).where(
                SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == user.id
            )
        )
        is not None
    )


def check_answers(survey: Survey, raw: dict[int, list[str]]) -> tuple[list[dict], dict[int, str]]:
    """Parse raw form values per question id into answer rows; errors per question."""
    rows, errors = [], {}
    for q in survey.questions:
        values = [v.strip() for v in raw.get(q.id, []) if v and v.strip()]
        if not values:
            if q.required:
                errors[q.id] = _l("Please answer this question.")
            continue
        if q.kind in ("single", "multiple"):
            n = len(q.choice_list("id"))
            picked = []
            for v in values:
                if not is_whole(v) or len(v) > 3 or int(v) >= n:
                    errors[q.id] = _l("Choose one of the answers given.")
                    break
                if int(v) not in picked:
                    picked.append(int(v))
            if q.kind == "single" and len(picked) > 1:
                errors[q.id] = _l("Choose one answer.")
            if q.id not in errors:
                rows += [{"question_id": q.id, "choice": c} for c in picked]
        elif q.kind == "number":
            text = values[0].replace(".", "").replace(",", "")
            if not is_whole(text.removeprefix("-")) or len(text) > 12:
                errors[q.id] = _l("Enter a whole number.")
            else:
                rows.append({"question_id": q.id, "number": int(text)})
        else:
            if len(values[0]) > 500:
                errors[q.id] = _l("At most %(max)d characters.", max=500)
            else:
                rows.append({"question_id": q.id, "text": values[0]})
    return rows, errors


ANSWERED = _l("You have already answered this survey. Thank you!")


def submit_response(survey_id: int, user: User, raw: dict[int, list[str]]) -> dict[int, str]:
    """Store a resident's answers, once. Returns errors per question id (empty: saved)."""
    _require_verified(user)
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.status != "open":
        raise ParticipationError(_l("This survey is not open."))
    rows, errors = check_answers(survey, raw)
    if errors:
        return errors
    _household, rt, rw = area_for(user)
    with write_transaction(db.session) as session:
        stmt = (
            _insert(session)(SurveyResponse)
            .values(survey_id=survey_id, user_id=user.id, rt=rt, rw=rw, created_at=utcnow())
            .on_conflict_do_nothing()
            .returning(SurveyResponse.id)
        )
        response_id = session.execute(stmt).scalar()
        if response_id is None:
            raise ParticipationError(ANSWERED)
        if rows:
            session.execute(
                insert(SurveyAnswer), [{"response_id": response_id, **row} for row in rows]
            )
        session.execute(
            update(Survey)
            .where(Survey.id == survey_id)
            .values(responses_count=Survey.responses_count + 1)
        )
    return {}


@dataclass
class QuestionSummary:
    question: SurveyQuestion
    answered: int
    counts: list[int] = field(default_factory=list)
    numbers: dict = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)

    def pct(self, count: int) -> int:
        return round(count * 100 / self.answered) if self.answered else 0


def survey_summary(survey: Survey) -> list[QuestionSummary]:
    """Per question: how many answered, counts per choice, number statistics, and the
    latest short texts. Three grouped queries, whatever the number of questions."""
    qids = [q.id for q in survey.questions]
    answered = dict(
        db.session.execute(
            select(SurveyAnswer.question_id, func.count(func.distinct(SurveyAnswer.response_id)))
            .where(SurveyAnswer.question_id.in_(qids))
            .group_by(SurveyAnswer.question_id)
        ).all()
    )
    choices = db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.choice, func.count())
        .where(SurveyAnswer.question_id.in_(qids), SurveyAnswer.choice.is_not(None))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.choice)
    ).all()
    numbers = {
        qid: {"min": lo, "max": hi, "mean": avg}
        for qid, lo, hi, avg in db.session.execute(
            select(
                SurveyAnswer.question_id,
                func.min(SurveyAnswer.number),
                func.max(SurveyAnswer.number),
                func.avg(SurveyAnswer.number),
            )
            .where(SurveyAnswer.question_id.in_(qids), SurveyAnswer.number.is_not(None))
            .group_by(SurveyAnswer.question_id)
        )
    }
    out = []
    for q in survey.questions:
        summary = QuestionSummary(q, answered.get(q.id, 0))
        if q.kind in ("single", "multiple"):
            summary.counts = [0] * len(q.choice_list("id"))
            for qid, choice, n in choices:
                if qid == q.id and choice < len(summary.counts):
                    summary.counts[choice] = n
        elif q.kind == "number":
            summary.numbers = numbers.get(q.id, {})
        else:
            summary.texts = list(
                db.session.scalars(
                    select(SurveyAnswer.text)
                    .where(SurveyAnswer.question_id == q.id)
                    .order_by(SurveyAnswer.id.desc())
                    .limit(20)
                )
            )
        out.append(summary)
    return out


def answer_rows(survey: Survey) -> tuple[list[str], list[list]]:
    """Every response as one row, without names or user ids: a running number, RT,
    RW, then one column per question (multiple choices joined with "; ")."""
    questions = survey.questions
    header = ["response", "rt", "rw", *[f"Q{i + 1} {q.text_id}" for i, q in enumerate(questions)]]
    responses = db.session.execute(
        select(SurveyResponse.id, SurveyResponse.rt, SurveyResponse.rw)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyResponse.id)
    ).all()
    answers: dict[int, dict[int, list]] = {}
    for response_id, question_id, choice, number, text in db.session.execute(
        select(
            SurveyAnswer.response_id,
            SurveyAnswer.question_id,
            SurveyAnswer.choice,
            SurveyAnswer.number,
            SurveyAnswer.text,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyAnswer.id)
    ):
        value = choice if choice is not None else number if number is not None else text
        answers.setdefault(response_id, {}).setdefault(question_id, []).append(value)
    rows = []
    for n, (response_id, rt, rw) in enumerate(responses, start=1):
        row = [n, rt, rw]
        given = answers.get(response_id, {})
        for q in questions:
            values = given.get(q.id, [])
            if q.kind in ("single", "multiple"):
                labels = q.choice_list("id")
                row.append("; ".join(labels[v] for v in values if v < len(labels)))
            else:
                row.append(values[0] if values else "")
        rows.append(row)
    return header, rows


def answers_csv(survey: Survey) -> str:
    header, rows = answer_rows(survey)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def answers_xlsx(survey: Survey) -> bytes:
    from openpyxl import Workbook

    header, rows = answer_rows(survey)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("answers")
    sheet.append(header)
    for row in rows:
        # A text that starts with = would be a formula in Excel: keep it text.
        sheet.append([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- proposals -------------------------------------------------------------------------


def create_proposal(user: User, data: dict) -> Proposal:
    """A verified resident's proposal; RT/RW default to their household's."""
    _require_verified(user)
    if data.get("category") not in PROPOSAL_CATEGORIES:
        raise ParticipationError(_l("Choose a category."), "category")
    _household, rt, rw = area_for(user)
    proposal = Proposal(
        author_id=user.id,
        author_label=mask_name(user.name),
        title=data["title"].strip(),
        description=data["description"].strip(),
        category=data["category"],
        rt=data.get("rt") or rt,
        rw=data.get("rw") or rw,
        supports_count=0,
        comments_count=0,
        flags_count=0,
    )
    db.session.add(proposal)
    db.session.commit()
    return proposal


def support_threshold() -> int:
    return int(current_app.config.get("PROPOSAL_SUPPORT_THRESHOLD", 10))


ALREADY_SUPPORTED = _l("You already support this proposal.")


def support(proposal_id: int, user: User) -> Proposal:
    """Support a proposal, once per resident (unique constraint). A proposal that
    reaches the threshold goes onto the next village meeting's agenda."""
    _require_verified(user)
    with write_transaction(db.session) as session:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None or proposal.is_hidden:
            raise ParticipationError(_l("No such proposal."))
        stmt = (
            _insert(session)(ProposalSupport)
            .values(proposal_id=proposal_id, user_id=user.id, created_at=utcnow())
            .on_conflict_do_nothing()
            .returning(ProposalSupport.id)
        )
        if session.execute(stmt).scalar() is None:
            raise ParticipationError(ALREADY_SUPPORTED)
        count = session.execute(
            update(Proposal)
            .where(Proposal.id == proposal_id)
            .values(supports_count=Proposal.supports_count + 1)
            .returning(Proposal.supports_count)
        ).scalar_one()
        if count >= support_threshold():
            meeting = next_meeting()
            if meeting is not None:
                session.execute(
                    update(Proposal)
                    .where(Proposal.id == proposal_id, Proposal.meeting_id.is_(None))
                    .values(meeting_id=meeting.id, scheduled_at=utcnow())
                )
    _bump_public_cache()
    db.session.expire_all()
    return db.session.get(Proposal, proposal_id)


def has_supported(proposal: Proposal, user: User) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            select(ProposalSupport.id).where(
                ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == user.id
            )
        )
        is not None
    )


def _bump_public_cache() -> None:
    # The meeting page (cached for anonymous visitors) lists scheduled proposals.
    from portal import cache

    if current_app.extensions.get(cache.EXTENSION) is not None:
        try:
            cache.bump_generation(current_app.instance_path)
        except OSError:
            current_app.logger.warning("participation: cannot tell the page cache")


def add_comment(proposal_id: int, user: User, body: str) -> ProposalComment:
    _require_verified(user)
    body = (body or "").strip()
    if not body:
        raise ParticipationError(_l("Please fill in this field."), "body")
    with write_transaction(db.session) as session:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None or proposal.is_hidden:
            raise ParticipationError(_l("No such proposal."))
        comment = ProposalComment(
            proposal_id=proposal_id,
            author_id=user.id,
            author_label=mask_name(user.name),
            body=body,
            flags_count=0,
        )
        session.add(comment)
        session.execute(
            update(Proposal)
            .where(Proposal.id == proposal_id)
            .values(comments_count=Proposal.comments_count + 1)
        )
    return comment


def _target(kind: str, target_id: int):
    model = {"proposal": Proposal, "comment": ProposalComment}.get(kind)
    item = db.session.get(model, target_id) if model else None
    if item is None:
        raise ParticipationError(_l("Nothing to report there."))
    return model, item


def flag(kind: str, target_id: int, user: User, reason: str = "") -> bool:
    """A resident reports abusive content, once per item; False if they already did."""
    _require_verified(user)
    model, _item = _target(kind, target_id)
    with write_transaction(db.session) as session:
        stmt = (
            _insert(session)(ContentFlag)
            .values(
                kind=kind,
                target_id=target_id,
                user_id=user.id,
                reason=(reason or "")[:300],
                created_at=utcnow(),
            )
            .on_conflict_do_nothing()
            .returning(ContentFlag.id)
        )
        if session.execute(stmt).scalar() is None:
            return False
        session.execute(
            update(model).where(model.id == target_id).values(flags_count=model.flags_count + 1)
        )
    return True


def hide(kind: str, target_id: int, actor: User, reason: str) -> None:
    """An operator hides abusive content; the reason is shown in its place."""
    reason = (reason or "").strip()
    if not reason:
        raise ParticipationError(_l("Give the reason, it is shown in place of the text."), "reason")
    _model, item = _target(kind, target_id)
    item.hidden_at = utcnow()
    item.hidden_reason = reason[:300]
    item.hidden_by_id = actor.id
    record(f"{kind}.hide", kind, target_id, actor=actor, summary=reason[:200])
    db.session.commit()
    _bump_public_cache()


def unhide(kind: str, target_id: int, actor: User) -> None:
    _model, item = _target(kind, target_id)
    item.hidden_at = item.hidden_reason = item.hidden_by_id = None
    record(f"{kind}.unhide", kind, target_id, actor=actor)
    db.session.commit()
    _bump_public_cache()


SORTS = ("support", "new")


def proposals_page(page: int = 1, sort: str = "support", category: str | None = None):
    """One page of visible proposals; counts come from the counter columns (no per-row
    queries). Returns a Flask-SQLAlchemy Pagination."""
    stmt = select(Proposal).where(Proposal.hidden_at.is_(None))
    if category in PROPOSAL_CATEGORIES:
        stmt = stmt.where(Proposal.category == category)
    if sort == "new":
        stmt = stmt.order_by(Proposal.created_at.desc(), Proposal.id.desc())
    else:
        stmt = stmt.order_by(Proposal.supports_count.desc(), Proposal.id.desc())
    return db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False, count=True)


def comments_for(proposal: Proposal) -> list[ProposalComment]:
    return list(
        db.session.scalars(
            select(ProposalComment)
            .where(ProposalComment.proposal_id == proposal.id)
            .order_by(ProposalComment.created_at, ProposalComment.id)
        )
    )


def flagged() -> tuple[list[Proposal], list[ProposalComment]]:
    """Reported items, most reported first, for the operators' queue."""
    proposals = list(
        db.session.scalars(
            select(Proposal).where(Proposal.flags_count > 0).order_by(Proposal.flags_count.desc())
        )
    )
    comments = list(
        db.session.scalars(
            select(ProposalComment)
            .where(ProposalComment.flags_count > 0)
            .order_by(ProposalComment.flags_count.desc())
        )
    )
    return proposals, comments


def meeting_proposals(meeting_id: int) -> list[Proposal]:
    """Proposals put on a meeting's agenda by their supports."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.meeting_id == meeting_id, Proposal.hidden_at.is_(None))
            .order_by(Proposal.supports_count.desc())
        )
    )


def open_surveys() -> list[Survey]:
    return list(db.session.scalars(select(Survey).where(Survey.status == "open")))


def surveys() -> list[Survey]:
    return list(db.session.scalars(select(Survey).order_by(Survey.id.desc())))
