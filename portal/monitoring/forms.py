"""Forms of the monitoring staff pages: plan, goal, activity, milestone, indicator,
target and value."""

from __future__ import annotations

from wtforms import FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import AmountField, DayField, Form, choices
from portal.i18n import lazy_gettext as _l
from portal.monitoring.models import ACTIVITY_STATUSES, DIRECTIONS, FIELDS, FUNDS, METHODS
from portal.monitoring.services import photos
from portal.uploads import ImageField

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("At most %(max)d characters.")
YEAR = _l("Enter a year such as 2026.")
NUMBER = _l("Enter a number.")


class PlanForm(Form):
    title_id = StringField(
        _l("Title (Indonesian)"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)],
    )
    title_en = StringField(
        _l("Title (English)"), validators=[Optional(), Length(max=200, message=TOO_LONG)]
    )
    first_year = IntegerField(
        _l("First year (the plan runs six years)"),
        validators=[DataRequired(YEAR), NumberRange(min=2000, max=2100, message=YEAR)],
    )
    vision_id = TextAreaField(_l("Vision (Indonesian)"), validators=[Optional()])
    vision_en = TextAreaField(_l("Vision (English)"), validators=[Optional()])


class GoalForm(Form):
    title_id = StringField(
        _l("Goal (Indonesian)"),
        validators=[DataRequired(REQUIRED), Length(max=300, message=TOO_LONG)],
    )
    title_en = StringField(
        _l("Goal (English)"), validators=[Optional(), Length(max=300, message=TOO_LONG)]
    )


class ActivityForm(Form):
    title_id = StringField(
        _l("Activity (Indonesian)"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)],
    )
    title_en = StringField(
        _l("Activity (English)"), validators=[Optional(), Length(max=200, message=TOO_LONG)]
    )
    description_id = TextAreaField(_l("Description (Indonesian)"), validators=[Optional()])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional()])
    year = IntegerField(
        _l("Year"), validators=[DataRequired(YEAR), NumberRange(min=2000, max=2100, message=YEAR)]
    )
    field = SelectField(_l("Field (bidang)"), choices=choices(FIELDS))
    goal_id = SelectField(_l("Goal of the plan"), coerce=int, validate_choice=False)
    parent_id = SelectField(_l("Part of"), coerce=int, validate_choice=False)
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
    volume = StringField(_l("Volume"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
    beneficiaries = StringField(
        _l("Who benefits"), validators=[Optional(), Length(max=200, message=TOO_LONG)]
    )
    starts_on = DayField(_l("Starts"), validators=[Optional()])
    ends_on = DayField(_l("Ends"), validators=[Optional()])
    budget_planned = AmountField(_l("Budget planned (Rp)"), validators=[Optional()])
    budget_spent = AmountField(_l("Spent so far (Rp)"), validators=[Optional()])
    funds = SelectField(_l("Source of funds"), choices=choices(FUNDS))
    method = SelectField(_l("Carried out"), choices=choices(METHODS))
    status = SelectField(
        _l("Status"), choices=choices({k: label for k, (label, _p) in ACTIVITY_STATUSES.items()})
    )
    progress = IntegerField(
        _l("Progress (0-100)"),
        description=_l(
            "Empty: the status's own progress. A parent's is worked out from its parts."
        ),
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message=_l("Progress is a number from 0 to 100.")),
        ],
    )
    weight = IntegerField(
        _l("Weight within its parent"),
        validators=[
            Optional(),
            NumberRange(min=1, max=1000, message=_l("The weight is a number from 1 to 1000.")),
        ],
    )


class MilestoneForm(Form):
    on = DayField(_l("Date"), validators=[DataRequired(_l("Enter a date."))])
    text_id = TextAreaField(_l("What happened (Indonesian)"), validators=[DataRequired(REQUIRED)])
    text_en = TextAreaField(_l("What happened (English)"), validators=[Optional()])
    photo = ImageField(_l("Photo (optional)"), limit=photos.limit)


class IndicatorForm(Form):
    code = StringField(
        _l("Code"), validators=[DataRequired(REQUIRED), Length(max=20, message=TOO_LONG)]
    )
    name_id = StringField(
        _l("Name (Indonesian)"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)],
    )
    name_en = StringField(
        _l("Name (English)"), validators=[Optional(), Length(max=200, message=TOO_LONG)]
    )
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=20, message=TOO_LONG)])
    baseline = FloatField(_l("Baseline"), validators=[Optional()])
    baseline_year = IntegerField(
        _l("Baseline year"), validators=[Optional(), NumberRange(min=2000, max=2100, message=YEAR)]
    )
    source_id = StringField(
        _l("Source (Indonesian)"), validators=[Optional(), Length(max=200, message=TOO_LONG)]
    )
    source_en = StringField(
        _l("Source (English)"), validators=[Optional(), Length(max=200, message=TOO_LONG)]
    )
    direction = SelectField(_l("Direction"), choices=choices(DIRECTIONS))


class YearValueForm(Form):
    year = IntegerField(
        _l("Year"), validators=[DataRequired(YEAR), NumberRange(min=2000, max=2100, message=YEAR)]
    )
    value = FloatField(_l("Value"), validators=[InputRequired(NUMBER)])
    note = StringField(
        _l("Note or source"), validators=[Optional(), Length(max=300, message=TOO_LONG)]
    )
