"""Form helpers shared by the feature packages.

Every form of the portal derives from `Form`, so that every message beside a field is
in the reader's language, WTForms' own ("Not a valid integer value.") included: WTForms
ships no Indonesian catalogue, so its messages are translated in the portal's.
"""

from __future__ import annotations

import functools
import re

import flask_wtf.csrf
import wtforms.fields.core
import wtforms.widgets
from flask import current_app
from flask_babel import get_translations
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from markupsafe import Markup, escape
from wtforms import DateField, IntegerField
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation
from wtforms.widgets import core as widgets_core

from portal.i18n import lazy_gettext as _l
from portal.numbers import is_whole


def choices(mapping) -> list[SelectChoice]:
    """SelectField choices from a {value: label} mapping (labels may be lazy strings)."""
    return [SelectChoice(value=key, label=label) for key, label in mapping.items()]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a message for extraction without translating it here."""
    return message


def ngettext(singular: str, plural: str, n: int = 1) -> str:
    """Mark a plural message for extraction (WTForms asks for it with its own n)."""
    return singular if n == 1 else plural


# WTForms' own messages (wtforms/locale/wtforms.pot), listed so that extraction puts
# them in the portal's catalogue. The CSRF ones are not here: the portal answers a
# failed CSRF check with its own page (portal/errors.py).
WTFORMS_MESSAGES = (
    N_("Invalid field name '%s'."),
    N_("Field must be equal to %(other_name)s."),
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
    ),
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
    ),
    ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
    ),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid URL."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("This field cannot be edited."),
    N_("This field is disabled and cannot have a value."),
    N_("Invalid Choice: could not coerce."),
    N_("Not a valid choice."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
    ),
    N_("Not a valid datetime value."),
    N_("Not a valid date value."),
    N_("Not a valid time value."),
    N_("Not a valid week value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
)


class _CatalogueTranslations:
    """WTForms' messages through the portal's catalogue, in the reader's language.

    Raw gettext without formatting: WTForms fills in %(min)d and the like itself.
    """

    def gettext(self, string):
        return get_translations().gettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ngettext(singular, plural, n)


_TRANSLATIONS = _CatalogueTranslations()


class _TokenInput(wtforms.widgets.HiddenInput):
    """The CSRF token's input without an id: a page shows several forms (a row's buttons,
    a page's sections), and id="csrf_token" on each of them was invalid HTML. Nothing
    refers to it (no label, no script: htmx reads the token from <body>)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", False)
        return super().__call__(field, **kwargs)


class _TokenField(CSRFTokenField):
    widget = _TokenInput()


class _CSRF(_FlaskFormCSRF):
    field_class = _TokenField


class Form(FlaskForm):
    """The portal's form: CSRF from Flask-WTF, every message in the reader's language."""

    class Meta:
        csrf_class = _CSRF

        def get_translations(self, form):
            return _TRANSLATIONS


class EmptyForm(Form):
    """A POST-only button (logout, publish): the form carries just the CSRF token."""


class TokenOnly:
    """What a page's template reads of an EmptyForm shown only for its buttons' CSRF
    token: `csrf_token`, the same hidden input, without building a WTForms form (some
    130 Python calls a page). Nothing when CSRF protection is off, as such a form then
    has no token field. Checking a posted token stays with EmptyForm."""

    __slots__ = ()

    @property
    def csrf_token(self) -> Markup:
        if not current_app.config.get("WTF_CSRF_ENABLED", True):
            return Markup("")
        token = escape(flask_wtf.csrf.generate_csrf())
        return Markup(f'<input name="csrf_token" type="hidden" value="{token}">')  # noqa: S704


_GROUPED = re.compile(r"\d{1,3}(?:[.,\s\u00a0]\d{3})+")
_CURRENCY = re.compile(r"^(?:rp|idr)\.?\s*", re.IGNORECASE)


def parse_amount(text: str) -> int | None:
    """A whole number as people type it: "1500000", "1.500.000", "1,500,000",
    "Rp 1.500.000". None when it is not one (e.g. "2,5" or "abc")."""
    text = _CURRENCY.sub("", text.strip())
    if is_whole(text) or (text.isascii() and _GROUPED.fullmatch(text)):
        return int(re.sub(r"\D", "", text))
    return None


class AmountField(IntegerField):
    """A whole number with thousands separators allowed; the typed text is kept."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        value = parse_amount(valuelist[0])
        if value is None:
            self.data = None
            raise ValueError(_l("Enter a whole number, e.g. 1.500.000"))
        self.data = value

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class DayField(DateField):
    """A date (browser date picker) with a message in the reader's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date like 2026-12-31.")) from None


