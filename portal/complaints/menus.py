"""The staff complaint page's review and hand-over menus on a GET, written by plain
functions: WTForms built the two forms and wrote their three menus at some 200 Python
calls a menu. The markup is form_field()'s of TriageForm(category=..., priority=...) and
of AssignForm with the assignable staff as choices, byte for byte
(tests/test_complaints_menus.py holds them together in both languages): each menu's
blank markup (its label, no option chosen) is made once per worker and language with
form_field() itself, and the options are put in their place."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from portal.complaints.forms import AssignForm, TriageForm
from portal.forms import _attribute_value, form_field
from portal.i18n import current_lang

# Per language: the blank category, priority and assignee menus (form_field's markup).
_BLANK: dict[str, tuple[str, str, str]] = {}


def _blank() -> tuple[str, str, str]:
    lang = current_lang()
    found = _BLANK.get(lang)
    if found is None:
        triage = TriageForm(formdata=None, meta={"csrf": False})
        triage.category.data = triage.priority.data = None
        assign = AssignForm(formdata=None, meta={"csrf": False})
        found = _BLANK[lang] = (
            str(form_field(triage.category)),
            str(form_field(triage.priority)),
            str(form_field(assign.assignee)),
        )
    return found


def _chosen(markup: str, value) -> str:
    """A fixed menu's blank markup with `value`'s option chosen (none if None)."""
    if value is None:
        return markup
    shown = _attribute_value(str(value))
    return markup.replace(f'<option value="{shown}">', f'<option selected value="{shown}">', 1)


def triage_menus(category, priority) -> tuple[Markup, Markup]:
    """The category menu and the priority menu, each as form_field() writes it."""
    blank_category, blank_priority, _assignee = _blank()
    return (
        Markup(_chosen(blank_category, category)),  # noqa: S704 (form_field's, a value escaped)
        Markup(_chosen(blank_priority, priority)),  # noqa: S704
    )


def assignee_menu(staff: Iterable[tuple[str, str]], assigned: str | None) -> Markup:
    """The hand-over menu of `staff` ((value, name) pairs), `assigned` chosen."""
    options = "".join(
        [
            f'<option {"selected " if value == assigned else ""}value="{_attribute_value(value)}">'
            f"{escape(name or value)}</option>"
            for value, name in staff
        ]
    )
    return Markup(_blank()[2].replace("</select>", f"{options}</select>"))  # noqa: S704
