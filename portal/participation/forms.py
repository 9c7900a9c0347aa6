"""Forms of participation: staff ballot and survey editors, resident proposals,
comments, flags and the moderators' hide form. Votes and survey answers are read from
the request directly (their fields depend on the ballot or survey), with the CSRF
token checked by CSRFProtect."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.forms import Form, choices
from portal.i18n import lazy_gettext as _l
from portal.participation.models import (
    METHODS,
    PROPOSAL_CATEGORIES,
    QUESTION_KINDS,
    RESULT_MODES,
)

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("At most %(max)d characters.")
DATETIME = _l("Enter a date and time.")


class BallotForm(Form):
    question_id = StringField(
        _l("Question (Indonesian)"),
        validators=[DataRequired(REQUIRED), Length(max=300, message=TOO_LONG)],
    )
    question_en = StringField(
        _l("Question (English)"), validators=[Optional(), Length(max=300, message=TOO_LONG)]
    )
    description_id = TextAreaField(_l("Explanation (Indonesian)"), validators=[Optional()])
    description_en = TextAreaField(_l("Explanation (English)"), validators=[Optional()])
    method = SelectField(_l("Voting method"), choices=choices(METHODS))
    max_choices = IntegerField(
        _l("Approval: how many options a voter may choose"),
        validators=[Optional(), NumberRange(min=1, max=50)],
    )
    budget = IntegerField(
        _l("Budget: total in rupiah"), validators=[Optional(), NumberRange(min=1, max=10**15)]
    )
    options = TextAreaField(
        _l("Options"),
        description=_l(
            "One per line: label in Indonesian | label in English | cost in rupiah "
            "(budget ballots)."
        ),
        validators=[DataRequired(REQUIRED)],
    )
    per_household = BooleanField(_l("One vote per household (instead of per person)"))
    opens_at = DateTimeLocalField(
        _l("Opens at (UTC)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(DATETIME)]
    )
    closes_at = DateTimeLocalField(
        _l("Closes at (UTC)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(DATETIME)]
    )
    results_mode = SelectField(_l("Results while open"), choices=choices(RESULT_MODES))


class SurveyForm(Form):
    title_id = StringField(
        _l("Title (Indonesian)"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)],
    )
    title_en = StringField(
        _l("Title (English)"), validators=[Optional(), Length(max=200, message=TOO_LONG)]
    )
    intro_id = TextAreaField(_l("Introduction (Indonesian)"), validators=[Optional()])
    intro_en = TextAreaField(_l("Introduction (English)"), validators=[Optional()])


class QuestionForm(Form):
    kind = SelectField(_l("Kind of question"), choices=choices(QUESTION_KINDS))
    text_id = StringField(
        _l("Question (Indonesian)"),
        validators=[DataRequired(REQUIRED), Length(max=300, message=TOO_LONG)],
    )
    text_en = StringField(
        _l("Question (English)"), validators=[Optional(), Length(max=300, message=TOO_LONG)]
    )
    choices_id = TextAreaField(_l("Choices (Indonesian), one per line"), validators=[Optional()])
    choices_en = TextAreaField(_l("Choices (English), one per line"), validators=[Optional()])
    required = BooleanField(_l("An answer is required"), default=True)


class ProposalForm(Form):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=5, max=160, message=_l("Between %(min)d and %(max)d characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[DataRequired(REQUIRED), Length(max=5000, message=TOO_LONG)],
    )
    category = SelectField(_l("Category"), choices=choices(PROPOSAL_CATEGORIES))
    rt = IntegerField(_l("RT"), validators=[Optional(), NumberRange(min=1, max=999)])
    rw = IntegerField(_l("RW"), validators=[Optional(), NumberRange(min=1, max=999)])


class CommentForm(Form):
    body = TextAreaField(
        _l("Your comment"), validators=[DataRequired(REQUIRED), Length(max=2000, message=TOO_LONG)]
    )


class FlagForm(Form):
    reason = StringField(
        _l("What is wrong with it? (optional)"),
        validators=[Optional(), Length(max=300, message=TOO_LONG)],
    )


class HideForm(Form):
    reason = StringField(
        _l("Reason shown in its place"),
        validators=[DataRequired(REQUIRED), Length(max=300, message=TOO_LONG)],
    )


class SurveyCodeForm(Form):
    """The code printed on a distribution invitation, to answer the round's survey."""

    code = StringField(
        _l("Code on your invitation"),
        description=_l("16 letters and digits, e.g. 7KQ2-M9XD-4HTW-PB3C"),
        validators=[DataRequired(REQUIRED), Length(max=40, message=TOO_LONG)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