# WTForms writes every attribute of every input and <option> with
# Markup('{k}="{v}"').format(...): markupsafe's formatter is Python's string.Formatter,
# which made attribute writing half the time of a form page (a select of 20 options is
# 20 calls). The same output with an f-string: the key escaped as format() escapes a
# plain string, the value escaped and its quotes written as &quot; exactly as WTForms
# does. Most widgets look `html_params` up in their module; `Input` (every <input>) and
# `Button` call their own class attribute, `staticmethod(html_params)` bound when WTForms
# was imported, and `Label` (every <label>) the name `wtforms.widgets` re-exports, so
# those three are replaced as well: that reaches every widget and label.
# tests/test_library_overrides.py compares it with WTForms' own.
wtforms_html_params = widgets_core.html_params


@functools.cache
def _attribute_name(key: str) -> str:
    """A keyword as WTForms writes it (clean_key), escaped as format() escapes it."""
    return str(escape(widgets_core.clean_key(key)))


def _attribute_value(value) -> str:
    """escape(value) with its quotes as &quot;, as WTForms writes a value: a plain str
    (str.replace, not Markup.replace, which escapes its arguments on every call)."""
    return str.replace(escape(value), '"', "&quot;")


def html_params(**kwargs) -> Markup:
    params = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            params.append(_attribute_name(key))
        elif value is not False:
            params.append(f'{_attribute_name(key)}="{_attribute_value(value)}"')
    return Markup(" ".join(params))  # noqa: S704 (names and values escaped above)


# Each <option> of a select the same way, when it has no attributes of its own (every
# select here): value then selected, written as html_params sorts them. And the
# render_option a Select class uses is worked out once per class: WTForms 3.3 asks
# inspect.signature() about it on every select it renders.
wtforms_render_option = widgets_core.Select.render_option.__func__


def _render_option(cls, choice, **kwargs):
    if kwargs or choice.render_kw:
        return wtforms_render_option(cls, choice, **kwargs)
    value = choice.value
    if isinstance(value, bool):
        value = str(value)
    value = _attribute_value(value)
    label = escape(choice.label or choice.value)
    selected = "selected " if choice.selected else ""
    return Markup(f'<option {selected}value="{value}">{label}</option>')  # noqa: S704 (escaped)


widgets_core.Select.render_option = classmethod(_render_option)
widgets_core.Select._dispatch_render_option = classmethod(
    functools.cache(widgets_core.Select._dispatch_render_option.__func__)
)


# Every widget walks dir(field.flags) for the flags it writes (required, maxlength, ...):
# dir() lists and sorts the 28 names of the class on every field rendered, where only
# the flags set on the field (the instance's attributes: validators set them) can be
# among those it writes. Flags answers dir() with those (tests/test_library_overrides.py
# renders fields of every widget with and without it).
def _flags_dir(flags) -> list[str]:
    return list(vars(flags))


wtforms.fields.core.Flags.__dir__ = _flags_dir
widgets_core.html_params = html_params
widgets_core.Input.html_params = staticmethod(html_params)
widgets_core.Button.html_params = staticmethod(html_params)
wtforms.widgets.html_params = html_params


def form_field(f, hint=None) -> Markup:
    """One form field with its label, hint and errors, tied together for screen readers
    (aria-describedby, aria-invalid): what templates' `field()` macro writes, in Python
    (a form page writes 10-25 of them; the same markup as the Jinja macro had,
    tests/test_templates.py compares them)."""
    description = f.description or hint
    errors = f.errors
    described = []
    if description:
        described.append(f"{f.id}-hint")
    if errors:
        described.append(f"{f.id}-error")
    boolean = f.type == "BooleanField"
    parts = [
        '<div class="field',
        " has-error" if errors else "",
        " check" if boolean else "",
        '">\n',
    ]
    if boolean:
        widget = f(**({"aria-describedby": " ".join(described)} if described else {}))
        parts += ["    ", widget, " ", f.label.__html__(), "\n"]
    else:
        attrs = {}
        if described:
            attrs["aria-describedby"] = " ".join(described)
        if errors:
            attrs["aria-invalid"] = "true"
        if f.flags.required:
            attrs["required"] = True
        parts += ["    ", f.label.__html__(), "\n    ", f(**attrs), "\n"]
    if description:
        parts += ['<p class="hint" id="', escape(f.id), '-hint">', escape(description), "</p>"]
    if errors:
        parts += [
            '<p class="error" id="',
            escape(f.id),
            '-error">',
            Markup(" ").join(errors),
            "</p>",
        ]
    parts.append("</div>\n")
    return Markup("".join(parts))  # noqa: S704 (every value escaped above)
