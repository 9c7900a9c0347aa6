"""Form fields written as form_field() writes them, at a fraction of its cost: a field's
markup around its value (label, attributes, hint) is the same for every form of its
class in a language, so it is rendered once per worker by form_field itself, with a
marker in place of the value, and kept by form class, field name and language; each
page then writes only the value (or a menu's options) into it. A field with an error,
or a widget this module does not know, goes through form_field. Only for form classes
whose fields' labels, hints, attributes and validators are not changed per instance (a
menu's choices may be). tests/test_form_html.py compares the two in both languages."""

from __future__ import annotations

from types import MappingProxyType

from flask import current_app
from flask_wtf import csrf as wtf_csrf
from markupsafe import Markup, escape
from wtforms import SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice

from portal.forms import _attribute_value, form_field
from portal.i18n import current_lang

_MARK = "\x00value\x00"
_VALUE = {"TextInput", "NumberInput", "DateTimeLocalInput", "DateInput", "TimeInput"}
_shapes: dict[tuple, tuple[str, str]] = {}


def _no_options():
    return iter(())


def _shape(f, key, widget: str) -> tuple[str, str]:
    """form_field(f) cut in two where the value (or the menu's options) goes."""
    if widget == "Select":
        f._iter_choices_normalized, f.has_groups = _no_options, bool
        try:
            html = str(form_field(f))
        finally:
            del f._iter_choices_normalized, f.has_groups
        head, _, tail = html.partition("</select>")
        shape = (head, "</select>" + tail)
    else:
        f._value = lambda: _MARK
        try:
            html = str(form_field(f))
        finally:
            del f._value
        head, _, tail = html.partition(_MARK)
        shape = (head, tail)
    _shapes[key] = shape
    return shape


def _options(f) -> str | None:
    """A menu's <option>s as the Select widget writes them (portal.forms' _render_option),
    read from its plain choices (None for choices with attributes, groups or another
    shape: the widget writes those)."""
    kind = type(f)
    if kind is SelectField:
        multiple, data = False, f.data
    elif kind is SelectMultipleField:
        multiple, data = True, f.data or ()
    else:
        return None
    return options_html(f.choices, f.coerce, data, multiple)


def options_html(choices, coerce, data, multiple: bool = False) -> str | None:
    """_options() of a menu with these choices, `coerce` and (processed) data."""
    if type(choices) is not list:
        return None
    out = []
    for c in choices:
        if type(c) is SelectChoice:
            if c.render_kw or c.optgroup is not None:
                return None
            value, label = c.value, c.label
        elif type(c) is tuple and len(c) == 2:
            value, label = c
        else:
            return None
        selected = coerce(value) in data if multiple else coerce(value) == data
        shown = escape(label or value)
        if isinstance(value, bool):
            value = str(value)
        out.append(
            f'<option {"selected " if selected else ""}value="{_attribute_value(value)}">'
            f"{shown}</option>"
        )
    return "".join(out)


def field_html(form, f, lang: str | None = None) -> Markup:
    """form_field(f) of `form`'s field `f` (`lang` the page's language, when the caller
    has it already)."""
    if f.errors:
        return form_field(f)
    widget = type(f.widget).__name__
    if widget == "CheckboxInput":
        if f._value() != "y":  # a value posted back: not kept
            return form_field(f)
        key = (type(form), f.name, lang or current_lang(), bool(getattr(f, "checked", f.data)))
        html = _shapes.get(key)
        if html is None:
            html = _shapes[key] = str(form_field(f))
        return Markup(html)  # noqa: S704 (form_field's markup)
    key = (type(form), f.name, lang or current_lang())
    if widget == "Select":
        if (options := _options(f)) is None:
            return form_field(f)
        head, tail = _shapes.get(key) or _shape(f, key, widget)
        return Markup(f"{head}{options}{tail}")  # noqa: S704 (escaped in _options)
    if widget == "TextArea":
        head, tail = _shapes.get(key) or _shape(f, key, widget)
        return Markup(f"{head}{escape(f._value())}{tail}")  # noqa: S704 (escaped)
    if widget in _VALUE:
        head, tail = _shapes.get(key) or _shape(f, key, widget)
        return Markup(f"{head}{_attribute_value(f._value())}{tail}")  # noqa: S704 (escaped)
    return form_field(f)


def fields_html(form, indent: str = "  ") -> Markup:
    """Every field of `form` but the CSRF token, each as field_html() writes it after
    `indent` and before a newline: what a template's lines `{indent}{{ field(f) }}` wrote."""
    lang = current_lang()
    return Markup(  # noqa: S704 (form_field's markup)
        "".join([f"{indent}{field_html(form, f, lang)}\n" for f in form if f.name != "csrf_token"])
    )


class BlankForm:
    """A new item's blank form on a GET whose fields the page keeps per worker (its
    template writes them inside templating's kept_fragment): what the template reads of
    the form (no errors, the CSRF field) without building the WTForms form (500-650
    calls); iterating it builds one, for the page that writes the fields the first time."""

    errors = MappingProxyType({})

    def __init__(self, cls):
        self._cls = cls

    @property
    def csrf_token(self) -> Markup:
        """The CSRF field as the form's _TokenField writes it (portal.forms); nothing with
        CSRF off (the form then has no such field)."""
        if not current_app.config.get("WTF_CSRF_ENABLED", True):
            return Markup("")
        token = escape(wtf_csrf.generate_csrf())
        return Markup(f'<input name="csrf_token" type="hidden" value="{token}">')  # noqa: S704

    def built(self):
        """The WTForms form."""
        return self._cls()

    def __iter__(self):
        return iter(self._cls())
