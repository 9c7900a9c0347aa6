"""The list items of the staff warnings page (/staf/registrasi/peringatan), written by
plain functions (the template calls them as `warning_items`): each item cost Jinja some
60 Python calls (a translation, an escape, an attribute look-up for every value). The
markup is the template's was, byte for byte (tests/test_registry_warning_rows.py):
names and programmes escaped as Jinja did, our catalogue's texts formatted as the
template's _() formats them (Markup % values)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from markupsafe import Markup, escape

from portal.i18n import catalogue, day
from portal.text import escape_text


def _text(value) -> str:
    """`value` escaped as markupsafe escapes it: a plain str by its table in one step."""
    kind = type(value)
    if kind is str:
        return escape_text(value)
    return str(value) if kind is int else str(escape(value))


def _linked(stem: Markup, household_id, name) -> str:
    if household_id:
        return f'<a href="{stem}{household_id}">{_text(name)}</a>'
    return _text(name)


def stale_items(items: Iterable, stem: str, civil_statuses: Mapping) -> Markup:
    """<li>s of StaleEnrolment: the person (linked to the household), their status and
    the programme they (or the household they head) are still enrolled in."""
    ugettext = catalogue().ugettext
    as_head = Markup(ugettext("head of a household enrolled in %(programme)s"))  # noqa: S704
    enrolled = Markup(ugettext("enrolled in %(programme)s"))  # noqa: S704
    stem = escape(stem)
    rows = [
        f"  <li>{_linked(stem, s.household_id, s.person_name)}"
        f'    <span class="tag tag-danger">{escape(civil_statuses[s.status])}</span>\n'
        f"{(as_head if s.as_head else enrolled) % {'programme': s.programme}}</li>\n"
        for s in items
    ]
    return Markup("".join(rows))  # noqa: S704 (see the module: values escaped above)


def overlap_items(items: Iterable, stem: str, aid_types: Mapping) -> Markup:
    """<li>s of Overlap: the household (linked) and the two programmes that give the
    same kind of aid from a day. The texts are formatted as `Markup % values` formats
    them (each value escaped, a number as a number): the values escaped here first (a
    kind's label and a day's words once each, not once an item), then put in with a
    plain `%`."""
    ugettext = catalogue().ugettext
    household_n = ugettext("Household %(id)d")
    both = ugettext("%(first)s and %(second)s both give %(kind)s aid from %(start)s.")
    stem = escape(stem)
    kinds: dict = {}
    days: dict = {}
    rows = []
    for o in items:
        kind = kinds.get(o.aid_type)
        if kind is None:
            kind = kinds[o.aid_type] = _text(aid_types[o.aid_type])
        start = days.get(o.start)
        if start is None:
            start = days[o.start] = _text(day(o.start))
        values = {"first": _text(o.first), "second": _text(o.second), "kind": kind}
        values["start"] = start
        hid = o.household_id
        rows.append(
            f'  <li><a href="{stem}{_text(hid)}">'
            f"{household_n % {'id': hid}}</a>:\n    {both % values}</li>\n"
        )
    return Markup("".join(rows))  # noqa: S704 (see the module: values escaped above)


def nik_items(items: Iterable, stem: str) -> Markup:
    """<li>s of people whose NIK disagrees with their record, linked to the household."""
    stem = escape(stem)
    rows = [f"  <li>{_linked(stem, p.household_id, p.name)}</li>\n" for p in items]
    return Markup("".join(rows))  # noqa: S704 (see the module: values escaped above)


# What the template calls (warning_items.stale(...)).
WARNING_ITEMS = {"stale": stale_items, "overlaps": overlap_items, "nik": nik_items}
