"""Forms of the complaints: the public form, the tracking form, the staff's steps."""

from __future__ import annotations

from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.complaints import services
from portal.complaints.models import CATEGORIES, PRIORITIES
from portal.forms import Form, choices
from portal.i18n import lazy_gettext as _l
from portal.numbers import is_whole
from portal.uploads import ImageField

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("At most %(max)d characters.")
OTHER_STAFF = "lain"

NO_ASSIGNEE = _l("No staff member can take this complaint. Ask an administrator.")

IDENTITY = {
    "anonymous": _l("Anonymously: my name is not recorded anywhere"),
    "named": _l("With my name and contact, so that the office can reach me"),
}


class ComplaintForm(Form):
    category = SelectField(
        _l("What is it about?"),
        choices=choices({"": _l("Choose a category"), **CATEGORIES}),
        validators=[DataRequired(message=_l("Choose a category."))],
    )
    description = TextAreaField(
        _l("What happened?"),
        description=_l("Where and when, and who was affected. Do not write anyone's NIK."),
        validators=[
            DataRequired(message=REQUIRED),
            Length(
                min=10,
                message=_l(
                    "Please describe what happened in a few words (at least 10 characters)."
                ),
            ),
            Length(max=4000, message=TOO_LONG),
        ],
        render_kw={"rows": 6},
    )
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
    photo = ImageField(
        _l("Photo (optional)"),
        description=_l("PNG, JPEG or WebP. Location and camera details are removed."),
        limit=services.max_bytes,
        render_kw={"accept": "image/png,image/jpeg,image/webp"},
    )
    named_staff = SelectField(
        _l("Is a village staff member involved? (optional)"),
        description=_l(
            "A complaint about a staff member goes to the village head and the BPD, "
            "not to that person."
        ),
        choices=[],
        validate_choice=True,
    )
    named_staff_other = StringField(
        _l("Name of the staff member"),
        description=_l("Only if you chose “Someone else”."),
        validators=[Optional(), Length(max=120, message=TOO_LONG)],
    )
    identity = RadioField(
        _l("How do you want to send it?"), choices=choices(IDENTITY), default="anonymous"
    )
    reporter_name = StringField(
        _l("Your name"),
        validators=[Optional(), Length(max=120, message=TOO_LONG)],
        render_kw={"autocomplete": "name"},
    )
    reporter_contact = StringField(
        _l("Phone number or e-mail"),
        validators=[Optional(), Length(max=120, message=TOO_LONG)],
        render_kw={"autocomplete": "tel"},
    )

    def set_staff(self, staff) -> None:
        options = {"": _l("No one / I do not know")}
        options.update({str(u.id): u.name for u in staff})
        options[OTHER_STAFF] = _l("Someone else (type the name)")
        self.named_staff.choices = choices(options)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Here, not as a field validator: Optional() stops the field's chain when empty.
        other = self.named_staff_other
        if self.named_staff.data == OTHER_STAFF and not (other.data or "").strip():
            other.errors = [*other.errors, _l("Type the name, or choose a name from the list.")]
            return False
        return valid

    @property
    def named_staff_id(self) -> int | None:
        value = self.named_staff.data
        return int(value) if value and is_whole(value) else None

    @property
    def named_staff_text(self) -> str | None:
        return self.named_staff_other.data if self.named_staff.data == OTHER_STAFF else None


class TrackForm(Form):
    class Meta:
        csrf = False  # a GET form that changes nothing

    kode = StringField(
        _l("Tracking code"),
        description=_l("12 letters and digits, e.g. ABCD-EFGH-JK23"),
        validators=[DataRequired(message=REQUIRED), Length(max=40, message=TOO_LONG)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )

    def validate_kode(self, field):
        if services.normalise_code(field.data) is None:
            raise ValidationError(
                _l("A tracking code has 12 letters and digits, e.g. ABCD-EFGH-JK23.")
            )


class TriageForm(Form):
    category = SelectField(_l("Category"), choices=choices(CATEGORIES))
    priority = SelectField(_l("Priority"), choices=choices(PRIORITIES), default="normal")


class AssignForm(Form):
    assignee = SelectField(_l("Hand to"), choices=[], validate_choice=True)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.assignee.choices:
            # Nobody may act on it (e.g. it names the only active staff): say so, rather
            # than that the (empty) choice is not valid.
            self.assignee.errors = [NO_ASSIGNEE]
            return False
        return valid


class ReplyForm(Form):
    reply_body = TextAreaField(
        _l("Reply to the complainant"),
        description=_l("The complainant reads this on the tracking page."),
        validators=[DataRequired(message=REQUIRED), Length(max=4000, message=TOO_LONG)],
        render_kw={"rows": 4},
    )


class NoteForm(Form):
    note_body = TextAreaField(
        _l("Internal note"),
        description=_l("Only staff read this."),
        validators=[DataRequired(message=REQUIRED), Length(max=4000, message=TOO_LONG)],
        render_kw={"rows": 3},
    )


class CloseForm(Form):
    resolution = TextAreaField(
        _l("Resolution"),
        description=_l("How the complaint was resolved; the complainant reads this."),
        validators=[DataRequired(message=REQUIRED), Length(max=4000, message=TOO_LONG)],
        render_kw={"rows": 3},
    )
