"""Forms of the CSR board: company registration, pledges and offers, staff editing."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from portal.accounts.passwords import HINT as PASSWORD_HINT
from portal.accounts.passwords import NewPassword
from portal.csr import uploads
from portal.csr.models import NEED_KINDS, RECEIPT_LANGUAGES, SECTORS
from portal.forms import AmountField, DayField, Form, choices
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.uploads import DocumentField

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("At most %(max)d characters.")
MAX_AMOUNT = 10**15
AMOUNT_HINT = _l("A whole number, e.g. 1.500.000")


def _text(label, max_len=2000, required=False, rows=4, **kw):
    validators = [DataRequired(message=REQUIRED)] if required else [Optional()]
    validators.append(Length(max=max_len, message=TOO_LONG))
    return TextAreaField(label, validators=validators, render_kw={"rows": rows}, **kw)


def _line(label, max_len=200, required=False, **kw):
    validators = [DataRequired(message=REQUIRED)] if required else [Optional()]
    validators.append(Length(max=max_len, message=TOO_LONG))
    return StringField(label, validators=validators, **kw)


def _amount(label, required=True, description=AMOUNT_HINT, minimum=1):
    validators = [InputRequired(message=REQUIRED)] if required else [Optional()]
    validators.append(
        NumberRange(
            min=minimum, max=MAX_AMOUNT, message=_l("Enter a whole number greater than zero.")
        )
    )
    return AmountField(
        label,
        validators=validators,
        description=description,
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class ImageField(FileField):
    """An uploaded image, checked by content and re-encoded when the form validates;
    the clean image is then in `.image`."""

    def __init__(self, *args, as_logo: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.as_logo = as_logo
        self.image: uploads.CleanImage | None = None

    def has_file(self) -> bool:
        return bool(self.data and getattr(self.data, "filename", None))

    def pre_validate(self, form):
        self.image = None
        if not self.has_file():
            return
        raw = self.data.read(uploads.max_bytes() + 1)
        try:
            self.image = uploads.clean_image(
                raw,
                max_side=uploads.LOGO_SIZE if self.as_logo else uploads.PHOTO_SIZE,
                as_logo=self.as_logo,
            )
        except uploads.UploadError as error:
            raise StopValidation(str(error.message)) from None


class RegisterForm(Form):
    name = _line(_l("Company name"), max_len=160, required=True)
    sector = SelectField(_l("Sector"), choices=choices(SECTORS), default="other")
    contact_name = _line(_l("Contact person"), max_len=120, required=True)
    email = StringField(
        _l("E-mail address"),
        description=_l("You log in with this address."),
        validators=[
            DataRequired(message=REQUIRED),
            Length(max=254, message=TOO_LONG),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message=_l("Enter an e-mail address like name@company.co.id."),
            ),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email", "autocapitalize": "none"},
    )
    contact_phone = _line(_l("Phone (optional)"), max_len=40, render_kw={"autocomplete": "tel"})
    website = StringField(
        _l("Website (optional)"),
        validators=[
            Optional(),
            Length(max=300, message=TOO_LONG),
            URL(require_tld=True, message=_l("Enter a full address starting with https://")),
            Regexp(r"^https?://", message=_l("Enter a full address starting with https://")),
        ],
    )
    description = _text(_l("About the company's CSR programme (optional)"), rows=4)
    locale = SelectField(
        _l("Language of your receipts"),
        choices=choices(RECEIPT_LANGUAGES),
        default="id",
    )
    logo = ImageField(
        _l("Logo (optional)"),
        as_logo=True,
        description=_l("PNG, JPEG or WebP, at most 2 MB."),
        render_kw={"accept": "image/png,image/jpeg,image/webp"},
    )
    password = PasswordField(
        _l("Password"),
        description=PASSWORD_HINT,
        validators=[DataRequired(message=REQUIRED), NewPassword()],
        render_kw={"autocomplete": "new-password"},
    )
    password2 = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(message=REQUIRED),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    consent = BooleanField(
        _l(
            "I agree that the company's name, logo, pledges and deliveries are shown in "
            "public on this portal."
        ),
        validators=[DataRequired(message=_l("Please tick this box to register."))],
    )


class LogoForm(Form):
    logo = ImageField(
        _l("New logo"),
        as_logo=True,
        description=_l("PNG, JPEG or WebP, at most 2 MB."),
        render_kw={"accept": "image/png,image/jpeg,image/webp"},
    )

    def validate_logo(self, field):
        if not field.has_file():
            raise ValidationError(_l("Choose an image file."))


class PledgeForm(Form):
    amount = _amount(_l("Amount you pledge"))
    value = _amount(
        _l("Estimated value in rupiah (optional)"),
        required=False,
        minimum=0,
        description=_l("Lets the board add up goods, training and money."),
    )
    expected_on = DayField(_l("Delivered by (optional)"), validators=[Optional()])
    conditions = _text(_l("Conditions (optional)"), max_len=2000, rows=3)


class OfferForm(Form):
    kind = SelectField(_l("Kind"), choices=choices(NEED_KINDS), default="goods")
    description = _text(_l("What you offer"), max_len=2000, required=True, rows=4)
    amount = _amount(_l("Quantity or amount"))
    unit = _line(
        _l("Unit (optional)"),
        max_len=60,
        description=_l("E.g. sacks of 25 kg, hours, laptops. Leave empty for money."),
    )
    value = _amount(
        _l("Estimated value in rupiah (optional)"),
        required=False,
        minimum=0,
        description=_l("Lets the board add up goods, training and money."),
    )
    expected_on = DayField(_l("Available by (optional)"), validators=[Optional()])
    conditions = _text(_l("Conditions (optional)"), max_len=2000, rows=3)


class NoteForm(Form):
    """A status step (confirm, withdraw, close) with an optional note."""

    to = HiddenField()
    note = _text(_l("Note (optional)"), max_len=1000, rows=2)


class NeedForm(Form):
    kind = SelectField(_l("Kind"), choices=choices(NEED_KINDS), default="goods")
    title_id = _line(_l("Title (Indonesian)"), required=True)
    title_en = _line(_l("Title (English, optional)"))
    description_id = _text(
        _l("Why the village needs it (Indonesian)"), max_len=5000, required=True, rows=5
    )
    description_en = _text(_l("Why the village needs it (English, optional)"), max_len=5000)
    target = _amount(_l("Target"), description=_l("In rupiah for money, else in the unit below."))
    unit_id = _line(
        _l("Unit (Indonesian)"),
        max_len=60,
        description=_l("E.g. karung 25 kg, jam, unit. Leave empty for money."),
    )
    unit_en = _line(_l("Unit (English, optional)"), max_len=60)
    programme_id = SelectField(_l("Programme it serves (optional)"), coerce=int, default=0)
    priority_id = _line(
        _l("Village priority it serves (Indonesian, optional)"),
        max_len=300,
        description=_l("Which decision set this priority, e.g. Musdes of 12 March 2026."),
    )
    priority_en = _line(_l("Village priority (English, optional)"), max_len=300)
    ballot_id = SelectField(
        _l("Priority ballot that decided it (optional)"),
        coerce=int,
        default=0,
        description=_l("Its results are linked from the need's page once they are public."),
    )
    deadline = DayField(_l("Needed by (optional)"), validators=[Optional()])
    rank = IntegerField(
        _l("Rank"),
        default=100,
        description=_l("1 is the most urgent; the board lists needs by rank."),
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(min=1, max=10000, message=_l("Enter a number from 1 to 10,000.")),
        ],
    )
    is_open = BooleanField(_l("Accepting pledges"), default=True)


class NeedChoicesForm(Form):
    """A blank NeedForm's two fields whose choices are read on every page (programmes,
    ballots); the new-need page keeps the rest (NEED_FIELD_RUNS, kept_fragment)."""

    programme_id = NeedForm.programme_id
    ballot_id = NeedForm.ballot_id


# NeedForm's fields in order, in runs: kept (True: the same blank markup on every GET)
# or built (False: NeedChoicesForm's). tests/test_csr.py checks they are NeedForm's.
NEED_FIELD_RUNS = (
    (
        True,
        (
            "kind",
            "title_id",
            "title_en",
            "description_id",
            "description_en",
            "target",
            "unit_id",
            "unit_en",
        ),
    ),
    (False, ("programme_id",)),
    (True, ("priority_id", "priority_en")),
    (False, ("ballot_id",)),
    (True, ("deadline", "rank", "is_open")),
)


class DeliveryForm(Form):
    amount = _amount(_l("Amount delivered"))
    delivered_on = DayField(
        _l("Delivered on"),
        default=village_today,
        validators=[InputRequired(message=_l("Enter a date like 2026-12-31."))],
    )
    note = _text(_l("Note"), max_len=1000, rows=2)
    attachment = DocumentField(
        _l("Receipt or photo (optional)"),
        limit=uploads.max_bytes,
        description=_l(
            "A PDF, or a picture (PNG, JPEG or WebP), at most 2 MB. "
            "Seen by staff and the company only."
        ),
        render_kw={"accept": "application/pdf,image/png,image/jpeg,image/webp"},
    )
    beyond_target = BooleanField(_l("The village really received more than the need's target"))


class AcceptOfferForm(Form):
    need_id = SelectField(_l("Need this offer answers"), coerce=int)
    amount = _amount(_l("Amount, in the need's unit"))
    note = _text(_l("Note (optional)"), max_len=1000, rows=2)


class VerifyCompanyForm(Form):
    list_in_directory = BooleanField(_l("Also list the company in the public partner directory"))
    note = _text(_l("Note (optional)"), max_len=500, rows=2)


class RejectCompanyForm(Form):
    note = _text(_l("Reason"), max_len=500, required=True, rows=2)


class CodeForm(Form):
    """The verify page's GET form: no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    kode = StringField(
        _l("Verification code"),
        validators=[DataRequired(message=REQUIRED), Length(max=40, message=TOO_LONG)],
        description=_l("The code printed on the acknowledgement, e.g. ABCD-EFGH-JKLM-NPQR."),
        render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"},
    )
