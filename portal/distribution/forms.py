"""Forms of the staff's round pages: the round, its points, time slots and items, the
amendment and the cancellation."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.distribution.models import UNITS
from portal.distribution.services.rounds import FORMULA_KEYS
from portal.forms import AmountField, DayField, Form, choices
from portal.i18n import lazy_gettext as _l

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("At most %(max)d characters.")
TIME_HINT = _l("Hours and minutes, e.g. 08:00")
FORMULA_ITEMS = {
    "": _l("None: the same quantity for every household"),
    "rice": _l("Rice"),
    "oil": _l("Cooking oil"),
    "eggs": _l("Eggs"),
    "mung_beans": _l("Mung beans"),
}
assert set(FORMULA_ITEMS) - {""} == set(FORMULA_KEYS)


def _line(label, max_len, required=False):
    first = DataRequired(message=REQUIRED) if required else Optional()
    return StringField(label, validators=[first, Length(max=max_len, message=TOO_LONG)])


def _time(label):
    return TimeField(label, validators=[InputRequired(message=REQUIRED)], description=TIME_HINT)


class RoundForm(Form):
    version_id = SelectField(_l("Published recipient list"), coerce=int)
    title_id = _line(_l("Title (Indonesian)"), 200, required=True)
    title_en = _line(_l("Title (English, optional)"), 200)
    starts_on = DayField(_l("First day"), validators=[InputRequired(message=REQUIRED)])
    ends_on = DayField(_l("Last day"), validators=[InputRequired(message=REQUIRED)])
    cash_amount = AmountField(
        _l("Cash per household in rupiah (optional)"),
        validators=[Optional(), NumberRange(min=0, max=10**15)],
        description=_l("Leave empty when the round hands out goods only."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    use_food_formula = BooleanField(_l("Larger households get more (the programme's food formula)"))
    notes_id = TextAreaField(
        _l("Notes for the public (Indonesian, optional)"),
        validators=[Optional(), Length(max=4000, message=TOO_LONG)],
        render_kw={"rows": 3},
    )
    notes_en = TextAreaField(
        _l("Notes for the public (English, optional)"),
        validators=[Optional(), Length(max=4000, message=TOO_LONG)],
        render_kw={"rows": 3},
    )
    sample_percent = IntegerField(
        _l("Households asked afterwards whether the aid arrived (percent)"),
        default=10,
        validators=[InputRequired(message=REQUIRED), NumberRange(min=1, max=100)],
    )
    sample_minimum = IntegerField(
        _l("At least this many households asked"),
        default=30,
        validators=[InputRequired(message=REQUIRED), NumberRange(min=0, max=100_000)],
    )


class PointForm(Form):
    name = _line(_l("Place"), 120, required=True)
    address = _line(_l("Address"), 200)
    map_url = _line(_l("Map link (optional)"), 300)
    opens_at = _time(_l("Opens at"))
    closes_at = _time(_l("Closes at"))


class SlotForm(Form):
    point_id = SelectField(_l("Point"), coerce=int)
    rt = IntegerField(
        _l("RT"), validators=[InputRequired(message=REQUIRED), NumberRange(min=1, max=999)]
    )
    rw = IntegerField(_l("RW (optional)"), validators=[Optional(), NumberRange(min=1, max=999)])
    day = DayField(_l("Day"), validators=[InputRequired(message=REQUIRED)])
    starts_at = _time(_l("From"))
    ends_at = _time(_l("Until"))


class ItemForm(Form):
    name_id = _line(_l("Item (Indonesian)"), 80, required=True)
    name_en = _line(_l("Item (English, optional)"), 80)
    quantity = _line(_l("Quantity per household"), 20, required=True)
    unit = SelectField(_l("Unit"), choices=choices(UNITS))
    formula_key = SelectField(
        _l("Food formula item"),
        choices=choices(FORMULA_ITEMS),
        description=_l("Only used when the round follows the food formula."),
    )


class AmendForm(Form):
    version_id = SelectField(_l("Later version of the list"), coerce=int)
    reason = TextAreaField(
        _l("Reason for the change"),
        validators=[DataRequired(message=REQUIRED), Length(max=1000, message=TOO_LONG)],
        render_kw={"rows": 3},
    )


class CancelForm(Form):
    reason = TextAreaField(
        _l("Reason for cancelling"),
        validators=[DataRequired(message=REQUIRED), Length(max=1000, message=TOO_LONG)],
        render_kw={"rows": 3},
    )
