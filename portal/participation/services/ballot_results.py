"""Results of a ballot: counts, shares, turnout, and per RT/RW only from five votes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, union

from portal import spreadsheet
from portal.accounts.models import User
from portal.extensions import db
from portal.models_base import as_utc, utcnow
from portal.participation.models import Ballot, BallotOption, BallotVote, BallotVoteChoice
from portal.participation.services.common import AREA_MINIMUM
from portal.registry.models import Membership


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
    # The ballot row's updated_at they were computed for: a change to the row (staff,
    # or votes struck, portal/participation/identity.py) makes every worker count again.
    stamp: datetime | None = None

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


def _voters(ballot: Ballot) -> int | None:
    return db.session.scalar(
        select(func.count()).select_from(BallotVote).where(BallotVote.ballot_id == ballot.id)
    )


def turnout_counts(ballot: Ballot) -> tuple[int, int]:
    """(voters, eligible) as `compute_results` counts them, without the rest."""
    return _voters(ballot) or 0, eligible_count(ballot)


def compute_results(ballot: Ballot) -> Results:
    """Counts per option, voters, turnout, and the RT/RW breakdown: aggregates only."""
    voters = _voters(ballot)
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
        ballot.updated_at,
    )


def results(ballot: Ballot, now: datetime | None = None) -> Results:
    """The results, kept per worker: a closed ballot's never change; an open one's are
    recomputed at most every PARTICIPATION_RESULTS_SECONDS (and at once in the worker
    that took a vote)."""
    cached = _kept_results().get(ballot.id)
    ttl = current_app.config.get("PARTICIPATION_RESULTS_SECONDS", 5)
    if cached is not None and cached.stamp == ballot.updated_at:
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
    return time.monotonic() - (utcnow() - as_utc(ballot.closes_at)).total_seconds()


def results_csv(ballot: Ballot, lang: str) -> str:
    """Final results as CSV: option, cost, votes, share, then the areas shown."""
    from portal.i18n import localized

    res = results(ballot)
    rows: list[list] = [["option", "cost", "votes", "share_percent"]]
    for option in ballot.options:
        rows.append(
            [
                str(localized(option, "label", lang)),
                option.cost if option.cost is not None else "",
                res.counts.get(option.id, 0),
                res.share(option.id),
            ]
        )
    rows += [[], ["voters", res.voters], ["eligible", res.eligible]]
    rows.append(["turnout_percent", res.turnout])
    if res.areas:
        rows.append([])
        rows.append(["rt_rw", "voters", *[f"option_{o.position + 1}" for o in ballot.options]])
        for area in res.areas:
            rows.append(
                [area.label, area.voters, *[area.counts.get(o.id, 0) for o in ballot.options]]
            )
    return spreadsheet.csv_text(rows)
