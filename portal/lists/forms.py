"""Forms of the recipient lists: staff (periods, changes, meeting, approval, objection
decisions) and public (objection, self-check)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import AmountField, DayField, Form, choices
from portal.i18n import lazy_gettext as _l
from portal.lists.models import COMPOSITIONS, OBJECTION_KINDS
from portal.registry.models import NEED_LEVELS

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("At most %(max)d characters.")
WHOLE = _l("Enter a whole number.")


class NumberField(IntegerField):
    """An integer with a message in the reader's language; the typed text is kept."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(WHOLE) from None


def _text(label, required=True, max_len=5000, rows=4, **kw):
    validators = [DataRequired(message=REQUIRED)] if required else [Optional()]
    validators.append(Length(max=max_len, message=TOO_LONG))
    return TextAreaField(label, validators=validators, render_kw={"rows": rows}, **kw)


def _line(label, required=True, max_len=200, **kw):
    validators = [DataRequired(message=REQUIRED)] if required else [Optional()]
    validators.append(Length(max=max_len, message=TOO_LONG))
    return StringField(label, validators=validators, **kw)


def _number(label, low, high, required=False, **kw):
    validators = [InputRequired(message=REQUIRED)] if required else [Optional()]
    validators.append(
        NumberRange(
            min=low,
            max=high,
            message=_l("Enter a number from %(min)d to %(max)d.", min=low, max=high),
        )
    )
    return NumberField(label, validators=validators, render_kw={"inputmode": "numeric"}, **kw)


def _optional_id(value):
    """A picked account's id, or None for the empty choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PeriodForm(Form):
    programme_id = SelectField(_l("Programme"), coerce=int, validate_choice=False)
    title_id = _line(_l("Title (Indonesian)"))
    title_en = _line(_l("Title (English, optional)"), required=False)
    starts_on = DayField(_l("First day"), validators=[InputRequired(message=REQUIRED)])
    ends_on = DayField(_l("Last day"), validators=[InputRequired(message=REQUIRED)])
    budget = AmountField(_l("Budget (Rp, optional)"), validators=[Optional()])
    amount = AmountField(_l("Cash per household (Rp, optional)"), validators=[Optional()])
    benefit_id = _text(_l("What each household receives (Indonesian)"), rows=2)
    benefit_en = _text(_l("What each household receives (English, optional)"), False, rows=2)
    rule_need_levels = CheckboxesField(
        _l("Need levels"), choices=choices(NEED_LEVELS), default=["sangat_miskin", "miskin"]
    )
    rule_max_desil = _number(
        _l("Highest desil (optional)"),
        1,
        10,
        description=_l("Households with an unknown desil are then left out."),
    )
    rule_min_members = _number(_l("Smallest household size (optional)"), 1, 30)
    rule_composition = SelectField(_l("Household composition"), choices=choices(COMPOSITIONS))
    rule_aid_fit = BooleanField(_l("Only households that fit this kind of aid"), default=True)
    rule_not_covered = BooleanField(
        _l("Leave out households already receiving the same kind of aid"), default=True
    )
    objection_days = _number(_l("Days for objections after publishing"), 1, 60, required=True)


class ChangeForm(Form):
    household_id = _number(_l("Household number"), 1, 10**9, required=True)
    reason = _text(_l("Reason for the change"), max_len=2000, rows=2)


class RemoveForm(Form):
    reason = _text(_l("Reason for taking this household off the list"), max_len=2000, rows=2)


class DecisionForm(Form):
    held_on = DayField(_l("Date of the meeting"), validators=[InputRequired(message=REQUIRED)])
    place = _line(_l("Place"))
    attendees_count = _number(_l("Number of people present"), 0, 100000, required=True)
    quorum_required = _number(_l("Quorum (people needed)"), 1, 100000, required=True)
    # Attendees who have an account are picked (choices set by the view, from
    # lists/duties.py); the others are typed below.
    head_account = SelectField(
        _l("Village head present (account)"),
        coerce=_optional_id,
        description=_l("Leave empty when the village head has no account or was absent."),
    )
    bpd_accounts = CheckboxesField(_l("BPD members present (accounts)"), coerce=int)
    attendees = _text(
        _l("Other named attendees (without an account)"),
        required=False,
        max_len=10000,
        rows=6,
        description=_l("One per line: “Name; role”, e.g. “Siti Aminah; BPD chair”."),
    )
    decisions = _text(_l("Decisions"))
    minutes = _text(_l("Minutes"), max_len=50000, rows=8)
    scan = FileField(
        _l("Scan of the signed minutes (PDF or picture, optional)"),
        render_kw={"accept": "application/pdf,image/png,image/jpeg,image/webp"},
    )


class ApproveForm(Form):
    note = _text(_l("Note (optional)"), required=False, max_len=2000, rows=2)


class ObjectionDecisionForm(Form):
    status = RadioField(
        _l("Decision"),
        choices=choices({"upheld": _l("Uphold"), "rejected": _l("Reject")}),
        validators=[InputRequired(message=_l("Choose a decision."))],
    )
    reason = _text(_l("Reason for the decision"), max_len=2000, rows=2)
    household_id = _number(
        _l("Household number to put on the list"),
        1,
        10**9,
        description=_l("Only when upholding an objection that a household was left out."),
    )


class ObjectionForm(Form):
    kind = RadioField(
        _l("Your objection"),
        choices=choices(OBJECTION_KINDS),
        validators=[InputRequired(message=_l("Choose what your objection is about."))],
    )
    row_id = HiddenField()
    # Shown (with RT and RW) only on the form for a household that was left out.
    subject_name = _line(_l("Name of the head of the household"), required=False, max_len=120)
    rt = _number(_l("RT"), 1, 999)
    rw = _number(_l("RW"), 1, 999)
    reason = _text(
        _l("Why do you object?"),
        max_len=2000,
        description=_l("Do not write NIK or KK numbers. Your name is not asked for."),
    )


class SelfCheckForm(Form):
    nik = _line(
        _l("NIK (16 digits)"),
        max_len=40,
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    name = _line(_l("Full name as on the family card"), max_len=120)
