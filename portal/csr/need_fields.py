"""The need edit page's filled-in form fields (a GET: no errors), written from markup
kept per worker and language instead of a WTForms form filled from the need: building
and writing the fifteen fields cost some 3,000 Python calls a page. The markup is what
templates/csr/manage/need_form.html's loop writes with `field()` for
`NeedForm(obj=need)`, byte for byte (tests/test_csr.py compares them in both languages).

Each field is written once (the first time in a language) around a marker standing for
its value: the page puts the need's value, escaped as WTForms escapes it, in its place.
A checkbox is kept checked and not, the kind's select once per kind, and the programme
and ballot selects (whose choices are read on every page) as their markup around the
options, which are written here as `portal.forms` writes an option."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from portal.csr.forms import NeedForm
from portal.csr.models import NEED_KINDS
from portal.forms import form_field
from portal.i18n import current_lang
from portal.text import escape_text

_MARK = "\x00"
# The fields written from their choices (read per page): (kept markup around the options).
_CHOSEN = ("programme_id", "ballot_id")
# language -> field name -> its kept parts
_KEPT: dict[str, dict[str, object]] = {}


def _parts(lang: str) -> dict[str, object]:
    parts = _KEPT.get(lang)
    if parts is not None:
        return parts
    form = NeedForm(formdata=None)
    parts = {}
    for f in form:
        if f.name == "csrf_token":
            continue
        if f.type == "BooleanField":
            f.data = False
            off = str(form_field(f))
            f.data = True
            parts[f.name] = (off, str(form_field(f)))
        elif f.name == "kind":
            variants = {}
            for value in NEED_KINDS:
                f.data = value
                variants[value] = str(form_field(f))
            parts[f.name] = variants
        elif f.name in _CHOSEN:
            f.choices = []
            html = str(form_field(f))
            at = html.index("</select>")
            parts[f.name] = (html[:at], html[at:])
        else:
            f.data = _MARK
            f.raw_data = [_MARK]
            head, tail = str(form_field(f)).split(_MARK)
            parts[f.name] = (head, tail)
    _KEPT[lang] = parts
    return parts


def _options(choices: Iterable[tuple[object, str]], selected: object) -> str:
    """`<option>`s as portal.forms' _render_option writes them (value, then label)."""
    out = []
    for value, label in choices:
        mark = "selected " if value == selected else ""
        written = str.replace(escape(value), '"', "&quot;")
        label = label or value
        label = escape_text(label) if type(label) is str else escape(label)
        out.append(f'<option {mark}value="{written}">{label}</option>')
    return "".join(out)


def _text(value) -> str:
    """A field's value as WTForms writes it (`_value()`), escaped."""
    if type(value) is str:  # markupsafe's escape of a str, without its calls
        return escape_text(value)
    return "" if value is None else str(escape(value))


def need_fields(
    need, programmes: Iterable[tuple[object, str]], ballots: Iterable[tuple[object, str]]
) -> Markup:
    """Every field of the need's filled-in form as the template's loop writes them.
    `programmes` and `ballots` are the selects' choices, (value, label), "None" first."""
    parts = _parts(current_lang())
    out = []
    for name, kept in parts.items():
        if name == "kind":
            html = kept[need.kind]
        elif name == "is_open":
            html = kept[bool(need.is_open)]
        elif name == "programme_id":
            html = kept[0] + _options(programmes, need.programme_id or 0) + kept[1]
        elif name == "ballot_id":
            html = kept[0] + _options(ballots, need.ballot_id or 0) + kept[1]
        elif name == "deadline":
            day = need.deadline
            html = kept[0] + (day.strftime("%Y-%m-%d") if day else "") + kept[1]
        else:
            html = kept[0] + _text(getattr(need, name)) + kept[1]
        out.append(f"    {html}\n")
    return Markup("".join(out))  # noqa: S704 (kept markup; every value escaped above)
