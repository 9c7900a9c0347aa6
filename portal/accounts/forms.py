from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
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
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class EmptyForm(FlaskForm):
    """A POST-only button (logout, publish): the form carries just the CSRF token."""


class SecondFactorForm(FlaskForm):
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


class EnrolForm(FlaskForm):
    """Confirming a new authenticator app with its first code."""

    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(message=_l("Please fill in this field.")), Length(max=32)],
        description=_l("After adding the account, type the 6-digit code the app shows."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    next = HiddenField()
