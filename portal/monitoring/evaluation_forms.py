"""The form of an evaluation: the staff's texts in both languages and the survey."""

from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.validators import Optional

from portal.forms import Form
from portal.i18n import lazy_gettext as _l


class EvaluationForm(Form):
    went_well_id = TextAreaField(_l("What went well (Indonesian)"), validators=[Optional()])
    went_well_en = TextAreaField(_l("What went well (English)"), validators=[Optional()])
    went_badly_id = TextAreaField(_l("What did not go well (Indonesian)"), validators=[Optional()])
    went_badly_en = TextAreaField(_l("What did not go well (English)"), validators=[Optional()])
    changes_id = TextAreaField(_l("What changes (Indonesian)"), validators=[Optional()])
    changes_en = TextAreaField(_l("What changes (English)"), validators=[Optional()])
    # The service checks the choice, so that a stale one is refused beside the field.
    survey_id = SelectField(
        _l("Residents' survey (post-distribution)"), coerce=int, validate_choice=False
    )
