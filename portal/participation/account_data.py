"""What participation keeps about a resident, for "My account" and its download.

That they voted, never what: a ballot row names the ballot and whether the vote was the
resident's own or their household's. Survey answers, proposals, comments, supports and
flags are the resident's own words and choices, so they are shown as given.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import (
    and_,
    bindparam,
    case,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)

from portal.accounts.models import User
from portal.accounts.residents import register_data_source
from portal.database import read
from portal.extensions import db
from portal.i18n import current_lang, localized
from portal.i18n import lazy_gettext as _l
from portal.participation.models import (
    Ballot,
    BallotVote,
    ContentFlag,
    Proposal,
    ProposalComment,
    ProposalSupport,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from portal.registry.models import Membership

FIELD_LABELS = {
    "ballot": _l("Ballot"),
    "voted_as": _l("Voted"),
    "survey": _l("Survey"),
    "answered_on": _l("Answered on"),
    "question": _l("Question"),
    "answer": _l("Answer"),
    "proposal": _l("Proposal"),
    "written_on": _l("Written on"),
    "text": _l("Text"),
    "hidden_reason": _l("Hidden by a moderator because"),
    "supported_on": _l("Supported on"),
    "flagged_on": _l("Reported on"),
}


# The statements below are built once per process (with their cache keys); the
# account's ids are parameters.


def votes(user: User) -> tuple[object, list[dict]]:
    """The ballots this account voted in (its own vote, or its household's)."""
    return participation(user)[0]


def _vote_row(question_id: str, question_en: str | None, per_household, lang: str) -> dict:
    # localized(ballot, "question").text, of the row's two columns.
    text = question_en if lang == "en" and question_en else question_id or ""
    return {"ballot": text, "voted_as": _l("Your household") if per_household else _l("You")}


def _answer_text(question, answer, lang: str):
    if answer.choice is not None:
        # SurveyQuestion.choice_list of the row's choices_id and choices_en.
        labels = SurveyQuestion.choice_list(question, lang)
        return labels[answer.choice] if answer.choice < len(labels) else answer.choice
    return answer.number if answer.number is not None else answer.text


@cache
def _answers_statement():
    return (
        select(
            Survey.title_id,
            Survey.title_en,
            SurveyResponse.created_at,
            SurveyQuestion.text_id,
            SurveyQuestion.text_en,
            SurveyQuestion.choices_id,
            SurveyQuestion.choices_en,
            SurveyAnswer.choice,
            SurveyAnswer.number,
            SurveyAnswer.text,
        )
        .join(SurveyResponse, SurveyResponse.survey_id == Survey.id)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(SurveyResponse.user_id == bindparam("user_id"))
        .order_by(SurveyResponse.id, SurveyQuestion.position, SurveyAnswer.id)
    )


def survey_answers(user: User) -> tuple[object, list[dict]]:
    """Every answer this account gave, one row per answer."""
    lang = current_lang()
    rows = read(db.session, _answers_statement(), {"user_id": user.id})
    return _l("Survey answers"), [
        {
            "survey": localized(row, "title").text,
            "answered_on": row.created_at,
            "question": localized(row, "text").text,
            "answer": _answer_text(row, row, lang),
        }
        for row in rows
    ]


# A resident's votes, proposals, comments, supports and reported content: five sections
# read in one statement, each part's rows in the order it was written (the votes in the
# order of their ballots).
VOTES, PROPOSALS, COMMENTS, SUPPORTS, FLAGS = 0, 1, 2, 3, 4


@cache
def _writings_statement(with_household: bool):
    def part(n: int):
        return literal_column(str(n)).label("part")

    user_id = bindparam("user_id")
    own = and_(Ballot.per_household.is_(False), BallotVote.voter_key == user_id)
    if with_household:
        # The household the resident lives in now (registry.residents.household_id_for).
        household = (
            select(Membership.household_id)
            .where(Membership.person_id == bindparam("person_id"), Membership.end_date.is_(None))
            .limit(1)
            .scalar_subquery()
        )
        own = or_(own, and_(Ballot.per_household.is_(True), BallotVote.voter_key == household))
    parts = union_all(
        select(
            part(VOTES),
            Ballot.id,
            Ballot.question_id.label("title"),
            Ballot.opens_at.label("sort_at"),
            Ballot.question_en.label("text"),
            case((Ballot.per_household.is_(True), literal("h")), else_=null()).label("extra"),
        )
        .join(BallotVote, BallotVote.ballot_id == Ballot.id)
        .where(own),
        select(
            part(PROPOSALS),
            Proposal.id,
            Proposal.title,
            Proposal.created_at,
            Proposal.description,
            Proposal.hidden_reason,
        ).where(Proposal.author_id == user_id),
        select(
            part(COMMENTS),
            ProposalComment.id,
            Proposal.title,
            ProposalComment.created_at,
            ProposalComment.body,
            ProposalComment.hidden_reason,
        )
        .join(Proposal, Proposal.id == ProposalComment.proposal_id)
        .where(ProposalComment.author_id == user_id),
        select(
            part(SUPPORTS),
            ProposalSupport.id,
            Proposal.title,
            ProposalSupport.created_at,
            null(),
            null(),
        )
        .join(Proposal, Proposal.id == ProposalSupport.proposal_id)
        .where(ProposalSupport.user_id == user_id),
        select(
            part(FLAGS),
            ContentFlag.id,
            ContentFlag.kind,
            ContentFlag.created_at,
            ContentFlag.reason,
            null(),
        ).where(ContentFlag.user_id == user_id),
    ).subquery()
    # The votes by their ballots' opening (then id); the other parts by id.
    by_opening = case((parts.c.part == VOTES, parts.c.sort_at), else_=null())
    return select(parts).order_by(parts.c.part, by_opening, parts.c.id)


FLAGGED = {"proposal": _l("A proposal"), "comment": _l("A comment")}


def writings(user: User) -> list[tuple[object, list[dict]]]:
    """The sections "Your proposals", "Your comments", "Proposals you support" and
    "Content you reported to the moderators"."""
    return participation(user)[2:]


def participation(user: User) -> list[tuple[object, list[dict]]]:
    """Every section: the votes, the survey answers, then `writings`' four; in two
    statements."""
    with_household = bool(user.is_verified and user.person_id is not None)
    params = {"user_id": user.id}
    if with_household:
        params["person_id"] = user.person_id
    lang = current_lang()
    found: dict[int, list[dict]] = {
        VOTES: [],
        PROPOSALS: [],
        COMMENTS: [],
        SUPPORTS: [],
        FLAGS: [],
    }
    for part, _id, name, at, text, other in read(
        db.session, _writings_statement(with_household), params
    ):
        if part == VOTES:
            row = _vote_row(name, text, other, lang)
        elif part in (PROPOSALS, COMMENTS):
            row = {"proposal": name, "written_on": at, "text": text, "hidden_reason": other}
        elif part == SUPPORTS:
            row = {"proposal": name, "supported_on": at}
        else:
            row = {"proposal": FLAGGED.get(name, name), "text": text, "flagged_on": at}
        found[part].append(row)
    return [
        (_l("Votes (that you voted, never what)"), found[VOTES]),
        survey_answers(user),
        (_l("Your proposals"), found[PROPOSALS]),
        (_l("Your comments"), found[COMMENTS]),
        (_l("Proposals you support"), found[SUPPORTS]),
        (_l("Content you reported to the moderators"), found[FLAGS]),
    ]


def register() -> None:
    register_data_source(participation, FIELD_LABELS, sections=True)
