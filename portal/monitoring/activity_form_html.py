"""The staff activity page's form filled in with a stored activity (a GET of
/staf/pemantauan/kegiatan/<id>), written by a plain function: WTForms built and wrote
its 20 fields at some 140 Python calls a field. The markup is form_field()'s of
`ActivityForm(formdata=None, obj=activity)`, byte for byte (tests/test_monitoring_form_html.py
holds the two together in both languages): each field's blank markup is made once per
worker and language with form_field() itself (labels, attributes, hints; nothing of a
person, an activity or a request), and the stored value is put in its place."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from portal.forms import _attribute_value, form_field
from portal.i18n import current_lang
from portal.monitoring.forms import ActivityForm

# The goal and the part-of menus: their options are the plan's (written per page).
LINKS = ("goal_id", "parent_id")
# Per language: [(name, kind, blank markup)] in the form's order.
_BLANK: dict[str, list[tuple[str, str, str]]] = {}


def _kind(field) -> str:
    if field.type == "SelectField":
        return "select"
    if field.type == "TextAreaField":
        return "textarea"
    if field.type == "DayField":
        return "day"
    return "input"


def _blank_fields() -> list[tuple[str, str, str]]:
    lang = current_lang()
    found = _BLANK.get(lang)
    if found is None:
        form = ActivityForm(formdata=None, meta={"csrf": False})
        for name in LINKS:
            form[name].choices = []
        found = []
        for field in form:
            kind = _kind(field)
            markup = str(form_field(field))
            hole = {"select": "</select>", "textarea": ">\r\n</textarea>"}.get(kind, ' value=""')
            assert markup.count(hole) == 1, (field.name, markup)  # noqa: S101 (the shape relied on)
            found.append((field.name, kind, markup))
        _BLANK[lang] = found
    return found


def _text(kind: str, value) -> str:
    if value is None:
        return ""
    if kind == "day":
        return value.strftime("%Y-%m-%d") if value else ""
    return str(value)


def _options(choices: Iterable[tuple[int, str]], chosen) -> str:
    """<option>s as WTForms' select writes them (portal.forms._render_option)."""
    return "".join(
        [
            f'<option {"selected " if value == chosen else ""}value="{_attribute_value(value)}">'
            f"{escape(label or value)}</option>"
            for value, label in choices
        ]
    )


def _links(goals: Iterable, others: Iterable) -> dict[str, list[tuple[int, str]]]:
    return {
        "goal_id": [(0, "—"), *[(g.id, g.title_id) for g in goals]],
        "parent_id": [(0, "—"), *[(a.id, f"{a.year} · {a.title_id}") for a in others]],
    }


def links_html(goals: Iterable, others: Iterable) -> Markup:
    """The goal and part-of menus of a blank ActivityForm as form_field() writes them
    (nothing chosen): `others` every activity of the plan, in the page's order."""
    links = _links(goals, others)
    return Markup(  # noqa: S704 (form_field's markup; the options escaped)
        "".join(
            [
                markup.replace("</select>", f"{_options(links[name], None)}</select>")
                for name, _kind, markup in _blank_fields()
                if name in links
            ]
        )
    )


def activity_fields_html(activity, goals: Iterable, others: Iterable) -> Markup:
    """The fields of ActivityForm(formdata=None, obj=activity) as form_field() writes
    them: `goals` the plan's goals, `others` the plan's other activities (the part-of
    menu's choices, in the page's order)."""
    links = _links(goals, others)
    out = []
    for name, kind, markup in _blank_fields():
        value = getattr(activity, name)
        if name in links:
            options = _options(links[name], value)
            out.append(markup.replace("</select>", f"{options}</select>"))
        elif kind == "select":
            if value is not None:
                shown = _attribute_value(str(value))
                markup = markup.replace(
                    f'<option value="{shown}">', f'<option selected value="{shown}">', 1
                )
            out.append(markup)
        elif kind == "textarea":
            text = escape(_text(kind, value))
            out.append(markup.replace(">\r\n</textarea>", f">\r\n{text}</textarea>"))
        else:
            text = _attribute_value(_text(kind, value))
            out.append(markup.replace(' value=""', f' value="{text}"'))
    return Markup("".join(out))  # noqa: S704 (form_field's markup; values escaped above)
