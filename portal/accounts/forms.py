from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, Regexp

from portal.accounts.passwords import HINT, NewPassword
from portal.forms import Form, choices
from portal.i18n import LANGUAGE_NAMES
from portal.i18n import lazy_gettext as _l
from portal.numbers import DB_INT_MAX

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("This is too long.")
EMAIL_SHAPE = _l("Enter an e-mail address like name@example.com.")


class LoginForm(Form):
    identifier = StringField(
        _l("Username, phone or e-mail"),
        validators=[DataRequired(message=_l("Please fill in this field.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Please fill in this field.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(
        _l("Keep me logged in on this device"),
        description=_l("Not for staff accounts: they log in again each time."),
    )
    next = HiddenField()


class SecondFactorForm(Form):
    """The second step of a staff login: a code from the app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(message=_l("Please fill in this field.")), Length(max=32)],
        description=_l(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )
    next = HiddenField()


class EnrolForm(Form):
    """Confirming a new authenticator app with its first code."""

    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(message=_l("Please fill in this field.")), Length(max=32)],
        description=_l("After adding the account, type the 6-digit code the app shows."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    next = HiddenField()


def _password(label, autocomplete="new-password", with_hint=True):
    return PasswordField(
        label,
        description=HINT if with_hint else None,
        validators=[DataRequired(message=REQUIRED), NewPassword()],
        render_kw={"autocomplete": autocomplete},
    )


def _confirm():
    return PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(message=REQUIRED),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _phone(label=None):
    return StringField(
        label or _l("Mobile phone number"),
        description=_l("For example 0812 3456 7890. You log in with it."),
        validators=[Optional(), Length(max=24, message=TOO_LONG)],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )


def _email(label=None):
    return StringField(
        label or _l("E-mail address (optional if you give a phone number)"),
        validators=[
            Optional(),
            Length(max=254, message=TOO_LONG),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=EMAIL_SHAPE),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email", "autocapitalize": "none"},
    )


def _language(label=None):
    return SelectField(label or _l("Language"), choices=choices(LANGUAGE_NAMES), default="id")


class RegisterForm(Form):
    """A resident's sign-up: a phone number or an e-mail address is enough."""

    name = StringField(
        _l("Your name"),
        description=_l("As on your identity card (KTP)."),
        validators=[DataRequired(message=REQUIRED), Length(max=120, message=TOO_LONG)],
        render_kw={"autocomplete": "name"},
    )
    phone = _phone()
    email = _email()
    password = _password(_l("Password"))
    confirm = _confirm()
    locale = _language()


class VerifyForm(Form):
    """What the village registry holds about the resident and a stranger does not:
    compared by portal/registry/verification.py."""

    nik = StringField(
        _l("NIK (16 digits, on your identity card or family card)"),
        validators=[DataRequired(message=REQUIRED), Length(max=32, message=TOO_LONG)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    birth_date = DateField(
        _l("Date of birth"),
        validators=[DataRequired(message=_l("Enter a date."))],
        render_kw={"autocomplete": "bday"},
    )
    kk_number = StringField(
        _l("Family card (KK) number"),
        description=_l("16 digits, at the top of your family card (Kartu Keluarga)."),
        validators=[DataRequired(message=REQUIRED), Length(max=32, message=TOO_LONG)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    mother_name = StringField(
        _l("Your mother's name"),
        description=_l("As written on your family card, in the column for the mother."),
        validators=[DataRequired(message=REQUIRED), Length(max=120, message=TOO_LONG)],
        render_kw={"autocomplete": "off"},
    )


class ResetWithCodeForm(Form):
    """A new password with the one-time code from the village office."""

    identifier = StringField(
        _l("Phone number or e-mail"),
        validators=[DataRequired(message=REQUIRED), Length(max=254, message=TOO_LONG)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    code = StringField(
        _l("Reset code from the village office"),
        validators=[DataRequired(message=REQUIRED), Length(max=32, message=TOO_LONG)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none"},
    )
    password = _password(_l("New password"))
    confirm = _confirm()


class ChangePasswordForm(Form):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=REQUIRED), Length(max=256, message=TOO_LONG)],
        render_kw={"autocomplete": "current-password"},
    )
    password = _password(_l("New password"))
    confirm = _confirm()


class LanguageForm(Form):
    locale = _language(_l("Language of the portal"))


class DeletionForm(Form):
    reason = TextAreaField(
        _l("Why? (optional)"),
        validators=[Optional(), Length(max=500, message=TOO_LONG)],
        render_kw={"rows": 3},
    )


class AssistedSignupForm(Form):
    """An operator registers a resident at the office, linked to a registry person."""

    person_id = IntegerField(
        _l("Registry person (number from the search)"),
        validators=[
            DataRequired(message=_l("Choose the person in the registry.")),
            NumberRange(min=1, max=DB_INT_MAX, message=_l("No such person in the registry.")),
        ],
    )
    name = StringField(
        _l("Name on the account (empty: as in the registry)"),
        validators=[Optional(), Length(max=120, message=TOO_LONG)],
    )
    phone = _phone(_l("Mobile phone number"))
    email = _email(_l("E-mail address (optional)"))
    locale = _language()
    take_back = BooleanField(
        _l(
            "Another account is verified as this person: take the identity back for this "
            "resident (identity card checked in person)."
        )
    )
    reason = TextAreaField(
        _l("Reason for taking it back (the other account reads it)"),
        validators=[Optional(), Length(max=300, message=TOO_LONG)],
        render_kw={"rows": 2},
    )


class ApproveForm(Form):
    person_id = HiddenField(
        validators=[DataRequired(message=_l("Choose the person in the registry."))]
    )


class RejectForm(Form):
    reason = TextAreaField(
        _l("Reason (the resident reads it)"),
        validators=[DataRequired(message=REQUIRED), Length(max=300, message=TOO_LONG)],
        render_kw={"rows": 2},
    )


class ReclaimForm(Form):
    """The office gives a registry person back to the account of their real owner."""

    person_id = IntegerField(
        _l("Registry person (number from the search)"),
        validators=[
            DataRequired(message=_l("Choose the person in the registry.")),
            NumberRange(min=1, max=DB_INT_MAX, message=_l("No such person in the registry.")),
        ],
    )
    reason = TextAreaField(
        _l("Reason (the other account reads it)"),
        validators=[DataRequired(message=REQUIRED), Length(max=300, message=TOO_LONG)],
        render_kw={"rows": 2},
    )
    checked = BooleanField(
        _l("I checked this resident's identity card (KTP) and family card (KK) in person."),
        validators=[DataRequired(message=_l("Check the identity card in person first."))],
    )


class DecideDeletionForm(Form):
    note = StringField(
        _l("Note (needed when declining)"),
        validators=[Optional(), Length(max=300, message=TOO_LONG)],
    )
