"""The working list's rows (portal/lists/rows.py) write what the template's loop wrote."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.lists.models import ENTRY_SOURCES
from portal.lists.rows import attendee_items, board_rows, total_rows, working_rows
from portal.lists.services.draft import EntryRow
from portal.lists.services.versions import BoardRow, PlaceTotal
from portal.registry.models import NEED_LEVELS

# The template's loop before the rows became a function (period.html), its long lines
# split in two.
OLD_LOOP = (
    "{% set levels, sources = {}, {} %}\n"
    "{% for key, label in need_level_labels.items() %}"
    "{% do levels.update({key: label|string}) %}{% endfor %}\n"
    "{% for key, label in list_entry_sources.items() %}"
    "{% do sources.update({key: label|string}) %}{% endfor %}\n"
    """{% set decided, take_off = _("decided"), _("Take off") %}
{% for e in items %}
  <tr>
    <td><a href="{{ url_for('registry.household', household_id=e.household_id) }}">"""
    """{{ e.household_id }}</a></td>
    <td>{{ names[e.household_id] }}</td>
    <td class="nowrap">{{ e.rt_rw }}</td>
    <td>{{ levels.get(e.need_level, "–") }}</td>
    <td>{{ e.desil or "–" }}</td>
    <td>{{ sources.get(e.source, e.source) }}{% if e.decision_id %} · {{ decided }}{% endif %}</td>
    {% if editable %}<td><a href="{{ url_for('lists_manage.remove', period_id=7, """
    """household_id=e.household_id) }}">{{ take_off }}</a></td>{% endif %}
  </tr>
{% endfor %}"""
)

ROWS = [
    EntryRow(3, "rule", 1, "001/002", "sangat_miskin", 2),
    EntryRow(12, "staff", None, "010/–", None, None),
    EntryRow(105, "objection", None, "003/001", "rentan", 10),
    EntryRow(7, "odd <source>", 4, "002/002", "unknown", 0),
]
NAMES = {3: "Siti & <Aminah>", 12: 'Joko "Jo" Widodo', 105: "", 7: "O'Neil"}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("editable", [True, False])
def test_working_rows_write_what_the_template_wrote(app, lang, editable):
    with app.test_request_context("/staf/daftar-penerima/7", headers={"Accept-Language": lang}):
        old = render_template_string(
            OLD_LOOP,
            items=ROWS,
            names=NAMES,
            editable=editable,
            need_level_labels=NEED_LEVELS,
            list_entry_sources=ENTRY_SOURCES,
        )
        household_stem = render_template_string(
            "{{ url_for('registry.household', household_id=0)[:-1] }}"
        )
        remove_stem = render_template_string(
            "{{ url_for('lists_manage.remove', period_id=7, household_id=0)[:-1] }}"
        )
        new = working_rows(ROWS, NAMES, household_stem, remove_stem if editable else None)
        # The period page's read gives plain tuples in EntryRow's order: the same rows.
        plain = [tuple(row) for row in ROWS]
        stem = remove_stem if editable else None
        assert working_rows(plain, NAMES, household_stem, stem) == new
    assert str(new) == old.lstrip("\n")
    assert "Siti &amp; &lt;Aminah&gt;" in new and "odd &lt;source&gt;" in new
    assert (" · decided" if lang == "en" else " · ditetapkan") in new


# The public board's loop before its rows became a function (board.html), split.
OLD_BOARD_LOOP = (
    "{% for row in rows %}\n"
    '  <tr><td>{{ first + loop.index }}</td><td>{{ row.masked_name }}</td><td class="nowrap">'
    "{{ row.rt_rw }}</td>{% if open %}<td><a href=\"{{ url_for('lists.objection', "
    'period_id=period_id, baris=row.id) }}">{{ _("Object") }}<span class="visually-hidden"> '
    "({{ row.masked_name }})</span></a></td>{% endif %}</tr>\n"
    "  {% endfor %}"
)
BOARD_ROWS = [
    BoardRow(11, "S*** & <A***>", "001/002"),
    BoardRow(12, "J*** W***", "010/–"),
    BoardRow(913, 'O"N***', "003/001"),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("is_open", [True, False])
def test_board_rows_write_what_the_template_wrote(app, lang, is_open):
    with app.test_request_context("/daftar-penerima/4", headers={"Accept-Language": lang}):
        old = render_template_string(
            OLD_BOARD_LOOP, rows=BOARD_ROWS, first=50, open=is_open, period_id=4
        )
        stem = render_template_string("{{ url_for('lists.objection', period_id=4, baris=0)[:-1] }}")
        new = board_rows(BOARD_ROWS, 50, stem if is_open else None)
    assert str(new) == old
    assert "<td>51</td>" in new and "S*** &amp; &lt;A***&gt;" in new
    assert ("baris=913" in new) is is_open


# The period page's attendees loop before it became a function (manage/period.html).
OLD_ATTENDEES = (
    '<ul>{% for a in d.attendees %}<li>{{ a.name }} – {{ a.role }} <small>({{ _("account") '
    'if a.user_id else _("name typed by staff") }})</small></li>{% endfor %}</ul>'
)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_attendee_items_write_what_the_template_wrote(app, lang):
    attendees = [
        SimpleNamespace(name="Siti & <Aminah>", role='Ketua "BPD"', user_id=3),
        SimpleNamespace(name="O'Neil", role="Warga", user_id=None),
        SimpleNamespace(name="Budi", role="Kepala <Desa>", user_id=0),
    ]
    with app.test_request_context("/staf/daftar-penerima/7", headers={"Accept-Language": lang}):
        for shown in (attendees, []):
            old = render_template_string(OLD_ATTENDEES, d=SimpleNamespace(attendees=shown))
            new = render_template_string(
                "<ul>{{ attendee_items(d.attendees) }}</ul>",
                d=SimpleNamespace(attendees=shown),
                attendee_items=attendee_items,
            )
            assert new == old
            if shown:
                assert "Siti &amp; &lt;Aminah&gt;" in new and "Kepala &lt;Desa&gt;" in new


# The board's totals loop before it became a function (board.html).
OLD_TOTALS = (
    "  <tbody>\n  {% for t in totals %}\n  <tr><td>{{ t.rt_rw }}</td><td>{{ t.households }}"
    '</td>{% if t.amount is not none %}<td class="nowrap">{{ t.amount|money }}</td>'
    "{% endif %}</tr>\n  {% endfor %}\n  </tbody>"
)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("amount", [900_000, None])
def test_total_rows_write_what_the_template_wrote(app, lang, amount):
    totals = [
        PlaceTotal(3, 1, 1, None if amount is None else amount),
        PlaceTotal(12, None, 4, None if amount is None else 4 * amount),
        PlaceTotal(1, 2, 1234, None if amount is None else 1234 * amount),
    ]
    with app.test_request_context("/daftar-penerima/4", headers={"Accept-Language": lang}):
        for shown in (totals, []):
            old = render_template_string(OLD_TOTALS, totals=shown)
            new = render_template_string(
                "  <tbody>\n{{ total_rows(totals) }}  </tbody>",
                totals=shown,
                total_rows=total_rows,
            )
            assert new == old
            if shown:
                assert "<td>012/–</td>" in new and ("nowrap" in new) is (amount is not None)
