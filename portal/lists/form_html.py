"""A filled-in form's fields written as `form_field()` writes them, at a fraction of its
cost (the period form: 17 fields, about 1,400 calls through WTForms' widgets).

A field's markup around its value (label, attributes, hint) is the same for every form
of its class in a language, so it is written once per worker by `form_field` itself,
with a marker in place of the value (or a menu without options), and kept by form
class, field name and language; each page then writes only the value or the menu's
options into it. A field with an error, a box posted back, or a widget this module does
not know goes through `form_field`. Only for form classes whose labels, hints,
attributes and validators are not changed per instance (a menu's choices may be).
The same technique as the branch perf3-misc's `portal/form_html.py` (not on main yet:
the lead may unify them). tests/test_lists_form_html.py compares the two in both
languages."""

from __future__ import annotations

from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from portal.forms import _attribute_value, form_field
from portal.i18n import current_lang

_MARK = "\x00value\x00"
_VALUE = frozenset({"TextInput", "NumberInput", "DateInput"})
_shapes: dict[tuple, tuple[str, str] | str] = {}


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
        head, found, tail = html.partition(_MARK)
        if not found or _MARK in tail:
            raise ValueError(f"no single place for the value of {f.name}")
        shape = (head, tail)
    _shapes[key] = shape
    return shape


def _options(f) -> str | None:
    """A menu's <option>s as the Select widget writes them (portal.forms' _render_option)
    from its plain choices; None for choices with attributes, groups or another shape."""
    if type(f) is not SelectField or type(f.choices) is not list:
        return None
    data, coerce = f.data, f.coerce
    out = []
    for c in f.choices:
        if type(c) is SelectChoice:
            if c.render_kw or c.optgroup is not None:
                return None
            value, label = c.value, c.label
        elif type(c) is tuple and len(c) == 2:
            value, label = c
        else:
            return None
        selected = "selected " if coerce(value) == data else ""
        shown = escape(label or value)
        if isinstance(value, bool):
            value = str(value)
        out.append(f'<option {selected}value="{_attribute_value(value)}">{shown}</option>')
    return "".join(out)


def field_html(form, f) -> Markup:
    """form_field(f) of `form`'s field `f`."""
    if f.errors:
        return form_field(f)
    widget = type(f.widget).__name__
    if widget == "CheckboxInput":
        if f._value() != "y":  # a value posted back: not kept
            return form_field(f)
        key = (type(form), f.name, current_lang(), bool(f.data))
        html = _shapes.get(key)
        if html is None:
            html = _shapes[key] = str(form_field(f))
        return Markup(html)  # noqa: S704 (form_field's markup)
    key = (type(form), f.name, current_lang())
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
