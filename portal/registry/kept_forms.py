"""The edit forms of a person and of a household as a GET shows them, written without
building the WTForms form: building one (binding and processing each field) cost 520 to
830 Python calls, while the fields' markup is already kept per worker by forms.py's
fields_html (by language, form class, field and, for a menu, its value). Here each
field's value is worked out from the record as WTForms works it out (the record's
attribute, else the field's default; a text the value as a string, a number the int as a
string, a date in the field's format, a menu the value through its `coerce`; then what
the form's __init__ changes) and written into that kept markup. A page whose markup is not
all kept yet, or a value that does not fit, gets the WTForms form (which keeps its markup
for the next page). What a class's fields are is noted from a form of that class built
before (remember()). tests/test_registry_kept_forms.py compares both ways' pages.
"""

from __future__ import annotations

from types import MappingProxyType

from flask import current_app
from flask_wtf import csrf as wtf_csrf
from markupsafe import Markup, escape

from portal.forms import _attribute_value
from portal.i18n import current_lang
from portal.registry.forms import OTHER_FIELDS, STORED, HouseholdForm, PersonForm
from portal.registry.models import BPS_CRITERIA

_BOXES = frozenset({"StringField", "TextAreaField", "IntegerField", "DateField"})
# Per form class: (name, id, kind, coerce, date format, default) of each field but the
# CSRF token, in the form's order; False for a class this module cannot write.
_recipes: dict[type, tuple | bool] = {}
_CRITERIA = tuple(f"bps_{key}" for key in BPS_CRITERIA)


def remember(form) -> None:
    """Note what the fields of `form`'s class are (once per class and worker)."""
    cls = type(form)
    if cls in _recipes:
        return
    recipe = []
    for f in form:
        if f.name == "csrf_token":
            continue
        kind = f.type
        if f.filters or f.id != f.name or (kind not in _BOXES and kind != "SelectField"):
            _recipes[cls] = False
            return
        fmt = f.format[0] if kind == "DateField" else None
        recipe.append((f.name, f.id, kind, getattr(f, "coerce", None), fmt, f.default))
    _recipes[cls] = tuple(recipe)


_MISSING = object()


def _default(default):
    """What Form.process gives a field the record has no attribute for: its default
    (called when it can be)."""
    if callable(default):
        try:
            return default()
        except TypeError:
            return default
    return default


def _processed(recipe, obj) -> dict | None:
    """Each field's data as WTForms processes it (None for a value it would refuse): the
    record's attribute (WTForms asks hasattr, then getattr: one getattr with a default
    here), else the field's default."""
    data = {}
    for name, _id, kind, coerce, _fmt, default in recipe:
        value = getattr(obj, name, _MISSING)
        if value is _MISSING:
            value = _default(default)
        if value is not None:
            if kind == "IntegerField":
                if type(value) is not int:
                    return None
            elif kind == "SelectField":
                try:
                    value = coerce(value)
                except (ValueError, TypeError):
                    return None
        data[name] = value
    return data


def _written(cls, recipe, data: dict) -> dict[str, str] | None:
    """Each field's markup from the kept markup, or None when some is not kept. A box's
    value is written as its field._value() gives it on a GET (no raw data): a date in the
    field's format, anything else as a string, None as nothing."""
    kept = current_app.extensions.get("registry_field_markup")
    if not kept:
        return None
    lang = current_lang()
    html = {}
    for name, field_id, kind, _coerce, fmt, _default in recipe:
        value = data[name]
        if kind == "SelectField":
            try:
                markup = kept.get((lang, cls, field_id, name, value))
            except TypeError:
                return None
            if markup is None:
                return None
            html[name] = markup
            continue
        parts = kept.get((lang, cls, field_id, name))
        if not parts:  # not kept yet, or not a box fields_html writes from kept markup
            return None
        if value is None:
            html[name] = f"{parts[0]}{parts[1]}"
            continue
        if kind == "DateField":
            text = value.strftime(fmt) if value else ""
        else:
            text = value if type(value) is str else str(value)
        html[name] = f"{parts[0]}{_attribute_value(text)}{parts[1]}"
    return html


class _KeptForm:
    """What the edit templates read of a form with no errors, its fields written."""

    errors = MappingProxyType({})

    def __init__(self, html: dict[str, str]):
        self._html = html

    @property
    def csrf_token(self) -> Markup:
        """The CSRF field as the form's _TokenField writes it (portal.forms); nothing
        with CSRF off (the form then has no such field)."""
        if not current_app.config.get("WTF_CSRF_ENABLED", True):
            return Markup("")
        token = escape(wtf_csrf.generate_csrf())
        return Markup(f'<input name="csrf_token" type="hidden" value="{token}">')  # noqa: S704

    def _join(self, names) -> Markup:
        return Markup("".join([self._html[name] for name in names]))  # noqa: S704 (kept)

    def fields_html(self) -> Markup:
        """PersonForm.fields_html()."""
        return self._join(self._html)

    def other_html(self, household) -> Markup:
        """HouseholdForm.other_html(household)."""
        return self._join([n for n in OTHER_FIELDS if n != "kk_reason" or household])

    def criteria_html(self) -> Markup:
        """HouseholdForm.criteria_html()."""
        return self._join(_CRITERIA)


def kept_form(cls: type, obj) -> _KeptForm | None:
    """`cls(obj=obj)` on a GET, as far as the edit templates read it, or None when the
    WTForms form must be built (see the module)."""
    recipe = _recipes.get(cls)
    if not recipe:
        return None
    data = _processed(recipe, obj)
    if data is None:
        return None
    # What the classes' __init__ change (forms.py).
    if cls is PersonForm:
        if data["marital_status"] is None:
            data["marital_status"] = ""
    elif cls is HouseholdForm:
        for name in _CRITERIA:
            value = data[name]
            if value is None or isinstance(value, bool | str) and value in STORED:
                data[name] = STORED[value]
    else:
        return None
    html = _written(cls, recipe, data)
    return None if html is None else _KeptForm(html)
