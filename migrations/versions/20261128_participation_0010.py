"""participation: ballots, votes, surveys, proposals

One ballot per voter key (unique), one survey response per user, one support per
user and proposal, one flag per user and item: all unique constraints.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
CATEGORIES = (
    "('infrastructure', 'water', 'health', 'education', 'economy', 'social', "
    "'environment', 'other')"
)


def _stamps():
    return [
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    ]


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def _pk(table):
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def upgrade():
    op.create_table(
        "ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(300), nullable=False),
        sa.Column("question_en", sa.String(300), nullable=True),
        sa.Column("description_id", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("max_choices", sa.Integer(), nullable=True),
        sa.Column("budget", sa.BigInteger(), nullable=True),
        sa.Column("per_household", sa.Boolean(), nullable=False),
        sa.Column("opens_at", TZ, nullable=False),
        sa.Column("closes_at", TZ, nullable=False),
        sa.Column("results_mode", sa.String(16), nullable=False),
        sa.Column("results_published_at", TZ, nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "method IN ('single', 'approval', 'budget')", name=op.f("ck_ballot_method_known")
        ),
        sa.CheckConstraint(
            "results_mode IN ('hidden', 'live')", name=op.f("ck_ballot_results_mode_known")
        ),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_ballot_times_ordered")),
        sa.CheckConstraint(
            "max_choices IS NULL OR max_choices >= 1", name=op.f("ck_ballot_max_choices_positive")
        ),
        sa.CheckConstraint("budget IS NULL OR budget > 0", name=op.f("ck_ballot_budget_positive")),
        _fk("ballot", "created_by_id", "user_account", "SET NULL"),
        _pk("ballot"),
    )
    op.create_index(op.f("ix_ballot_opens_at"), "ballot", ["opens_at"])
    op.create_table(
        "ballot_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.String(200), nullable=False),
        sa.Column("label_en", sa.String(200), nullable=True),
        sa.Column("cost", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "cost IS NULL OR cost >= 0", name=op.f("ck_ballot_option_cost_not_negative")
        ),
        _fk("ballot_option", "ballot_id", "ballot", "CASCADE"),
        _pk("ballot_option"),
    )
    op.create_index(op.f("ix_ballot_option_ballot_id"), "ballot_option", ["ballot_id"])
    op.create_table(
        "ballot_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", sa.Integer(), nullable=False),
        sa.Column("rt", sa.Integer(), nullable=True),
        sa.Column("rw", sa.Integer(), nullable=True),
        _fk("ballot_vote", "ballot_id", "ballot", "CASCADE"),
        _pk("ballot_vote"),
        sa.UniqueConstraint(
            "ballot_id", "voter_key", name=op.f("uq_ballot_vote_ballot_id_voter_key")
        ),
    )
    op.create_table(
        "ballot_vote_choice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        _fk("ballot_vote_choice", "vote_id", "ballot_vote", "CASCADE"),
        _fk("ballot_vote_choice", "option_id", "ballot_option", "CASCADE"),
        _pk("ballot_vote_choice"),
        sa.UniqueConstraint(
            "vote_id", "option_id", name=op.f("uq_ballot_vote_choice_vote_id_option_id")
        ),
    )
    op.create_index(op.f("ix_ballot_vote_choice_option_id"), "ballot_vote_choice", ["option_id"])

    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=True),
        sa.Column("intro_id", sa.Text(), nullable=False),
        sa.Column("intro_en", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("responses_count", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'closed')", name=op.f("ck_survey_status_known")
        ),
        _fk("survey", "created_by_id", "user_account", "SET NULL"),
        _pk("survey"),
    )
    op.create_table(
        "survey_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text_id", sa.String(300), nullable=False),
        sa.Column("text_en", sa.String(300), nullable=True),
        sa.Column("choices_id", sa.Text(), nullable=False),
        sa.Column("choices_en", sa.Text(), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('single', 'multiple', 'number', 'text')",
            name=op.f("ck_survey_question_kind_known"),
        ),
        _fk("survey_question", "survey_id", "survey", "CASCADE"),
        _pk("survey_question"),
    )
    op.create_index(op.f("ix_survey_question_survey_id"), "survey_question", ["survey_id"])
    op.create_table(
        "survey_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("rt", sa.Integer(), nullable=True),
        sa.Column("rw", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        _fk("survey_response", "survey_id", "survey", "CASCADE"),
        _fk("survey_response", "user_id", "user_account", "SET NULL"),
        _pk("survey_response"),
        sa.UniqueConstraint(
            "survey_id", "user_id", name=op.f("uq_survey_response_survey_id_user_id")
        ),
    )
    op.create_table(
        "survey_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.Integer(), nullable=True),
        sa.Column("number", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.String(500), nullable=True),
        _fk("survey_answer", "response_id", "survey_response", "CASCADE"),
        _fk("survey_answer", "question_id", "survey_question", "CASCADE"),
        _pk("survey_answer"),
    )
    op.create_index(op.f("ix_survey_answer_response_id"), "survey_answer", ["response_id"])
    op.create_index(op.f("ix_survey_answer_question_id"), "survey_answer", ["question_id"])

    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_label", sa.String(120), nullable=False),
        sa.Column("title", sa.String(160), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("rt", sa.Integer(), nullable=True),
        sa.Column("rw", sa.Integer(), nullable=True),
        sa.Column("supports_count", sa.Integer(), nullable=False),
        sa.Column("comments_count", sa.Integer(), nullable=False),
        sa.Column("flags_count", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("scheduled_at", TZ, nullable=True),
        sa.Column("hidden_at", TZ, nullable=True),
        sa.Column("hidden_reason", sa.String(300), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.CheckConstraint(f"category IN {CATEGORIES}", name=op.f("ck_proposal_category_known")),
        sa.CheckConstraint("supports_count >= 0", name=op.f("ck_proposal_supports_not_negative")),
        _fk("proposal", "author_id", "user_account", "SET NULL"),
        _fk("proposal", "meeting_id", "meeting", "SET NULL"),
        _fk("proposal", "hidden_by_id", "user_account", "SET NULL"),
        _pk("proposal"),
    )
    op.create_index(op.f("ix_proposal_author_id"), "proposal", ["author_id"])
    op.create_index(op.f("ix_proposal_meeting_id"), "proposal", ["meeting_id"])
    op.create_index("ix_proposal_list", "proposal", ["hidden_at", "supports_count"])
    op.create_index("ix_proposal_new", "proposal", ["hidden_at", "created_at"])
    op.create_table(
        "proposal_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _fk("proposal_support", "proposal_id", "proposal", "CASCADE"),
        _fk("proposal_support", "user_id", "user_account", "CASCADE"),
        _pk("proposal_support"),
        sa.UniqueConstraint(
            "proposal_id", "user_id", name=op.f("uq_proposal_support_proposal_id_user_id")
        ),
    )
    op.create_table(
        "proposal_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_label", sa.String(120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("flags_count", sa.Integer(), nullable=False),
        sa.Column("hidden_at", TZ, nullable=True),
        sa.Column("hidden_reason", sa.String(300), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        _fk("proposal_comment", "proposal_id", "proposal", "CASCADE"),
        _fk("proposal_comment", "author_id", "user_account", "SET NULL"),
        _fk("proposal_comment", "hidden_by_id", "user_account", "SET NULL"),
        _pk("proposal_comment"),
    )
    op.create_index(op.f("ix_proposal_comment_proposal_id"), "proposal_comment", ["proposal_id"])
    op.create_table(
        "content_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.CheckConstraint(
            "kind IN ('proposal', 'comment')", name=op.f("ck_content_flag_kind_known")
        ),
        _fk("content_flag", "user_id", "user_account", "CASCADE"),
        _pk("content_flag"),
        sa.UniqueConstraint(
            "kind", "target_id", "user_id", name=op.f("uq_content_flag_kind_target_id_user_id")
        ),
    )


def downgrade():
    for table in (
        "content_flag",
        "proposal_comment",
        "proposal_support",
        "proposal",
        "survey_answer",
        "survey_response",
        "survey_question",
        "survey",
        "ballot_vote_choice",
        "ballot_vote",
        "ballot_option",
        "ballot",
    ):
        op.drop_table(table)
