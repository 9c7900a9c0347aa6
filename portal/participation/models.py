"""Residents' voice: priority ballots, needs surveys, proposals with supports and comments.

Once-only rules are database constraints: one `ballot_vote` per (ballot, voter key),
one survey response per (survey, user), one support per (proposal, user), one flag per
(kind, target, user).

Secrecy of the vote: a `ballot_vote` row says only that a voter key (a user id, or a
household id for household ballots) has voted, and from which RT/RW. Its choices are
kept in `ballot_vote_choice` so that the voter can see and change their own vote and
so that totals are always recomputed exactly from what is stored. No page, export or
audit entry ever reads choices together with a voter key: results are aggregates
(GROUP BY option, and by RT/RW only where an area has at least 5 votes), and the only
per-voter read is "my own current choice" for the logged-in voter.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import (
    ModeratedCommentMixin,
    TimestampMixin,
    UTCDateTime,
    as_utc,
    sql_in,
    utcnow,
)

METHODS = {
    "single": _l("Single choice"),
    "approval": _l("Approval (choose up to a number of options)"),
    "budget": _l("Budget (choose projects within a budget)"),
}
RESULT_MODES = {
    "hidden": _l("Hidden until published"),
    "live": _l("Live while open"),
}
QUESTION_KINDS = {
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "number": _l("Number"),
    "text": _l("Short text"),
}
SURVEY_STATUSES = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed")}
PROPOSAL_CATEGORIES = {
    "infrastructure": _l("Roads and infrastructure"),
    "water": _l("Water and sanitation"),
    "health": _l("Health"),
    "education": _l("Education"),
    "economy": _l("Economy and jobs"),
    "social": _l("Social assistance"),
    "environment": _l("Environment"),
    "other": _l("Other"),
}
FLAG_KINDS = ("proposal", "comment")


class Ballot(TimestampMixin, db.Model):
    """A priority ballot. Its rules (method, options, times, eligibility) are frozen
    once `opens_at` has passed: the service refuses every change after that."""

    __tablename__ = "ballot"
    __table_args__ = (
        CheckConstraint(sql_in("method", METHODS), name="method_known"),
        CheckConstraint(sql_in("results_mode", RESULT_MODES), name="results_mode_known"),
        CheckConstraint("closes_at > opens_at", name="times_ordered"),
        CheckConstraint("max_choices IS NULL OR max_choices >= 1", name="max_choices_positive"),
        CheckConstraint("budget IS NULL OR budget > 0", name="budget_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[str] = mapped_column(String(300))
    question_en: Mapped[str | None] = mapped_column(String(300))
    description_id: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(16), default="single")
    max_choices: Mapped[int | None] = mapped_column(Integer)
    budget: Mapped[int | None] = mapped_column(BigInteger)
    per_household: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    results_mode: Mapped[str] = mapped_column(String(16), default="hidden")
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    options = relationship(
        "BallotOption",
        order_by="BallotOption.position, BallotOption.id",
        cascade="all, delete-orphan",
        back_populates="ballot",
    )

    def _now(self, now):
        return now or utcnow()

    def has_opened(self, now: datetime | None = None) -> bool:
        return as_utc(self.opens_at) <= self._now(now)

    def is_open(self, now: datetime | None = None) -> bool:
        now = self._now(now)
        return as_utc(self.opens_at) <= now < as_utc(self.closes_at)

    def is_closed(self, now: datetime | None = None) -> bool:
        return as_utc(self.closes_at) <= self._now(now)

    @property
    def results_published(self) -> bool:
        return self.results_published_at is not None


class BallotOption(db.Model):
    __tablename__ = "ballot_option"
    __table_args__ = (CheckConstraint("cost IS NULL OR cost >= 0", name="cost_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label_id: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str | None] = mapped_column(String(200))
    cost: Mapped[int | None] = mapped_column(BigInteger)

    ballot = relationship("Ballot", back_populates="options")


class BallotVote(db.Model):
    """That a voter (user id, or household id on a household ballot) has voted, and
    where (RT/RW, for the area breakdown). Exactly one per voter key and ballot."""

    __tablename__ = "ballot_vote"
    __table_args__ = (UniqueConstraint("ballot_id", "voter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id", ondelete="CASCADE"))
    voter_key: Mapped[int] = mapped_column(Integer)
    # The account that cast (or last changed) the vote: on a household ballot the voter
    # key is the household, and this is what lets a vote cast under a stolen identity be
    # struck (portal/participation/identity.py). Never read together with the choices.
    cast_by: Mapped[int | None] = mapped_column(Integer)
    rt: Mapped[int | None] = mapped_column(Integer)
    rw: Mapped[int | None] = mapped_column(Integer)


class BallotVoteChoice(db.Model):
    __tablename__ = "ballot_vote_choice"
    __table_args__ = (UniqueConstraint("vote_id", "option_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("ballot_vote.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(
        ForeignKey("ballot_option.id", ondelete="CASCADE"), index=True
    )


class Survey(TimestampMixin, db.Model):
    __tablename__ = "survey"
    __table_args__ = (CheckConstraint(sql_in("status", SURVEY_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    intro_id: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    responses_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    questions = relationship(
        "SurveyQuestion",
        order_by="SurveyQuestion.position, SurveyQuestion.id",
        cascade="all, delete-orphan",
        back_populates="survey",
    )


class SurveyQuestion(db.Model):
    __tablename__ = "survey_question"
    __table_args__ = (CheckConstraint(sql_in("kind", QUESTION_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16), default="single")
    text_id: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str | None] = mapped_column(String(300))
    # Choices one per line, the same count in both languages.
    choices_id: Mapped[str] = mapped_column(Text, default="")
    choices_en: Mapped[str | None] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(Boolean, default=True)

    survey = relationship("Survey", back_populates="questions")

    def choice_list(self, lang: str = "id") -> list[str]:
        ids = [c.strip() for c in (self.choices_id or "").splitlines() if c.strip()]
        if lang == "en" and self.choices_en:
            ens = [c.strip() for c in self.choices_en.splitlines() if c.strip()]
            if len(ens) == len(ids):
                return ens
        return ids


class SurveyResponse(db.Model):
    """One per resident and survey, or one per invitation code: a response given with a
    distribution invitation's code has no account and a `respondent_key` (a keyed hash
    of the survey and the invitation, never the code itself), unique per survey.
    Exports leave out `user_id` and the key."""

    __tablename__ = "survey_response"
    __table_args__ = (
        UniqueConstraint("survey_id", "user_id"),
        Index("uq_survey_response_respondent_key", "survey_id", "respondent_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    rt: Mapped[int | None] = mapped_column(Integer)
    rw: Mapped[int | None] = mapped_column(Integer)
    respondent_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyAnswer(db.Model):
    """One value: a choice index (single, or one row per ticked multiple choice), a
    number or a text."""

    __tablename__ = "survey_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_question.id", ondelete="CASCADE"), index=True
    )
    choice: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(BigInteger)
    text: Mapped[str | None] = mapped_column(String(500))


class Proposal(TimestampMixin, db.Model):
    """A resident's idea. `supports_count` and `comments_count` are kept in the same
    transaction as the rows they count, so the list never counts per row."""

    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint(sql_in("category", PROPOSAL_CATEGORIES), name="category_known"),
        CheckConstraint("supports_count >= 0", name="supports_not_negative"),
        Index("ix_proposal_list", "hidden_at", "supports_count"),
        Index("ix_proposal_new", "hidden_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    author_label: Mapped[str] = mapped_column(String(120), default="")
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20), default="other")
    rt: Mapped[int | None] = mapped_column(Integer)
    rw: Mapped[int | None] = mapped_column(Integer)
    supports_count: Mapped[int] = mapped_column(Integer, default=0)
    comments_count: Mapped[int] = mapped_column(Integer, default=0)
    flags_count: Mapped[int] = mapped_column(Integer, default=0)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(String(300))
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    meeting = relationship("Meeting", lazy="joined")

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ProposalSupport(db.Model):
    __tablename__ = "proposal_support"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProposalComment(ModeratedCommentMixin, db.Model):
    __tablename__ = "proposal_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )


class ContentFlag(db.Model):
    """A resident's report of abusive content; once per person and item."""

    __tablename__ = "content_flag"
    __table_args__ = (
        CheckConstraint(sql_in("kind", FLAG_KINDS), name="kind_known"),
        UniqueConstraint("kind", "target_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
