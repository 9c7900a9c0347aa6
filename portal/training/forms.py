"""Forms of the training pages: sign-up at the office, courses and sessions (staff),
feedback, certificate check."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import Form, choices
from portal.i18n import lazy_gettext as _l
from portal.numbers import DB_INT_MAX
from portal.registry.models import NEED_LEVELS
from portal.training.models import BUSINESS_ANSWERS, CATEGORIES, PRIORITY_RULES

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("At most %(max)d characters.")
LANGUAGE_CHOICES = {"id": "Bahasa Indonesia", "en": "English"}


class ActionForm(Form):
    """A POST button: only the CSRF token."""


class OfficeSignUpForm(Form):
    """An operator signs someone up: a registry person (by id) or a name and phone."""

    person_id = IntegerField(
        _l("Registry person number"),
        validators=[
            Optional(),
            NumberRange(min=1, max=DB_INT_MAX, message=_l("No person with this number.")),
        ],
        description=_l("From the registry page of the person. Leave empty to use a name."),
    )
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120, message=TOO_LONG)])
    phone = StringField(
        _l("Phone number"),
        validators=[Optional(), Length(max=30, message=TOO_LONG)],
        description=_l("For the confirmation and reminders, e.g. 0812 3456 7890."),
    )
    locale = SelectField(_l("Language of messages"), choices=choices(LANGUAGE_CHOICES))


class CourseForm(Form):
    title_id = StringField(
        _l("Title (Indonesian)"),
        validators=[DataRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)],
    )
    title_en = StringField(
        _l("Title (English)"), validators=[Optional(), Length(max=200, message=TOO_LONG)]
    )
    description_id = TextAreaField(
        _l("Description (Indonesian)"),
        validators=[DataRequired(message=REQUIRED), Length(max=10000, message=TOO_LONG)],
        render_kw={"rows": 6},
    )
    description_en = TextAreaField(
        _l("Description (English)"),
        validators=[Optional(), Length(max=10000, message=TOO_LONG)],
        render_kw={"rows": 6},
    )
    category = SelectField(_l("Category"), choices=choices(CATEGORIES))
    place = StringField(
        _l("Place"),
        validators=[DataRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)],
    )
    trainer_id = SelectField(_l("Trainer's account"), coerce=str, validate_choice=True)
    trainer_name = StringField(
        _l("Trainer's name as shown"),
        validators=[Optional(), Length(max=120, message=TOO_LONG)],
    )
    sponsor_company_id = SelectField(_l("Sponsor (CSR partner)"), coerce=str)
    pledge_id = IntegerField(
        _l("From pledge number"),
        validators=[
            Optional(),
            NumberRange(min=1, max=DB_INT_MAX, message=_l("No pledge has this number.")),
        ],
    )
    priority_rule = SelectField(_l("Who it is for"), choices=choices(PRIORITY_RULES))
    priority_levels = SelectMultipleField(
        _l("Need levels admitted"), choices=choices(NEED_LEVELS), validators=[Optional()]
    )
    priority_programme_id = SelectField(_l("Programme"), coerce=str)
    published = BooleanField(_l("Published"))


class SessionForm(Form):
    day = DateField(_l("Date"), validators=[InputRequired(message=REQUIRED)])
    start = TimeField(_l("Starts at"), validators=[InputRequired(message=REQUIRED)])
    end = TimeField(_l("Ends at"), validators=[InputRequired(message=REQUIRED)])
    seats = IntegerField(
        _l("Seats"),
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(min=1, max=10000, message=_l("Between 1 and 10,000.")),
        ],
    )
    place = StringField(
        _l("Place, if not the course's"),
        validators=[Optional(), Length(max=200, message=TOO_LONG)],
    )


RATINGS = {str(i): str(i) for i in range(5, 0, -1)}


class FeedbackForm(Form):
    rating = RadioField(
        _l("How useful was the course? (5 = very useful)"),
        choices=choices(RATINGS),
        validators=[InputRequired(message=_l("Choose a rating from 1 to 5."))],
    )
    business = RadioField(
        _l("Since the course, did you start or grow a business?"),
        choices=choices(BUSINESS_ANSWERS),
        validators=[InputRequired(message=_l("Choose an answer."))],
    )
    comment = TextAreaField(
        _l("Anything else? (optional)"),
        validators=[Optional(), Length(max=2000, message=TOO_LONG)],
        render_kw={"rows": 3},
    )


class CodeForm(Form):
    class Meta:
        csrf = False  # a GET form anyone may use

    code = StringField(
        _l("Certificate code"),
        validators=[DataRequired(message=REQUIRED), Length(max=40, message=TOO_LONG)],
        description=_l("As printed on the certificate, e.g. ABCD-EFGH-JKLM."),
    )
