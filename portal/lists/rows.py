"""The rows of a period's working list on its staff page (/staf/daftar-penerima/<id>),
written by a plain function (the template calls it as `working_rows`): a page shows 50
rows of seven cells, and Jinja spent some 120 Python calls a row on them (an escape,
an attribute look-up or a call for every cell) where this spends a dozen. The markup is
the template's was, byte for byte. Numbers, RT/RW and the links' stems (our own URLs,
digits and slashes) need no escaping; names and labels are escaped as Jinja did, and
the two words from our catalogue are left as Jinja's _() left them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from markupsafe import Markup, escape

from portal.i18n import catalogue, current_lang, money
from portal.lists.models import ENTRY_SOURCES
from portal.registry.models import NEED_LEVELS
from portal.text import escape_str, escape_text


def working_rows(
    items: Iterable, names: Mapping[int, str], household_stem: str, remove_stem: str | None
) -> Markup:
    """<tr>s of `items` (EntryRow, or tuples in its order): a link to each household
    (`household_stem` + its number), its recipient's name from `names`, RT/RW, need
    level, desil and source, and with `remove_stem` a link to take it off (`remove_stem`
    + its number)."""
    household_stem = escape(household_stem)
    levels, sources, decided, take_off = _working_labels(current_lang())
    # Each row's cell of the link to take it off: with `remove_stem`, the stem and the
    # number around it.
    remove = (
        (f'<td><a href="{escape(remove_stem)}', f'">{take_off}</a></td>') if remove_stem else None
    )
    # By position (EntryRow's order: named_entries_page gives plain tuples). A name is a
    # str (the statement writes "" for none): markupsafe's C escaping itself.
    rows = [
        f'  <tr>\n    <td><a href="{household_stem}{hid}">{hid}</a></td>\n'
        f"    <td>{escape_str(names[hid])}</td>\n"
        f'    <td class="nowrap">{rt_rw}</td>\n'
        f"    <td>{levels[need_level]}</td>\n"
        f"    <td>{desil or '–'}</td>\n"
        f"    <td>{sources[source]}{decided if decision_id else ''}</td>\n"
        f"{f'{remove[0]}{hid}{remove[1]}' if remove else ''}  </tr>\n"
        for hid, source, decision_id, rt_rw, need_level, desil in items
    ]
    return Markup("".join(rows))  # noqa: S704  (see the module: values escaped above)


# Per language: the need levels' and sources' labels (escaped), " · decided" and "Take
# off", worked out from the catalogue once per worker (some 70 Python calls a page).
_WORKING_LABELS: dict[str, tuple] = {}


def _working_labels(lang: str) -> tuple:
    found = _WORKING_LABELS.get(lang)
    if found is None:
        ugettext = catalogue().ugettext
        found = _WORKING_LABELS[lang] = (
            _Labels({key: escape(str(label)) for key, label in NEED_LEVELS.items()}),
            _Sources({key: escape(str(label)) for key, label in ENTRY_SOURCES.items()}),
            f" · {ugettext('decided')}",
            ugettext("Take off"),
        )
    return found


class _Labels(dict):
    """Need levels' labels by key; "–" for an unknown or missing one (a dictionary
    look-up for each row, not a call)."""

    def __missing__(self, key) -> str:
        return "–"


class _Sources(dict):
    """Entry sources' labels by key; an unknown source written as itself, escaped."""

    def __missing__(self, key) -> str:
        return escape(key)


def board_rows(rows: Iterable, first: int, objection_stem: str | None) -> Markup:
    """<tr>s of a public board's page (BoardRow): its number on the list (`first` + 1
    on), the masked name and RT/RW, and with `objection_stem` (while objections are
    open) a link to object to it (`objection_stem` + the row's id)."""
    if objection_stem:
        stem = escape(objection_stem)
        word = catalogue().ugettext("Object")
    out = []
    for number, row in enumerate(rows, first + 1):
        name = escape_text(row.masked_name)  # plain str: escaped as escape() does
        rt_rw = escape_text(row.rt_rw)
        cells = f'<tr><td>{number}</td><td>{name}</td><td class="nowrap">{rt_rw}</td>'
        if objection_stem:
            cells += (
                f'<td><a href="{stem}{row.id}">{word}'
                f'<span class="visually-hidden"> ({name})</span></a></td>'
            )
        out.append(f"  {cells}</tr>\n")
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)


def total_rows(totals: Iterable) -> Markup:
    """<tr>s of a public board's totals per RT/RW (PlaceTotal): RT/RW, households and,
    when the period has an amount, the cash in rupiah."""
    lang = current_lang()
    out = []
    for t in totals:
        # RT/RW as PlaceTotal.rt_rw writes it (numbers: nothing to escape).
        rt, rw, amount = t.rt, t.rw, t.amount
        rt_rw = f"{rt:03d}/–" if rw is None else f"{rt:03d}/{rw:03d}"
        cash = (
            f'<td class="nowrap">{escape_text(money(amount, lang))}</td>'
            if amount is not None
            else ""
        )
        out.append(f"  <tr><td>{rt_rw}</td><td>{t.households}</td>{cash}</tr>\n")
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)


def attendee_items(attendees: Iterable) -> Markup:
    """<li>s of a meeting's attendees on the period's staff page (rows with name, role
    and user_id; name and role escaped as escape() does, by escape_text): name – role and
    whether it is an account or a name typed by staff."""
    ugettext = catalogue().ugettext
    account, typed = ugettext("account"), ugettext("name typed by staff")
    return Markup(  # noqa: S704  (see the module: values escaped here)
        "".join(
            [
                f"<li>{escape_text(a.name)} – {escape_text(a.role)} "
                f"<small>({account if a.user_id else typed})</small></li>"
                for a in attendees
            ]
        )
    )
