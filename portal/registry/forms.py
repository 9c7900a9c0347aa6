"""Staff forms for households, people, moves and enrolments.

The forms check what a form can (required, lengths, ranges); the registry rules
(NIK and KK numbers, uniqueness) live in services and come back as field errors.
"""

from __future__ import annotations

from flask import current_app
from markupsafe import Markup, escape
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.forms import Form, _attribute_value, choices, form_field
from portal.i18n import current_lang
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.registry.models import (
    BPS_CRITERIA,
    CIVIL_STATUSES,
    KK_CHANGE_REASONS,
    MARITAL_STATUSES,
    MEMBERSHIP_REASONS,
    RELATIONS,
    SEXES,
)

REQUIRED = _l("Please fill in this field.")
AT_MOST = _l("At most %(max)d characters.")
TRI_STATE = {"": _l("Not surveyed"), "1": _l("Yes"), "0": _l("No")}
# A stored criterion (or the string a SelectField makes of it) as its menu's value.
STORED = {None: "", True: "1", False: "0", "True": "1", "False": "0"}
NUMBER_HINT = _l("16 digits, as on the family card.")
# HouseholdForm's fields before the criteria, in the order its form shows them.
OTHER_FIELDS = (
    "kk_number",
    "kk_reason",
    "address",
    "rt",
    "rw",
    "dusun",
    "national_id",
    "desil",
    "notes",
)


def _line(label, max_len, required=False, **kw):
    validators = [DataRequired(message=REQUIRED)] if required else [Optional()]
    validators.append(Length(max=max_len, message=AT_MOST))
    return StringField(label, validators=validators, **kw)


def _rt_rw(label, required=True, **kw):
    first = DataRequired(message=_l("Enter a number from 1 to 999.")) if required else Optional()
    return IntegerField(
        label,
        validators=[
            first,
            NumberRange(min=1, max=999, message=_l("Enter a number from 1 to 999.")),
        ],
        render_kw={"inputmode": "numeric"},
        **kw,
    )


