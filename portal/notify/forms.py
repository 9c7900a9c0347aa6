"""Forms of the notify service: subscribing, the code, a broadcast, a consent at the
office."""

from __future__ import annotations

from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import Form, choices
from portal.i18n import lazy_gettext as _l
from portal.notify.models import TOPICS

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("At most %(max)d characters.")
CHANNEL_CHOICES = {"whatsapp": _l("WhatsApp"), "sms": _l("SMS"), "email": _l("E-mail")}
LANGUAGE_CHOICES = {"id": "Bahasa Indonesia", "en": "English"}


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SubscriptionForm(Form):
    """What a resident (or the office, for them) chooses."""

    phone = StringField(
        _l("Phone number"),
        description=_l("We send a code to this number; you type it on the next page."),
        # Required unless messages come by e-mail (the service says which is missing).
        validators=[Length(max=24, message=TOO_LONG)],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    email = StringField(
        _l("E-mail address (only for messages by e-mail)"),
        validators=[Optional(), Length(max=254, message=TOO_LONG)],
        render_kw={"inputmode": "email", "autocomplete": "email"},
    )
    channel = RadioField(
        _l("Send me messages by"), choices=choices(CHANNEL_CHOICES), default="whatsapp"
    )
    language = RadioField(_l("Language"), choices=choices(LANGUAGE_CHOICES), default="id")
    topics = CheckboxesField(_l("Topics"), choices=choices(TOPICS))
    rt = StringField(
        _l("RT (optional)"),
        validators=[Optional(), Length(max=3, message=TOO_LONG)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    rw = StringField(
        _l("RW (optional)"),
        validators=[Optional(), Length(max=3, message=TOO_LONG)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )

    def choices_data(self) -> dict:
        return {
            "topics": self.topics.data or [],
            "rt": self.rt.data,
            "rw": self.rw.data,
            "channel": self.channel.data,
            "locale": self.language.data,
        }


class CodeForm(Form):
    code = StringField(
        _l("The code we sent"),
        validators=[DataRequired(message=REQUIRED), Length(max=12, message=TOO_LONG)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )


class BroadcastForm(Form):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)],
    )
    topic = SelectField(_l("Topic"), choices=choices(TOPICS))
    audience = SelectField(_l("Who receives it"), choices=[])
    areas = StringField(
        _l("RT/RW (for some RTs)"),
        description=_l("For example: 3/2, 4/2"),
        validators=[Length(max=400, message=TOO_LONG)],
    )
    sms_id = TextAreaField(
        _l("Short text for SMS (Indonesian)"),
        description=_l("Counted in SMS segments on the next page."),
        validators=[Length(max=480, message=TOO_LONG)],
        render_kw={"rows": 3},
    )
    sms_en = TextAreaField(
        _l("Short text for SMS (English, optional)"),
        validators=[Length(max=480, message=TOO_LONG)],
        render_kw={"rows": 3},
    )
    text_id = TextAreaField(
        _l("Text for WhatsApp (Indonesian)"),
        validators=[Length(max=4000, message=TOO_LONG)],
        render_kw={"rows": 6},
    )
    text_en = TextAreaField(
        _l("Text for WhatsApp (English, optional)"),
        validators=[Length(max=4000, message=TOO_LONG)],
        render_kw={"rows": 6},
    )
    link = StringField(
        _l("Page on the portal (optional)"),
        description=_l("A path such as /pengumuman/3: messages carry a short link to it."),
        validators=[Length(max=300, message=TOO_LONG)],
    )

    def set_audiences(self, options: list[tuple[str, str]]) -> None:
        """Options "topic", "rt" and "<kind>:<id>" for each registered audience's
        choices (a recipient list, a course, a round)."""
        self.audience.choices = options

    def audience_values(self) -> tuple[str, int | None]:
        kind, _, ref = (self.audience.data or "topic").partition(":")
        return kind, int(ref) if ref.isdigit() else None
