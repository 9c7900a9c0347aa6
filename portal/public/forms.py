"""Staff forms for public content. Indonesian text is required, English optional."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, Regexp

from portal.forms import Form, choices
from portal.i18n import lazy_gettext as _l
from portal.programmes.models import AID_TYPES
from portal.public.models import ANNOUNCEMENT_CATEGORIES, MEETING_KINDS, PARTNER_KINDS

REQUIRED = _l("Please fill in this field.")
LONG_TEXT = 20000


def _text(label, max_len=LONG_TEXT, required=False, rows=6, **kw):
    validators = [DataRequired(message=REQUIRED)] if required else [Optional()]
    validators.append(Length(max=max_len, message=_l("At most %(max)d characters.")))
    return TextAreaField(label, validators=validators, render_kw={"rows": rows}, **kw)


def _line(label, max_len=200, required=False, **kw):
    validators = [DataRequired(message=REQUIRED)] if required else [Optional()]
    validators.append(Length(max=max_len, message=_l("At most %(max)d characters.")))
    return StringField(label, validators=validators, **kw)


MARKDOWN_HINT = _l("Markdown: **bold**, *italic*, - list, [link](https://...)")


class AnnouncementForm(Form):
    title_id = _line(_l("Title (Indonesian)"), required=True)
    title_en = _line(_l("Title (English, optional)"))
    category = SelectField(_l("Category"), choices=choices(ANNOUNCEMENT_CATEGORIES))
    body_id = _text(_l("Text (Indonesian)"), required=True, rows=10, description=MARKDOWN_HINT)
    body_en = _text(_l("Text (English, optional)"), rows=10, description=MARKDOWN_HINT)
    pinned = BooleanField(_l("Pin to the top of the list"))


class ProgrammeForm(Form):
    name_id = _line(_l("Name (Indonesian)"), max_len=160, required=True)
    name_en = _line(_l("Name (English, optional)"), max_len=160)
    slug = StringField(
        _l("Short address"),
        validators=[
            DataRequired(message=REQUIRED),
            Length(max=80, message=_l("At most %(max)d characters.")),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message=_l("Use lower-case letters, digits and hyphens only, e.g. bantuan-pangan."),
            ),
        ],
    )
    aid_type = SelectField(_l("Kind of aid"), choices=choices(AID_TYPES))
    is_open = BooleanField(_l("Running now"), default=True)
    summary_id = _text(_l("Summary (Indonesian)"), max_len=1000, required=True, rows=3)
    summary_en = _text(_l("Summary (English, optional)"), max_len=1000, rows=3)
    eligibility_id = _text(
        _l("Who is eligible (Indonesian)"), required=True, rows=6, description=MARKDOWN_HINT
    )
    eligibility_en = _text(_l("Who is eligible (English, optional)"), rows=6)
    benefits_id = _text(
        _l("What is given (Indonesian)"), required=True, rows=4, description=MARKDOWN_HINT
    )
    benefits_en = _text(_l("What is given (English, optional)"), rows=4)
    collection_id = _text(
        _l("When and where to collect (Indonesian)"), rows=4, description=MARKDOWN_HINT
    )
    collection_en = _text(_l("When and where to collect (English, optional)"), rows=4)
    benefit_value = IntegerField(
        _l("Value per household in rupiah (optional)"),
        validators=[
            Optional(),
            NumberRange(
                min=0, max=1_000_000_000, message=_l("Enter an amount from 0 to 1,000,000,000.")
            ),
        ],
    )
    contact_name = _line(_l("Whom to ask"), max_len=120)
    contact_phone = _line(_l("Contact phone"), max_len=40)
    start_date = DateField(_l("Starts on"), validators=[Optional()])
    end_date = DateField(_l("Ends on"), validators=[Optional()])

    def validate_end_date(self, field):
        from wtforms.validators import ValidationError

        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end date must not be before the start date."))


class MeetingForm(Form):
    title_id = _line(_l("Title (Indonesian)"), required=True)
    title_en = _line(_l("Title (English, optional)"))
    kind = SelectField(_l("Kind of meeting"), choices=choices(MEETING_KINDS))
    starts_at = DateTimeLocalField(
        _l("Date and time (WIB)"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(message=_l("Enter a date and time."))],
    )
    place = _line(_l("Place"), required=True)
    agenda_id = _text(_l("Agenda (Indonesian)"), required=True, description=MARKDOWN_HINT)
    agenda_en = _text(_l("Agenda (English, optional)"))
    minutes_id = _text(_l("Minutes (Indonesian), once held"), rows=10, description=MARKDOWN_HINT)
    minutes_en = _text(_l("Minutes (English, optional)"), rows=10)
    attendance = IntegerField(
        _l("Number of people present"),
        validators=[
            Optional(),
            NumberRange(min=0, max=100000, message=_l("Enter a number from 0 to 100,000.")),
        ],
    )


class PartnerForm(Form):
    name = _line(_l("Name"), max_len=160, required=True)
    kind = SelectField(_l("Kind"), choices=choices(PARTNER_KINDS))
    description_id = _text(
        _l("Description (Indonesian)"), required=True, rows=5, description=MARKDOWN_HINT
    )
    description_en = _text(_l("Description (English, optional)"), rows=5)
    website = StringField(
        _l("Website"),
        validators=[
            Optional(),
            Length(max=300, message=_l("At most %(max)d characters.")),
            URL(require_tld=True, message=_l("Enter a full address starting with https://")),
            Regexp(r"^https?://", message=_l("Enter a full address starting with https://")),
        ],
    )
    contact = _line(_l("Contact"), max_len=160)
