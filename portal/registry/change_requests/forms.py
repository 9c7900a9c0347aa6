"""The request forms, one per kind. They check what a form can (required, lengths);
the registry's rules (a member of this household, a valid NIK or KK number, dates
not in the future, the limit of open requests) live in services/filing.py and come
back beside their field."""

from __future__ import annotations

from flask_wtf.file import MultipleFileField
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import DayField, Form, choices
from portal.i18n import lazy_gettext as _l
from portal.registry.change_requests.models import MAX_DOCUMENTS
from portal.registry.models import BPS_CRITERIA, KK_CHANGE_REASONS, RELATIONS, SEXES

REQUIRED = _l("Please fill in this field.")
AT_MOST = _l("At most %(max)d characters.")
YES_NO = {"1": _l("Yes"), "0": _l("No")}


def _line(label, max_len, required=False, **kw):
    first = DataRequired(message=REQUIRED) if required else Optional()
    return StringField(label, validators=[first, Length(max=max_len, message=AT_MOST)], **kw)


def _day(label, required=True):
    first = InputRequired(message=REQUIRED) if required else Optional()
    return DayField(label, validators=[first])


class RequestForm(Form):
    """What every kind has: a note for the office and the documents."""

    note = TextAreaField(
        _l("Anything the village office should know (optional)"),
        validators=[Optional(), Length(max=2000, message=AT_MOST)],
        render_kw={"rows": 3},
    )
    documents = MultipleFileField(
        _l("Photos or PDFs of the documents (optional, at most %(n)d)", n=MAX_DOCUMENTS),
        description=_l(
            "A photo (JPEG, PNG, WebP) or a PDF, each at most 5 MB. Only the village "
            "office sees them; the location in a photo is removed."
        ),
        render_kw={"accept": "image/jpeg,image/png,image/webp,application/pdf"},
    )

    def detail_fields(self) -> list:
        return []

    def to_details(self) -> dict:
        return {f.name: f.data for f in self.detail_fields()}


class BirthForm(RequestForm):
    name = _line(_l("The baby's name"), 120, required=True)
    sex = RadioField(_l("Sex"), choices=choices(SEXES), validators=[InputRequired(REQUIRED)])
    birth_date = _day(_l("Date of birth"))
    birth_certificate = _line(
        _l("Birth certificate number (if there is one)"), 40, render_kw={"autocomplete": "off"}
    )

    def detail_fields(self):
        return [self.name, self.sex, self.birth_date, self.birth_certificate]


class _MemberForm(RequestForm):
    """A death or a move out: the member is chosen from the household's living people."""

    person_id = RadioField(
        _l("Who"),
        coerce=int,
        choices=[],
        validate_choice=False,
        validators=[InputRequired(REQUIRED)],
    )

    def set_people(self, people) -> None:
        self.person_id.choices = [(p.id, p.name) for p in people]


class DeathForm(_MemberForm):
    date = _day(_l("Date of death"))
    certificate = _line(
        _l("Death certificate number, or the RT's letter (if there is one)"),
        80,
        render_kw={"autocomplete": "off"},
    )

    def detail_fields(self):
        return [self.person_id, self.date, self.certificate]


class MoveOutForm(_MemberForm):
    date = _day(_l("Date they moved out"))
    destination = _line(_l("Where to (village, town)"), 120)

    def detail_fields(self):
        return [self.person_id, self.date, self.destination]


class MoveInForm(RequestForm):
    name = _line(_l("Full name"), 120, required=True)
    nik = _line(
        _l("NIK (if they have one)"),
        30,
        description=_l("16 digits, as on the identity card (KTP)."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    sex = RadioField(_l("Sex"), choices=choices(SEXES), validators=[InputRequired(REQUIRED)])
    birth_date = _day(_l("Date of birth"))
    relation = SelectField(
        _l("Relation to the head of the family"),
        choices=choices({k: v for k, v in RELATIONS.items() if k != "head"}),
        default="child",
    )
    date = _day(_l("Date they moved in"))

    def detail_fields(self):
        return [self.name, self.nik, self.sex, self.birth_date, self.relation, self.date]


class KKNumberForm(RequestForm):
    kk_number = _line(
        _l("The new family card (KK) number"),
        30,
        required=True,
        description=_l("16 digits, as on the family card."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    reason = SelectField(
        _l("Why the number changed"),
        choices=choices(
            {k: v for k, v in KK_CHANGE_REASONS.items() if k not in ("first", "import")}
        ),
        default="moved",
    )

    def detail_fields(self):
        return [self.kk_number, self.reason]


def _rt_rw(label, required):
    first = InputRequired(message=REQUIRED) if required else Optional()
    message = _l("Enter a number from 1 to 999.")
    return IntegerField(
        label,
        validators=[first, NumberRange(min=1, max=999, message=message)],
        render_kw={"inputmode": "numeric"},
    )


class AddressForm(RequestForm):
    address = _line(_l("Address"), 200, required=True)
    rt = _rt_rw(_l("RT"), True)
    rw = _rt_rw(_l("RW"), False)

    def detail_fields(self):
        return [self.address, self.rt, self.rw]


class SituationForm(RequestForm):
    """The 14 BPS criteria, each answered yes or no as the household lives now."""

    def criteria_fields(self):
        return [getattr(self, f"bps_{key}") for key in BPS_CRITERIA]

    def detail_fields(self):
        return self.criteria_fields()

    def to_details(self) -> dict:
        return {f.name: f.data == "1" for f in self.criteria_fields() if f.data in ("0", "1")}

    def set_current(self, household) -> None:
        """Start from what the registry holds (a GET shows today's answers)."""
        for key in BPS_CRITERIA:
            field = getattr(self, f"bps_{key}")
            value = getattr(household, f"bps_{key}")
            if field.data in (None, "None") and value is not None:
                field.data = "1" if value else "0"


for _key, _label in BPS_CRITERIA.items():
    setattr(
        SituationForm,
        f"bps_{_key}",
        RadioField(_label, choices=choices(YES_NO), validators=[Optional()]),
    )

FORMS = {
    "birth": BirthForm,
    "death": DeathForm,
    "move_in": MoveInForm,
    "move_out": MoveOutForm,
    "kk_number": KKNumberForm,
    "address": AddressForm,
    "situation": SituationForm,
}


class RefuseForm(Form):
    reason = TextAreaField(
        _l("Why the request is refused"),
        validators=[DataRequired(REQUIRED), Length(max=2000, message=AT_MOST)],
        render_kw={"rows": 3},
    )
