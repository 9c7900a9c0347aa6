"""An edit form's fields on a GET, written without building the WTForms form (binding and
processing each field cost 500-650 Python calls): the markup around each value is kept
per worker by portal.form_html (by form class, field and language; a box by whether it
is ticked), so only the values are needed. Each is worked out from the item as WTForms
works it out (Form.process with obj: the item's attribute through the field's
process_data, then _value() as a GET without posted data shows it) and written into the
kept markup. What a class's fields are is noted from a form of it built before
(note_fields); a class with a field of another kind, a filter, or an id that is not its
name is not written here, nor a page whose markup is not all kept yet (the caller then
builds the form, which keeps it). A menu's choices are the class's own unless the caller
gives the ones its view sets. tests/test_form_html.py compares both ways in both languages."""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.form_html import _VALUE, _shapes, options_html
from portal.forms import _attribute_value
from portal.i18n import current_lang

# The kinds of field written here, with their widget ("box": one form_html writes the
# value into, a TextArea or one of its _VALUE inputs).
_KINDS = {
    "StringField": "box",
    "TextAreaField": "box",
    "IntegerField": "box",
    "DateField": "box",
    "DateTimeLocalField": "box",
    "SelectField": "Select",
    "BooleanField": "CheckboxInput",
}
# Per form class: (name, kind, widget, coerce, date format, choices, default) of each
# field but the CSRF token, in the form's order; False for a class this module does not
# write.
_recipes: dict[type, tuple | bool] = {}


def note_fields(form) -> None:
    """Note what the fields of `form`'s class are (once per class and worker)."""
    cls = type(form)
    if cls in _recipes:
        return
    recipe = []
    for f in form:
        if f.name == "csrf_token":
            continue
        kind, widget = f.type, type(f.widget).__name__
        if (
            _KINDS.get(kind) not in (widget, "box")
            or (_KINDS[kind] == "box" and widget not in _VALUE | {"TextArea"})
            or type(f).__name__ != kind
            or f.filters
            or f.id != f.name
        ):
            _recipes[cls] = False
            return
        fmt = f.format[0] if kind in ("DateField", "DateTimeLocalField") else None
        choices = list(f.choices) if kind == "SelectField" and f.choices is not None else None
        coerce = getattr(f, "coerce", None)
        recipe.append((f.name, kind, widget, coerce, fmt, choices, f.default))
    _recipes[cls] = tuple(recipe)


def _shown(kind: str, coerce, fmt, value):
    """(processed data, the text a box shows) as WTForms works them out; None for a value
    its process_data would refuse (the form is built then)."""
    if kind in ("StringField", "TextAreaField"):
        return value, "" if value is None else str(value)
    if kind == "IntegerField":
        if value is not None and type(value) is not int:
            return None
        return value, "" if value is None else str(value)
    if kind in ("DateField", "DateTimeLocalField"):
        return value, value and value.strftime(fmt) or ""
    if kind == "SelectField":
        try:
            return (coerce(value) if value is not None else None), None
        except (ValueError, TypeError):
            return None
    return bool(value), None  # BooleanField


def kept_fields_html(
    cls: type, obj, overrides: dict, indent: str = "  ", menus: dict | None = None
) -> Markup | None:
    """form_html.fields_html(cls(obj=obj), indent) with the `overrides` (field name ->
    data) set after processing, as a GET shows it (`obj` None: the blank form, each field
    at its default); None when the form must be built.
    `menus` (field name -> choices) are the choices a view sets on a form's menus."""
    recipe = _recipes.get(cls)
    if not recipe:
        return None
    lang = current_lang()
    out = []
    for name, kind, widget, coerce, fmt, choices, default in recipe:
        if name in overrides:
            value = overrides[name]
        elif obj is None and not callable(default):
            value = default  # a new item's blank form
        elif obj is not None and hasattr(obj, name):
            value = getattr(obj, name)
        else:
            return None  # a default worked out per form, or none to read
        shown = _shown(kind, coerce, fmt, value)
        if shown is None:
            return None
        data, text = shown
        if kind == "BooleanField":
            html = _shapes.get((cls, name, lang, data))
            if html is None:
                return None
            out.append(f"{indent}{html}\n")
            continue
        shape = _shapes.get((cls, name, lang))
        if shape is None:
            return None
        if kind == "SelectField":
            inner = options_html(menus[name] if menus and name in menus else choices, coerce, data)
            if inner is None:
                return None
        elif widget == "TextArea":
            inner = escape(text)
        else:
            inner = _attribute_value(text)
        out.append(f"{indent}{shape[0]}{inner}{shape[1]}\n")
    return Markup("".join(out))  # noqa: S704 (kept markup, values escaped)
