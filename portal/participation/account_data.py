"""What participation keeps about a resident, for "My account" and its download.

That they voted, never what: a ballot row names the ballot and whether the vote was the
resident's own or their household's. Survey answers, proposals, comments, supports and
flags are the resident's own words and choices, so they are shown as given.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import and_, bindparam, literal_column, null, or_, select, union_all

from portal.accounts.models import User
from portal.accounts.residents import register_data_source
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
from portal.registry.residents import household_id_for

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
@cache
def _votes_statement(with_household: bool):
    clause = and_(Ballot.per_household.is_(False), BallotVote.voter_key == bindparam("user_id"))
    if with_household:
        household = and_(
            Ballot.per_household.is_(True), BallotVote.voter_key == bindparam("household_id")
        )
        clause = or_(clause, household)
    return (
        select(Ballot.question_id, Ballot.question_en, Ballot.per_household)
        .join(BallotVote, BallotVote.ballot_id == Ballot.id)
        .where(clause)
        .order_by(Ballot.opens_at, Ballot.id)
    )


def votes(user: User) -> tuple[object, list[dict]]:
    """The ballots this account voted in (its own vote, or its household's)."""
    household_id = household_id_for(user)
    params = {"user_id": user.id}
    if household_id is not None:
        params["household_id"] = household_id
    ballots = db.session.execute(_votes_statement(household_id is not None), params)
    return _l("Votes (that you voted, never what)"), [
        {
            "ballot": localized(ballot, "question").text,
            "voted_as": _l("Your household") if ballot.per_household else _l("You"),
        }
        for ballot in ballots
    ]


def _answer_text(question: SurveyQuestion, answer: SurveyAnswer, lang: str):
    if answer.choice is not None:
        labels = question.choice_list(lang)
        return labels[answer.choice] if answer.choice < len(labels) else answer.choice
    return answer.number if answer.number is not None else answer.text


@cache
def _answers_statement():
    return (
        select(Survey, SurveyResponse.created_at, SurveyQuestion, SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.survey_id == Survey.id)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(SurveyResponse.user_id == bindparam("user_id"))
        .order_by(SurveyResponse.id, SurveyQuestion.position, SurveyAnswer.id)
    )


def survey_answers(user: User) -> tuple[object, list[dict]]:
    """Every answer this account gave, one row per answer."""
    lang = current_lang()
    rows = db.session.execute(_answers_statement(), {"user_id": user.id})
    return _l("Survey answers"), [
        {
            "survey": localized(survey, "title").text,
            "answered_on": created_at,
            "question": localized(question, "text").text,
            "answer": _answer_text(question, answer, lang),
        }
        for survey, created_at, question, answer in rows
    ]


# A resident's proposals, comments, supports and reported content: four sections read
# in one statement, each part's rows in the order it was written.
PROPOSALS, COMMENTS, SUPPORTS, FLAGS = 1, 2, 3, 4


@cache
def _writings_statement():
    def part(n: int):
        return literal_column(str(n)).label("part")

    user_id = bindparam("user_id")
    parts = union_all(
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
    return select(parts).order_by(parts.c.part, parts.c.id)


FLAGGED = {"proposal": _l("A proposal"), "comment": _l("A comment")}


def writings(user: User) -> list[tuple[object, list[dict]]]:
    """The sections "Your proposals", "Your comments", "Proposals you support" and
    "Content you reported to the moderators"."""
    found: dict[int, list[dict]] = {PROPOSALS: [], COMMENTS: [], SUPPORTS: [], FLAGS: []}
    for part, _id, name, at, text, hidden in db.session.execute(
        _writings_statement(), {"user_id": user.id}
    ):
        if part in (PROPOSALS, COMMENTS):
            row = {"proposal": name, "written_on": at, "text": text, "hidden_reason": hidden}
        elif part == SUPPORTS:
            row = {"proposal": name, "supported_on": at}
        else:
            row = {"proposal": FLAGGED.get(name, name), "text": text, "flagged_on": at}
        found[part].append(row)
    return [
        (_l("Your proposals"), found[PROPOSALS]),
        (_l("Your comments"), found[COMMENTS]),
        (_l("Proposals you support"), found[SUPPORTS]),
        (_l("Content you reported to the moderators"), found[FLAGS]),
    ]


def register() -> None:
    for source in (votes, survey_answers):
        register_data_source(source, FIELD_LABELS)
    register_data_source(writings, FIELD_LABELS, sections=True)
