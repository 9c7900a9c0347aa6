"""The cards of the likely duplicates page (/staf/registrasi/duplikat), written by a plain
function (the template calls it as `duplicate_cards`): Jinja spent some 400 Python calls
a card (a translation, an escape, a filter or a URL for every value) where this spends a
few dozen. The markup is the template's loop's, byte for byte
(tests/test_registry_duplicate_cards.py): names escaped as Jinja did, our catalogue's
texts as the template's _() gave them, the links our own URLs with the ids written in."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from portal.audit.services import mask_numbers
from portal.i18n import catalogue, day
from portal.text import escape_text


def _person(p, heading: str, nik_label: str, stem: str) -> str:
    """A person's <dt> and <dd>: the name (linked to the household), NIK masked (the
    `masked` filter's way) and birth date."""
    # Plain strs escaped as markupsafe escapes them (portal.text.escape_text), one call each.
    name = escape_text(p.name)
    if p.household_id:
        name = f'<a href="{stem}{int(p.household_id)}">{name}</a>'
    nik = escape_text(mask_numbers(p.nik) if p.nik else "–")
    born = escape_text(day(p.birth_date, "medium"))
    return (
        f"      <dt>{heading}</dt>\n"
        f"      <dd>{name}<br>\n"
        f'        <span class="meta nowrap">{nik_label} {nik}</span><br>\n'
        f'        <span class="meta nowrap">{born}</span></dd>\n'
    )


def duplicate_cards(pairs: Iterable, can_edit: bool, household_stem: str, pair_url: str) -> Markup:
    """<li class="card">s of DuplicatePair (`a` and `b` with id, name, NIK, birth date
    and household_id): the two records, whether they share a household, and the link to
    compare them. `household_stem` is a household's URL less its number; `pair_url` the
    pair page's URL of the pair (0, 0)."""
    ugettext = catalogue().ugettext
    first, second, nik_label = ugettext("First record"), ugettext("Second record"), ugettext("NIK")
    where = ugettext("Where")
    same, two = ugettext("Same household"), ugettext("Two households")
    compare = ugettext("Compare and decide") if can_edit else ugettext("Compare")
    stem = escape(household_stem)
    head, _zero, tail = pair_url.rpartition("/0/0")
    pair_head, pair_tail = escape(head + "/"), escape(tail)
    cards = []
    for pair in pairs:
        a, b = pair.a, pair.b
        names = f"{escape_text(a.name)}, {escape_text(b.name)}"
        shared = same if pair.same_household else f'<span class="tag tag-warn">{two}</span>'
        cards.append(
            '  <li class="card">\n    <dl class="facts">\n'
            f"{_person(a, first, nik_label, stem)}{_person(b, second, nik_label, stem)}"
            f"      <dt>{where}</dt>\n      <dd>{shared}</dd>\n    </dl>\n"
            f'    <p><a class="button" href="{pair_head}{int(a.id)}/{int(b.id)}{pair_tail}">'
            f'{compare}<span class="visually-hidden">: {names}'
            "</span></a></p>\n  </li>\n"
        )
    return Markup("".join(cards))  # noqa: S704 (see the module: values escaped above)
