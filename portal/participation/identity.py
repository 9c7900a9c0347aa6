"""Votes and supports cast under a stolen identity are struck.

When the village office gives a registry person back to their real owner
(portal/registry/reclaim.py), the account that held the person loses what it did as
that person: its votes on one-per-person ballots (the voter key is the account), the
household votes it cast on household ballots for the households the person has lived
in (`BallotVote.cast_by`; votes from before that column existed cannot be told apart
and stay), and its proposal supports (the proposals' counters move with them).

The rows are deleted in the reclaim's transaction. Every struck ballot's row is touched
(`updated_at`), which makes every worker compute its results again (they are kept per
worker until the ballot row changes, `services.results`) and tells the public page
cache. Survey answers and the account's own proposals and comments are left as they
are: they are not counted as anyone's voice in a decision.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import and_, delete, or_, select, update

from portal.accounts.identity import Note, Revocation, identity_revoked
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.participation.models import (
    Ballot,
    BallotVote,
    BallotVoteChoice,
    Proposal,
    ProposalSupport,
)
from portal.registry.models import Membership


def _struck_votes(revocation: Revocation) -> list[tuple[int, int]]:
    """(vote id, ballot id) of the votes the account cast as the person."""
    personal = select(Ballot.id).where(Ballot.per_household.is_(False))
    per_household = select(Ballot.id).where(Ballot.per_household.is_(True))
    homes = select(Membership.household_id).where(Membership.person_id == revocation.person_id)
    rows = db.session.execute(
        select(BallotVote.id, BallotVote.ballot_id).where(
            or_(
                and_(
                    BallotVote.ballot_id.in_(personal),
                    BallotVote.voter_key == revocation.user_id,
                ),
                and_(
                    BallotVote.ballot_id.in_(per_household),
                    BallotVote.voter_key.in_(homes),
                    BallotVote.cast_by == revocation.user_id,
                ),
            )
        )
    ).all()
    return [(row.id, row.ballot_id) for row in rows]


def strike_votes(revocation: Revocation) -> list[Note]:
    votes = _struck_votes(revocation)
    if not votes:
        return []
    vote_ids = [vote_id for vote_id, _ballot in votes]
    ballot_ids = sorted({ballot_id for _vote, ballot_id in votes})
    db.session.execute(delete(BallotVoteChoice).where(BallotVoteChoice.vote_id.in_(vote_ids)))
    db.session.execute(delete(BallotVote).where(BallotVote.id.in_(vote_ids)))
    # Results are recomputed in every worker: they are kept only while the ballot row
    # has not changed.
    db.session.execute(
        update(Ballot)
        .where(Ballot.id.in_(ballot_ids))
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return [
        Note(
            _l(
                "%(count)d ballot votes struck (ballots %(ballots)s); their results are "
                "counted again.",
                count=len(vote_ids),
                ballots=", ".join(str(b) for b in ballot_ids),
            ),
            f"struck {len(vote_ids)} ballot votes on ballots {ballot_ids}",
        )
    ]


def strike_supports(revocation: Revocation) -> list[Note]:
    proposal_ids = list(
        db.session.scalars(
            select(ProposalSupport.proposal_id).where(ProposalSupport.user_id == revocation.user_id)
        )
    )
    if not proposal_ids:
        return []
    db.session.execute(delete(ProposalSupport).where(ProposalSupport.user_id == revocation.user_id))
    for proposal_id, count in sorted(Counter(proposal_ids).items()):
        db.session.execute(
            update(Proposal)
            .where(Proposal.id == proposal_id)
            .values(supports_count=Proposal.supports_count - count)
            .execution_options(synchronize_session=False)
        )
    ids = sorted(set(proposal_ids))
    return [
        Note(
            _l(
                "%(count)d proposal supports struck (proposals %(proposals)s).",
                count=len(proposal_ids),
                proposals=", ".join(str(p) for p in ids),
            ),
            f"struck {len(proposal_ids)} proposal supports on proposals {ids}",
        )
    ]


def _on_revoked(_sender, revocation: Revocation, **_extra) -> list[Note]:
    return [*strike_votes(revocation), *strike_supports(revocation)]


def listen() -> None:
    """Register with the accounts' hook (once per process; at app set-up)."""
    identity_revoked.connect(_on_revoked, weak=False)
