"""The search filters of the registry list (/staf/registrasi/), written by a plain
function (the template calls it as `filter_html`): the shared macro
`filter_fields` (templates/_macros/registry.html) cost Jinja some 600 Python calls a
page, a translation, an escape and a test for every option. The markup is the
macro's, byte for byte (tests/test_registry_filter_rows.py): values escaped as Jinja
escaped them, our catalogue's texts as the template's _() gives them (Markup, unescaped)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from markupsafe import Markup, escape
from markupsafe._speedups import _escape_inner as _esc  # escape()'s text of a str

from portal.i18n import catalogue, current_lang


def _options(pairs: Iterable, chosen) -> str:
    """<option>s of (value, label) pairs, the one equal to `chosen` selected."""
    return "".join(
        f'      <option value="{escape(key)}"{" selected" if key == chosen else ""}>'
        f"{escape(label)}</option>\n"
        for key, label in pairs
    )


# The need level and aid type menus by labels and choice: fixed labels only (a table
# per language), kept when the choice is one of the keys or None (what
# filters_from_args leaves), so a worker keeps a few dozen at most.
_kept_menus: dict[tuple, str] = {}


def _kept_options(labels: Mapping, chosen, skip: str | None = None) -> str:
    """The <option>s of a fixed table of labels (less the key `skip`)."""
    key = (tuple(labels.items()), chosen, skip)
    found = _kept_menus.get(key)
    if found is None:
        found = _options(((k, v) for k, v in labels.items() if k != skip), chosen)
        if chosen is None or chosen in labels:
            _kept_menus[key] = found
    return found


def _programme_options(programmes: Iterable, lang: str, chosen) -> str:
    """The programmes' <option>s, each named in `lang` (else in Indonesian), as
    `tr(p, "name")` names them."""
    field = "name_" + lang
    return "".join(
        f'      <option value="{p.id}"{" selected" if p.id == chosen else ""}>'
        f"{_esc(str((getattr(p, field) if lang != 'id' else None) or p.name_id or ''))}"
        "</option>\n"
        for p in programmes
    )


def _select(name: str, label: str, blank: str, options: str) -> str:
    return (
        f'  <div class="field">\n    <label for="{name}">{label}</label>\n'
        f'    <select id="{name}" name="{name}">\n'
        f'      <option value="">{blank}</option>\n{options}    </select>\n  </div>\n'
    )


def _small(name: str, label: str, value) -> str:
    shown = escape(value) if value else ""  # escape("") is ""
    return (
        f'  <div class="field field-small">\n    <label for="{name}">{label}</label>\n'
        f'    <input id="{name}" name="{name}" inputmode="numeric" pattern="[0-9]*" '
        f'maxlength="3" value="{shown}">\n  </div>\n'
    )


# The fields' fixed texts (our catalogue's msgids), translated once per language.
_TEXTS = (
    "For example: Siti Aminah, 3201014508900001, RT 3 RW 2 or 3/2.",
    "Name, NIK, KK number or RT/RW",
    "Need level",
    "All levels",
    "Fits aid type",
    "Any aid type",
    "Enrolled in",
    "Any programme or none",
    "RT",
    "RW",
)
_kept_texts: dict[str, dict[str, str]] = {}


def _texts(lang: str) -> dict[str, str]:
    texts = _kept_texts.get(lang)
    if texts is None:
        ugettext = catalogue().ugettext
        texts = _kept_texts[lang] = {msgid: ugettext(msgid) for msgid in _TEXTS}
    return texts


def filter_html(
    filters, programmes: Iterable, need_levels: Mapping, aid_types: Mapping, hint: bool = False
) -> Markup:
    """What `filter_fields(filters, programmes, hint)` writes: the words field, the need
    level, aid type and programme menus and the RT and RW fields."""
    lang = current_lang()
    texts = _texts(lang)
    if hint:
        described = '           aria-describedby="q-hint"'
        help_text = texts["For example: Siti Aminah, 3201014508900001, RT 3 RW 2 or 3/2."]
        after = f'>\n<p class="hint" id="q-hint">{help_text}</p>'
    else:
        described, after = "", ">\n"
    words = (
        f'  <div class="field field-q">\n'
        f'    <label for="q">{texts["Name, NIK, KK number or RT/RW"]}</label>\n'
        f'    <input id="q" name="q" type="search" value="{escape(filters.q)}" '
        f'maxlength="100" autocomplete="off"{described}{after}  </div>\n'
    )
    menus = (
        _select(
            "tingkat",
            texts["Need level"],
            texts["All levels"],
            _kept_options(need_levels, filters.need_level),
        )
        + _select(
            "bantuan",
            texts["Fits aid type"],
            texts["Any aid type"],
            _kept_options(aid_types, filters.aid_type, skip="other"),
        )
        + _select(
            "program",
            texts["Enrolled in"],
            texts["Any programme or none"],
            _programme_options(programmes, lang, filters.programme_id),
        )
    )
    small = _small("rt", texts["RT"], filters.rt) + _small("rw", texts["RW"], filters.rw)
    return Markup(words + menus + small)  # noqa: S704 (see the module: values escaped above)
