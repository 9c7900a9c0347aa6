"""Forms of the stock, closing and arrival-check pages (choices filled by the view)."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.distribution.models import CHECK_METHODS, CHECK_RESULTS, STOCK_SOURCES
from portal.forms import DayField, Form, choices
from portal.i18n import lazy_gettext as _l

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("At most %(max)d characters.")
QUANTITY_HINT = _l("In the item's unit, such as 10 or 2,5.")
OUT_KINDS = {"returned": _l("Returned"), "damaged": _l("Damaged"), "lost": _l("Lost")}


def _quantity():
    return StringField(
        _l("Quantity"),
        validators=[DataRequired(message=REQUIRED), Length(max=20, message=TOO_LONG)],
        description=QUANTITY_HINT,
    )


def _reason(label, required=True):
    checks = [DataRequired(message=REQUIRED)] if required else [Optional()]
    return TextAreaField(
        label, validators=[*checks, Length(max=1000, message=TOO_LONG)], render_kw={"rows": 2}
    )


class ReceiveForm(Form):
    point_id = SelectField(_l("Point"), coerce=int)
    item_id = SelectField(_l("Item"), coerce=int)
    quantity = _quantity()
    source = SelectField(_l("From"), choices=choices(STOCK_SOURCES))
    source_note = StringField(
        _l("Supplier or delivery note"),
        validators=[Optional(), Length(max=200, message=TOO_LONG)],
    )


class MoveForm(Form):
    from_point_id = SelectField(_l("From point"), coerce=int)
    to_point_id = SelectField(_l("To point"), coerce=int)
    item_id = SelectField(_l("Item"), coerce=int)
    quantity = _quantity()
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200, message=TOO_LONG)])


class WriteOffForm(Form):
    point_id = SelectField(_l("Point"), coerce=int)
    item_id = SelectField(_l("Item"), coerce=int)
    kind = SelectField(_l("What happened"), choices=choices(OUT_KINDS))
    quantity = _quantity()
    reason = _reason(_l("Reason"))


class ReconcileForm(Form):
    note = _reason(_l("Note (optional)"), required=False)


class CancelForm(Form):
    reason = _reason(_l("Reason for cancelling"))


class FollowUpForm(Form):
    title_id = StringField(
        _l("Title (Indonesian)"),
        validators=[DataRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)],
    )
    title_en = StringField(
        _l("Title (English)"), validators=[Optional(), Length(max=200, message=TOO_LONG)]
    )
    starts_on = DayField(_l("First day"), validators=[DataRequired(message=REQUIRED)])
    ends_on = DayField(_l("Last day"), validators=[DataRequired(message=REQUIRED)])


class CheckForm(Form):
    method = SelectField(_l("How the household was asked"), choices=choices(CHECK_METHODS))
    result = SelectField(_l("What the household said"), choices=choices(CHECK_RESULTS))
    part_taken = BooleanField(_l("Someone asked for or took a part of the aid"))
    note = _reason(_l("What they told (optional)"), required=False)
    named_staff_id = SelectField(_l("A staff member or officer named (optional)"), coerce=int)
    named_staff_text = StringField(
        _l("Or the name they gave"), validators=[Optional(), Length(max=120, message=TOO_LONG)]
    )
