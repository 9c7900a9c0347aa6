"""Participation pages in the page cache (portal.cache): keep them fresh.

The overview, the proposals list, a proposal's page, a ballot's page and its results
are cached for anonymous visitors like the other public pages. The public cache
watches only its own tables, so this module watches the participation tables that
those pages show: a commit that changes a ballot or its options (staff), a proposal
(new, supported, commented, flagged, hidden: counters move by bulk UPDATE) or a comment
tells every worker at once through the cache's generation file.

Votes are deliberately not watched: at hundreds of votes a second they would empty
every public page of the site all the time. Live results are already computed at most
every PARTICIPATION_RESULTS_SECONDS per worker, so the ballot and results pages are
kept no longer than that (`results_seconds`), and a closing ballot shows as closed
within as long.
"""

from __future__ import annotations

from flask import current_app

from portal import cache
from portal.participation.models import Ballot, BallotOption, Proposal, ProposalComment


def results_seconds() -> int:
    """How long live results (and the pages that show them) may be reused."""
    return int(current_app.config.get("PARTICIPATION_RESULTS_SECONDS", 5))


def listen() -> None:
    """Watch the participation tables its cached pages show (votes deliberately not)."""
    cache.watch(Ballot, BallotOption, Proposal, ProposalComment)