class HouseholdForm(Form):
    kk_number = _line(
        _l("Family card (KK) number"),
        30,
        description=NUMBER_HINT,
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    kk_reason = SelectField(
        _l("Why the family card number changes"),
        choices=choices(
            {k: v for k, v in KK_CHANGE_REASONS.items() if k not in ("first", "import")}
        ),
        default="moved",
        description=_l("Only used when you enter a new number; the old one stays in the history."),
    )
    address = _line(_l("Address"), 200, required=True)
    rt = _rt_rw(_l("RT"))
    # Some villages have no RW (OpenSID writes "-"): RW may stay empty.
    rw = _rt_rw(_l("RW"), required=False, description=_l("Leave empty if the village has no RW."))
    dusun = _line(_l("Hamlet (dusun)"), 80)
    national_id = _line(_l("Household id in the national data (DTKS), if known"), 40)
    desil = IntegerField(
        _l("Desil in the national data (1-10), if known"),
        validators=[
            Optional(),
            NumberRange(min=1, max=10, message=_l("Enter a number from 1 to 10.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    notes = TextAreaField(
        _l("Notes"),
        validators=[Optional(), Length(max=4000, message=AT_MOST)],
        render_kw={"rows": 3},
    )

    def criteria_fields(self):
        return [getattr(self, f"bps_{key}") for key in BPS_CRITERIA]

    def criteria_html(self) -> Markup:
        """The 14 criteria menus as form_field() writes them (about a seventh of the calls:
        a menu of three options and no hint, error or attribute of its own is written
        here; tests/test_registry_form_markup.py holds the two together)."""
        return fields_html(self.criteria_fields(), HouseholdForm)

    def other_html(self, household) -> Markup:
        """other_fields() as form_field() writes them (fields_html); the reason for a new
        KK number only on an existing household's form."""
        return fields_html(
            [f for f in self.other_fields() if f.name != "kk_reason" or household], HouseholdForm
        )

    def other_fields(self):
        return [getattr(self, name) for name in OTHER_FIELDS]

    def to_data(self) -> dict:
        """Plain values for services.save_household (criteria as True / False / None)."""
        data = {
            name: getattr(self, name).data
            for name in (
                "kk_number",
                "address",
                "rt",
                "rw",
                "dusun",
                "national_id",
                "desil",
                "notes",
            )
        }
        for key in BPS_CRITERIA:
            raw = getattr(self, f"bps_{key}").data
            data[f"bps_{key}"] = None if raw in ("", None) else raw == "1"
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Stored criteria are True / False / None; the menus speak "1" / "0" / "". A
        # SelectField has already made a stored value a string ("True", "False") by now:
        # both are mapped, or an edit form would show no answer and saving it unchanged
        # would wipe every surveyed criterion.
        for key in BPS_CRITERIA:
            field = getattr(self, f"bps_{key}")
            if field.data is None or isinstance(field.data, bool | str) and field.data in STORED:
                field.data = STORED[field.data]


for _key, _label in BPS_CRITERIA.items():
    setattr(
        HouseholdForm, f"bps_{_key}", SelectField(_label, choices=choices(TRI_STATE), default="")
    )


def fields_html(fields, owner: type, *, kept_menus: bool = True) -> Markup:
    """form_field() of each of `fields`, its plain select menus written by _plain_select.

    `owner` is the form class: a field without errors is written from markup kept per
    worker: a text, number or date box as the markup around its value (the value is
    written in, escaped as WTForms escapes it) and, with `kept_menus` (the form's menus
    are the class's own, never changed per instance), a menu as a whole for each value
    it can hold. Kept by language, form class and field: labels, hints and choices only,
    nothing a person typed.
    """
    kept = current_app.extensions.setdefault("registry_field_markup", {})
    lang = current_lang()
    return Markup(  # noqa: S704 (form_field's markup, or _plain_select's: escaped)
        "".join([_kept_field(f, owner, lang, kept, kept_menus) for f in fields])
    )


# A value no form holds, standing in for a box's value while its markup is kept.
_VALUE = "\x00value\x00"
_BOXES = frozenset({"StringField", "IntegerField", "DateField", "TextAreaField"})


def _kept_field(f, owner: type, lang: str, kept: dict, kept_menus: bool) -> str:
    """form_field(f) (for a select, _plain_select(f)), from `kept` when it can be."""
    kind = f.type
    if f.errors or (kind == "SelectField" and not kept_menus):
        return _plain_select(f) if kind == "SelectField" else form_field(f)
    if kind == "SelectField":
        data = f.data
        try:
            key = (lang, owner, f.id, f.name, data)
            html = kept.get(key)
        except TypeError:  # a value that is no key: written as it is
            return _plain_select(f)
        if html is None:
            html = _plain_select(f)
            # Only a value the menu offers (or none): the kept markup stays bounded.
            if data is None or any(c.value == data for c in f.choices):
                kept[key] = html
        return html
    if kind in _BOXES:
        key = (lang, owner, f.id, f.name)
        parts = kept.get(key)
        if parts is None:
            parts = kept[key] = _box_parts(f)
        if parts is not False:
            value = f._value()
            return f"{parts[0]}{_attribute_value(value)}{parts[1]}"
    return form_field(f)


def _box_parts(f):
    """form_field(f)'s markup before and after the box's value, or False when the value
    is not written exactly once."""
    f._value = lambda: _VALUE  # an attribute of this field only, removed at once
    try:
        html = str(form_field(f))
    finally:
        del f._value
    if html.count(_VALUE) != 1:
        return False
    before, after = html.split(_VALUE)
    return before, after


def _plain_select(f) -> str:
    """form_field(f) for a select field; written here when it has no error, required flag
    or attributes of its own (else form_field writes it)."""
    if f.errors or f.flags.required or f.render_kw:
        return form_field(f)
    data = f.data
    options = "".join(
        [
            f"<option {'selected ' if c.value == data else ''}"
            f'value="{_attribute_value(c.value)}">{escape(c.label or c.value)}</option>'
            for c in f.choices
        ]
    )
    field_id = _attribute_value(f.id)
    if not f.description:
        return (
            f'<div class="field">\n    {f.label.__html__()}\n    <select id="{field_id}"'
            f' name="{_attribute_value(f.name)}">{options}</select>\n</div>\n'
        )
    return (
        f'<div class="field">\n    {f.label.__html__()}\n    <select aria-describedby='
        f'"{_attribute_value(f"{f.id}-hint")}" id="{field_id}" name="{_attribute_value(f.name)}">'
        f'{options}</select>\n<p class="hint" id="{escape(f.id)}-hint">{escape(f.description)}'
        "</p></div>\n"
    )


class PersonForm(Form):
    name = _line(_l("Full name"), 120, required=True, render_kw={"autocomplete": "off"})
    nik = _line(
        _l("NIK"),
        30,
        description=_l(
            "16 digits. If the birth date or sex it encodes disagrees with the record, "
            "you will see a warning and the number is still saved."
        ),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    sex = SelectField(_l("Sex"), choices=choices(SEXES))
    birth_place = _line(_l("Place of birth"), 80)
    birth_date = DateField(
        _l("Date of birth"),
        validators=[Optional()],
        description=_l("Leave empty if not known."),
    )
    mother_name = _line(
        _l("Mother's name"),
        120,
        description=_l(
            "As on the family card (SIAK). Staff only: residents give it to verify their "
            "account, so it is never shown to anyone else."
        ),
        render_kw={"autocomplete": "off"},
    )
    relation = SelectField(_l("Relation to the head of family"), choices=choices(RELATIONS))
    marital_status = SelectField(
        _l("Marital status"),
        choices=choices({"": _l("Not known"), **MARITAL_STATUSES}),
        default="",
    )
    disability = _line(
        _l("Disability"), 120, description=_l("Leave empty if none, e.g. “Cacat Rungu/Wicara”.")
    )
    occupation = _line(_l("Occupation"), 80)
    education = _line(_l("Education"), 80)
    status = SelectField(_l("Civil status"), choices=choices(CIVIL_STATUSES))
    status_date = DateField(_l("Since (date of death or of moving away)"), validators=[Optional()])

    def fields_html(self) -> Markup:
        """Every field but the CSRF token, as form_field() writes them (fields_html)."""
        return fields_html([f for f in self if f.name != "csrf_token"], PersonForm)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.marital_status.data is None:
            self.marital_status.data = ""  # "not known" in the menu

    def validate_birth_date(self, field):

        if field.data and (field.data > village_today() or field.data.year < 1900):
            raise ValidationError(_l("Enter a date of birth between 1900 and today."))

    def to_data(self) -> dict:
        return {name: getattr(self, name).data for name in self.data if name != "csrf_token"}


class MoveForm(Form):
    target = _line(
        _l("Family card (KK) number of the new household"),
        30,
        required=True,
        description=_l("The household must already be in the registry."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    relation = SelectField(_l("Relation to the new head of family"), choices=choices(RELATIONS))
    reason = SelectField(
        _l("Why"),
        choices=choices({k: MEMBERSHIP_REASONS[k] for k in ("moved_in", "split", "marriage")}),
    )
    on = DateField(_l("Date of the move"), validators=[DataRequired(message=_l("Enter a date."))])


class EnrolmentForm(Form):
    programme = SelectField(_l("Programme"), validators=[DataRequired(message=REQUIRED)])
    person = SelectField(_l("For"), default="")
    period_start = DateField(_l("From"), validators=[DataRequired(message=_l("Enter a date."))])
    period_end = DateField(_l("Until (empty if open-ended)"), validators=[Optional()])
    source = _line(_l("Source (for national programmes), e.g. DTKS 2026"), 80)

    def fields_html(self) -> Markup:
        """Every field but the CSRF token, as form_field() writes them (fields_html; the
        menus, which the view fills per household, are written each time)."""
        return fields_html(
            [f for f in self if f.name != "csrf_token"], EnrolmentForm, kept_menus=False
        )

    def validate_period_end(self, field):
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError(_l("The end date must not be before the start date."))


REASON_REQUIRED = _l("Please give a reason.")


def _reason(hint):
    return TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=REASON_REQUIRED),
            Length(max=1000, message=AT_MOST),
        ],
        description=hint,
        render_kw={"rows": 3},
    )


class MergeForm(Form):
    """Two records are one person: which one stays, and why (the view sets the choices)."""

    # The view offers exactly the two records of the pair and checks the answer itself.
    keep = RadioField(
        _l("Which record stays"),
        validators=[InputRequired(message=_l("Choose the record that stays."))],
        validate_choice=False,
    )
    reason = _reason(
        _l("What you checked, e.g. “Same woman: the family cards of both households name her.”")
    )


class NotDuplicateForm(Form):
    """Two similar records are different people, and why."""

    reason = _reason(
        _l("What shows they are different people, e.g. “Different mothers on the family cards.”")
    )
