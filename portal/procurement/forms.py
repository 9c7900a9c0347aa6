"""Forms of the procurement staff pages. They check shapes (a number, a date, a file by
its content); the rules are the services'."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from portal.forms import AmountField, DayField, Form, choices
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.procurement.models import LOCATIONS, METHODS, PACKAGING, SUPPLIER_KINDS, UNITS
from portal.procurement.services import upload_limit
from portal.uploads import DocumentField, ImageField

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("At most %(max)d characters.")
DATE_MESSAGE = _l("Enter a date like 2026-12-31.")
DOCUMENT_HINT = _l("A PDF, or a picture (PNG, JPEG or WebP), at most 5 MB. Seen by staff only.")
ACCEPT_DOCUMENTS = {"accept": "application/pdf,image/png,image/jpeg,image/webp"}
UNIT_CHOICES = choices({u: u for u in UNITS})


def pairs(rows) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs."""
    return [SelectChoice(value=value, label=label) for value, label in rows]


def _line(label, max_len=200, **kw):
    return StringField(label, validators=[Optional(), Length(max=max_len, message=TOO_LONG)], **kw)


def _text(label, max_len=2000, rows=3, **kw):
    return TextAreaField(
        label,
        validators=[Optional(), Length(max=max_len, message=TOO_LONG)],
        render_kw={"rows": rows},
        **kw,
    )


def _amount(label):
    """Rupiah as people type them ("1.500.000"): a text box, since a number box refuses
    the dots."""
    return AmountField(
        label,
        validators=[Optional()],
        widget=TextInput(),
        description=_l("A whole number, e.g. 1.500.000"),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


def _grams(label):
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(min=0, max=10**8, message=_l("Enter grams from 0."))],
    )


class SupplierForm(Form):
    name = _line(_l("Business name"), 160)
    kind = SelectField(_l("Kind"), choices=choices(SUPPLIER_KINDS))
    is_person = BooleanField(_l("A private person (contact details stay with the office)"))
    location = SelectField(_l("Where"), choices=choices(LOCATIONS))
    village_name = _line(_l("Village or town"), 120)
    rt = _line(_l("RT (in the village)"), 2)
    rw = _line(_l("RW (in the village)"), 2)
    contact_name = _line(_l("Contact person"), 120)
    phone = _line(_l("Phone"), 20)
    address = _line(_l("Address"), 200)
    nib = _line(_l("Business number (NIB), if any"), 20)
    sells = _text(_l("What they sell"))
    training_place_id = SelectField(_l("Completed business course (if any)"), coerce=int, default=0)


class DecideSupplierForm(Form):
    note = _line(_l("Note (needed to reject)"), 500)


class PurchaseForm(Form):
    title = _line(_l("Title"), 200)
    target = SelectField(_l("For"))


class LineForm(Form):
    name = _line(_l("Item"), 80)
    round_item_id = SelectField(_l("Round item the goods enter as stock"), coerce=int, default=0)
    unit = SelectField(_l("Unit"), choices=UNIT_CHOICES)
    quantity = _line(_l("Quantity"), 20, description=_l("e.g. 250 or 2.5"))
    unit_price = _amount(_l("Unit price (Rp)"))
    packaging = SelectField(_l("Packaging"), choices=choices(PACKAGING))
    packaging_grams = _grams(_l("Packaging weight in grams (if known)"))


class QuoteForm(Form):
    supplier_id = SelectField(_l("Supplier"), coerce=int, default=0)
    amount = _amount(_l("Quoted amount (Rp)"))
    received_on = DayField(
        _l("Received on"), default=village_today, validators=[InputRequired(message=DATE_MESSAGE)]
    )
    document = DocumentField(
        _l("Quotation document"),
        limit=upload_limit,
        description=DOCUMENT_HINT,
        render_kw=ACCEPT_DOCUMENTS,
    )
    note = _text(_l("Note"), 1000, rows=2)


class OrderForm(Form):
    method = SelectField(_l("Procurement method"), choices=choices(METHODS))
    supplier_id = SelectField(_l("Chosen supplier"), coerce=int, default=0)
    reason = _text(_l("Why this supplier"), 1000, rows=2)
    price_reason = _text(
        _l("Why a price is over the reference (if one is)"),
        1000,
        rows=2,
        description=_l(
            "Prices more than the allowed margin over the reference are shown to the village head."
        ),
    )


class CorrectionForm(Form):
    reason = _text(_l("What is corrected and why"), 1000, rows=2)


class DeliveryForm(Form):
    line_id = SelectField(_l("Line"), coerce=int, default=0)
    supplier_id = SelectField(_l("Delivered by"), coerce=int, default=0)
    point_id = SelectField(_l("Taken to the point"), coerce=int, default=0)
    received_on = DayField(
        _l("Received on"), default=village_today, validators=[InputRequired(message=DATE_MESSAGE)]
    )
    accepted = _line(_l("Quantity accepted"), 20)
    rejected = _line(_l("Quantity rejected"), 20, default="0")
    quality_note = _text(_l("Quality note (needed when goods are rejected)"), 1000, rows=2)
    photo = ImageField(_l("Photo of the goods (optional)"), limit=upload_limit)
    receipt = DocumentField(
        _l("Receipt or invoice"),
        limit=upload_limit,
        description=DOCUMENT_HINT,
        render_kw=ACCEPT_DOCUMENTS,
    )


class ReturnForm(Form):
    """Accepted goods given back to the supplier: the correction of a delivery."""

    return_delivery = SelectField(_l("Delivery"), coerce=int, default=0)
    return_quantity = _line(_l("Quantity given back"), 20)
    return_on = DayField(
        _l("Given back on"), default=village_today, validators=[InputRequired(message=DATE_MESSAGE)]
    )
    return_reason = _text(_l("Why the goods go back"), 1000, rows=2)


class ReferencePriceForm(Form):
    item = _line(_l("Item"), 80)
    unit = SelectField(_l("Unit"), choices=UNIT_CHOICES)
    month = DayField(
        _l("A day in the month"),
        default=village_today,
        validators=[InputRequired(message=DATE_MESSAGE)],
    )
    price = _amount(_l("Reference price per unit (Rp)"))
    source = _line(_l("Source"), 200)


class PackedBatchForm(Form):
    round_id = SelectField(_l("Round"), coerce=int, default=0)
    packed_on = DayField(
        _l("Packed on"), default=village_today, validators=[InputRequired(message=DATE_MESSAGE)]
    )
    packages = IntegerField(_l("Packages packed"), validators=[Optional()], default=0)
    packaging = SelectField(_l("Packaging"), choices=choices(PACKAGING))
    packaging_grams = _grams(_l("Packaging weight of the batch in grams (if known)"))
    own_bags = IntegerField(
        _l("Households asked to bring their own bag"), validators=[Optional()], default=0
    )
    note = _text(_l("Note"), 1000, rows=2)
