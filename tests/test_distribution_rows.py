"""The entitlements list's rows (portal/distribution/rows.py) write what the
template's loop wrote, in both languages."""

from __future__ import annotations

from datetime import date, time
from types import SimpleNamespace
from typing import NamedTuple

import pytest
from flask import render_template_string
from markupsafe import Markup

from portal.distribution.rows import entitlement_rows, group_rows
from portal.distribution.services.entitlements import EntitlementRow
from portal.distribution.services.progress import Group
from portal.distribution.services.round_parts import Slot
from portal.distribution.slot_texts import SlotText, slot_texts

# The template's loop before the rows became a function (entitlements.html), its long
# lines split.
OLD_LOOP = (
    "  <tbody>\n"
    "  {% set tags = {} %}{# each status's tag made once: 50 rows, a few statuses #}\n"
    """  {% for e in items %}
  <tr>
    <td class="nowrap">{{ e.rt_rw }}</td>
    <td>{% if e.collector is not none %}<a href="{{ url_for('registry.household', """
    """household_id=e.household_id) }}">{{ e.collector }}</a>{% else %}–{% endif %}</td>
    <td>{{ e.alternate if e.alternate is not none else "–" }}</td>
    <td>{{ e.due }}</td>
    <td>{% if e.status not in tags %}{% do tags.update({e.status: """
    """status_tag("distribution.entitlement", e.status)}) %}{% endif %}{{ tags[e.status] }}"""
    """{% if e.cancel_reason %}<br><span class="meta">{{ e.cancel_reason }}</span>{% endif %}</td>
  </tr>
  {% endfor %}
  </tbody>
"""
)
NEW = "  <tbody>\n{{ entitlement_rows(items, stem) }}  </tbody>\n"


def _row(id_, rt_rw, household_id, collector, alternate, status, reason, due):
    return EntitlementRow(
        id=id_,
        rt=1,
        rw=2,
        household_id=household_id,
        collector=collector,
        alternate=alternate,
        cash_due=0,
        status=status,
        cancel_reason=reason,
        lines=[],
        rt_rw=rt_rw,
        due=due,
    )


ROWS = [
    _row(1, "001/002", 3, "Siti & <Aminah>", 'Joko "Jo"', "due", None, "Rp 100.000; Beras 10 kg"),
    _row(2, "010/–", 12, None, None, "cancelled", "Pindah <luar> desa", "Minyak & gula 2 l"),
    _row(3, "003/001", 105, "O'Neil", None, "collected", "", ""),
    _row(4, "003/001", 7, "Budi", "Ani", "due", None, "Rp 50.000"),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("rows", [ROWS, []])
def test_entitlement_rows_write_what_the_template_wrote(app, lang, rows):
    with app.test_request_context("/staf/penyaluran/1/penerima", headers={"Accept-Language": lang}):
        old = render_template_string(
            '{% from "_macros/ui.html" import status_tag %}' + OLD_LOOP, items=rows
        )
        stem = render_template_string("{{ url_for('registry.household', household_id=0)[:-1] }}")
        new = render_template_string(NEW, items=rows, stem=stem, entitlement_rows=entitlement_rows)
    assert new == old
    if rows:
        assert "Siti &amp; &lt;Aminah&gt;" in new and "Pindah &lt;luar&gt; desa" in new


# The public round page's progress loop before its rows became a function (round.html).
OLD_GROUP_LOOP = (
    '{% set too_few %}<td colspan="{{ 3 if cash else 2 }}">'
    '{{ _("fewer than %(n)d households", n=5) }}</td>{% endset %}\n'
    "  <tbody>\n"
    '  {% for g in rows %}<tr><td>{{ g.label }}</td>{% if g.shown %}<td class="num">'
    '{{ g.collected }} / {{ g.due }}</td><td class="num">{{ g.percent }}%</td>'
    '{% if cash %}<td class="num nowrap">{{ g.cash_paid|money }} / {{ g.cash_due|money }}'
    "</td>{% endif %}{% else %}{{ too_few }}{% endif %}</tr>{% endfor %}\n"
    "  </tbody>\n"
)
NEW_GROUP_LOOP = (
    '{% set too_few %}<td colspan="{{ 3 if cash else 2 }}">'
    '{{ _("fewer than %(n)d households", n=5) }}</td>{% endset %}\n'
    "  <tbody>\n"
    "{{ group_rows(rows, cash, too_few) }}  </tbody>\n"
)
GROUPS = [
    Group("001/002", 17, 15, 5_100_000, 4_500_000, True),
    Group("003/–", 3, 1, 900_000, 300_000, False),
    Group("Balai <Desa> & Pos", 6, 0, 0, 0, True),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("cash", [300_000, 0])
def test_group_rows_write_what_the_template_wrote(app, lang, cash):
    with app.test_request_context("/penyaluran/1", headers={"Accept-Language": lang}):
        old = render_template_string(OLD_GROUP_LOOP, rows=GROUPS, cash=cash)
        new = render_template_string(NEW_GROUP_LOOP, rows=GROUPS, cash=cash, group_rows=group_rows)
    assert new == old
    assert "Balai &lt;Desa&gt; &amp; Pos" in new


# A point's time slots before their rows became a function (round.html).
OLD_SLOT_LOOP = (
    "  <tbody>\n  {% for s in point_slots %}\n"
    '  <tr><td>{{ s.rt_rw }}</td><td class="nowrap">{{ s.day }}</td>'
    '<td class="nowrap">{{ s.hours }}</td></tr>\n'
    "  {% endfor %}\n  </tbody>\n"
)


def old_slot_rows(point_slots) -> Markup:
    """What a point's slot rows were (OLD_SLOT_LOOP's rows), for the old templates."""
    rows = render_template_string(OLD_SLOT_LOOP, point_slots=point_slots)
    return Markup(rows.removeprefix("  <tbody>\n").removesuffix("  </tbody>"))  # noqa: S704


# The ledger's loop before its rows became a function (ledger/_balances.html).
OLD_BALANCE_LOOP = """  <tbody>
  {% set all_points = _("All points") %}
  {% for b in rows %}
    {% set item = names["items"][b.item_id] %}
    <tr>
      <td>{{ names["points"].get(b.point_id, all_points) }}</td>
      <td>{{ tr(item, "name") }} ({{ item.unit }})</td>
      <td>{{ milli(b.received) }}</td>
      <td>{{ milli(b.moved_in) }}</td>
      <td>{{ milli(b.moved_out) }}</td>
      <td>{{ milli(b.handed_over) }}</td>
      <td>{{ milli(b.returned) }}</td>
      <td>{{ milli(b.damaged + b.lost) }}</td>
      <td data-on-hand="{{ b.on_hand }}">{{ milli(b.on_hand) }}</td>
    </tr>
  {% endfor %}
  </tbody>
"""
NEW_BALANCES = '  <tbody>\n{{ balance_rows(rows, names, _("All points")) }}  </tbody>\n'


@pytest.mark.parametrize("lang", ["id", "en"])
def test_balance_rows_write_what_the_template_wrote(app, lang):
    from portal.distribution.rows import balance_rows
    from portal.distribution.services.ledger import Balance

    names = {
        "points": {1: "Balai <Desa> & co", 2: 'Pos "RW" 02'},
        "items": {
            5: SimpleNamespace(id=5, name_id="Beras", name_en="Rice", unit="kg"),
            6: SimpleNamespace(id=6, name_id="Minyak & <gula>", name_en=None, unit="l"),
        },
    }
    rows = [
        Balance(point_id=None, item_id=5, received=680000, moved_in=180000, handed_over=285500),
        Balance(point_id=1, item_id=6, received=1234567, moved_out=1500, damaged=250, lost=1),
        Balance(point_id=2, item_id=5, returned=3000, lost=2000000),
        Balance(point_id=9, item_id=5),
    ]
    with app.test_request_context("/staf/penyaluran/1/tutup", headers={"Accept-Language": lang}):
        written = []
        for shown in (rows, []):
            old = render_template_string(OLD_BALANCE_LOOP, rows=shown, names=names, milli=_milli)
            new = render_template_string(
                NEW_BALANCES, rows=shown, names=names, balance_rows=balance_rows
            )
            assert new == old
            written.append(new)
    assert "Balai &lt;Desa&gt; &amp; co" in written[0] and "Minyak &amp; &lt;gula&gt;" in written[0]


def _milli(value):
    """The ledger pages' `milli` (portal/distribution/ledger.py's context processor)."""
    from portal import i18n
    from portal.distribution.models.labels import from_milli

    return i18n.number(from_milli(value))


# The closing page's status counts before they became a function (ledger/closing.html).
OLD_STATUS_LOOP = """<dl class="facts">
{% for key, label in entitlement_statuses.items() %}
  <dt>{{ label }}</dt><dd data-status-count="{{ key }}">{{ figures.statuses.get(key, 0) }}</dd>
{% endfor %}
</dl>"""


@pytest.mark.parametrize("lang", ["id", "en"])
def test_status_counts_write_what_the_template_wrote(app, lang):
    from portal.distribution.models import ENTITLEMENT_STATUSES
    from portal.distribution.rows import status_counts

    labels = {**ENTITLEMENT_STATUSES, "<odd>": 'Odd & "new"'}
    with app.test_request_context("/staf/penyaluran/1/tutup", headers={"Accept-Language": lang}):
        for counts in ({"due": 3, "collected": 120, "<odd>": 1}, {}):
            figures = SimpleNamespace(statuses=counts)
            old = render_template_string(
                OLD_STATUS_LOOP, entitlement_statuses=labels, figures=figures
            )
            new = render_template_string(
                '<dl class="facts">\n{{ status_counts(entitlement_statuses, figures.statuses) }}'
                "</dl>",
                entitlement_statuses=labels,
                figures=figures,
                status_counts=status_counts,
            )
            assert new == old
    assert "&lt;odd&gt;" in new and "Odd &amp; &#34;new&#34;" in new


@pytest.mark.parametrize("lang", ["id", "en"])
def test_slot_texts_are_what_they_were(app, lang):
    """slot_texts (days and hours found once each, RT/RW inline) writes what it wrote with
    rt_label, i18n.day and strftime per slot."""
    from datetime import date, time

    from portal import i18n
    from portal.distribution.services.progress import rt_label
    from portal.distribution.services.round_parts import Slot
    from portal.distribution.slot_texts import slot_texts

    day1, day2 = date(2026, 12, 7), date(2026, 12, 8)
    slots = {
        1: [
            Slot(1, 1, 7, 2, day1, time(8, 0), time(10, 0)),
            Slot(2, 1, 12, None, day1, time(8, 0), time(10, 0)),
            Slot(3, 1, 3, 11, day2, time(13, 30), time(15, 5)),
        ],
        2: [Slot(4, 2, 1, 1, day2, time(8, 0), time(10, 0))],
        3: [],
    }
    with app.test_request_context("/penyaluran/1", headers={"Accept-Language": lang}):
        for separator in (".", ":"):
            pattern = f"%H{separator}%M"
            expected = {
                point_id: [
                    SlotText(
                        s.id,
                        s.rt,
                        rt_label(s.rt, s.rw),
                        i18n.day(s.day),
                        f"{s.starts_at.strftime(pattern)}–{s.ends_at.strftime(pattern)}",
                    )
                    for s in rows
                ]
                for point_id, rows in slots.items()
            }
            assert slot_texts(slots, separator) == expected


# The closing page's not-collected table before it became a function (closing.html).
OLD_NOT_COLLECTED = """\
{% call scroll_table(labelledby="not-collected") %}
<table>
{% call kept_fragment("not-collected-head") %}  <thead><tr><th scope="col">{{ _("RT/RW") }}</th><th scope="col">{{ _("Collector") }}</th><th scope="col">{{ _("Registry") }}</th><th scope="col">{{ _("Action") }}</th></tr></thead>
{% endcall %}
  <tbody>
  {# What every row repeats, found once: a round may leave hundreds. #}
  {% set token, nobody, carried, reason_label, cancel_label = csrf_token(), _("Nobody"), _("Carried over"), _("Reason for cancelling"), _("Cancel") %}
  {% set flag_texts = {} %}{% for key, label in flag_labels.items() %}{% do flag_texts.update({key: label|string}) %}{% endfor %}
  {% for row in left %}
    {% set e = row %}
    <tr>
      <td>{{ e.rt }}/{{ e.rw or "-" }}</td>
      <td>{{ e.collector_name or nobody }}</td>
      <td>{% for flag in row.flags %}<span class="tag tag-warn">{{ flag_texts[flag] }}</span> {% endfor %}</td>
      <td>
        {% if row.followed %}{{ carried }}
        {% elif may_edit %}
        {% set error = cancel_errors.get(e.id) %}
        <form method="post" action="{{ url_for('distribution_ledger.cancel', round_id=round.id, entitlement_id=e.id) }}" novalidate>
          <input type="hidden" name="csrf_token" value="{{ token }}">
          <div class="field{% if error %} has-error{% endif %}">
            <label for="reason-{{ e.id }}">{{ reason_label }}</label>
            <input type="text" id="reason-{{ e.id }}" name="reason" maxlength="1000"{% if error %} aria-invalid="true" aria-describedby="reason-{{ e.id }}-error"{% endif %}>
            {% if error %}<p class="error" id="reason-{{ e.id }}-error">{{ error }}</p>{% endif %}
          </div>
          <button type="submit" class="secondary">{{ cancel_label }}</button>
        </form>
        {% endif %}
      </td>
    </tr>
  {% endfor %}
  </tbody>
</table>
{% endcall %}
"""  # noqa: E501

NEW_NOT_COLLECTED = (
    "{{ not_collected_table(left, may_edit, cancel_errors, round.id, csrf_token(), flag_labels,"
    " url_for) }}"
)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_not_collected_table_writes_what_the_template_wrote(app, lang):
    from portal.distribution.closing_rows import not_collected_table
    from portal.distribution.services import FLAG_LABELS
    from portal.distribution.services.closing import NotCollected

    left = [
        NotCollected(10, 9, 2, "Siti & <Aminah>", [], False),
        NotCollected(20, 4, None, None, ["household_gone", "collector_dead"], False),
        NotCollected(30, 1, 3, 'Joko "Jo"', ["alternate_moved"], True),
        NotCollected(40, 2, 5, "O'Neil", [], False),
    ]
    values = dict(
        left=left,
        round=SimpleNamespace(id=7),
        flag_labels={**FLAG_LABELS, "odd": "Odd & <new>"},
        not_collected_table=not_collected_table,
    )
    with app.test_request_context("/staf/penyaluran/7/tutup", headers={"Accept-Language": lang}):
        for may_edit, errors in ((True, {}), (True, {40: "Give <the> reason."}), (False, {})):
            left[3].flags = ["odd"] if errors else []
            context = dict(values, may_edit=may_edit, cancel_errors=errors)
            old = render_template_string(OLD_NOT_COLLECTED, **context)
            new = render_template_string(NEW_NOT_COLLECTED, **context)
            assert new == old
            assert ("/staf/penyaluran/7/tutup/batal/40" in new) == may_edit
    assert "Siti &amp; &lt;Aminah&gt;" in new and "Odd &amp; &lt;new&gt;" not in new


# The ledger pages' nav, figures and balances before they became functions
# (ledger/_nav.html, _figures.html, _balances.html).
OLD_NAV = """\
<nav aria-label="{{ _('This round') }}">
  <ul class="actions">
    <li><a href="{{ url_for('distribution_ledger.stock', round_id=round.id) }}"{% if active == 'stock' %} aria-current="page"{% endif %}>{{ _("Stock") }}</a></li>
    <li><a href="{{ url_for('distribution_ledger.closing', round_id=round.id) }}"{% if active == 'closing' %} aria-current="page"{% endif %}>{{ _("Closing and reconciliation") }}</a></li>
    <li><a href="{{ url_for('distribution_ledger.sample', round_id=round.id) }}"{% if active == 'sample' %} aria-current="page"{% endif %}>{{ _("Arrival check") }}</a></li>
  </ul>
</nav>
"""  # noqa: E501

OLD_FIGURES = """\
{#- Cash and the ledger summed per item: `figures`, `names`, `prefix` for ids. -#}
<h2 id="{{ prefix }}-cash">{{ _("Cash") }}</h2>
<dl class="facts">
  <dt>{{ _("Budgeted") }}</dt><dd data-cash="budgeted">{{ figures.cash_budgeted|money }}</dd>
  <dt>{{ _("Paid") }}</dt><dd data-cash="paid">{{ figures.cash_paid|money }}</dd>
  <dt>{{ _("Budgeted, not paid") }}</dt><dd>{{ figures.cash_left|money }}</dd>
</dl>
<h2 id="{{ prefix }}-items">{{ _("Items, all points") }}</h2>
{{ balances_table(figures.per_item().values(), names, prefix ~ "-items") }}
"""  # noqa: E501

OLD_BALANCES = """\
{#- The ledger per point and item: `rows` (Balance), `names`, `heading_id`. The
    head is the same words for every round: kept per worker (templating.py); the rows
    are written by portal/distribution/rows.py's balance_rows. -#}
{% call scroll_table(labelledby=heading_id) %}
<table>
{% call kept_fragment("ledger-balances-head") %}  <thead>
    <tr>
      <th scope="col">{{ _("Point") }}</th>
      <th scope="col">{{ _("Item") }}</th>
      <th scope="col">{{ _("Received") }}</th>
      <th scope="col">{{ _("Moved in") }}</th>
      <th scope="col">{{ _("Moved out") }}</th>
      <th scope="col">{{ _("Handed over") }}</th>
      <th scope="col">{{ _("Returned") }}</th>
      <th scope="col">{{ _("Damaged or lost") }}</th>
      <th scope="col">{{ _("On hand") }}</th>
    </tr>
  </thead>
{% endcall %}
  <tbody>
{{ balance_rows(rows, names, _("All points")) }}  </tbody>
</table>
{% endcall %}
"""  # noqa: E501


@pytest.mark.parametrize("lang", ["id", "en"])
def test_ledger_parts_write_what_the_templates_wrote(app, lang):
    from jinja2 import DictLoader

    from portal.distribution import ledger_html, rows
    from portal.distribution.services.closing import Reconciliation
    from portal.distribution.services.ledger import Balance

    names = {
        "points": {1: "Balai <Desa> & co", 2: 'Pos "RW" 02'},
        "items": {
            5: SimpleNamespace(id=5, name_id="Beras", name_en="Rice", unit="kg"),
            6: SimpleNamespace(id=6, name_id="Minyak & <gula>", name_en=None, unit="l"),
        },
    }
    balances = [
        Balance(point_id=1, item_id=5, received=680000, moved_in=180000, handed_over=285500),
        Balance(point_id=1, item_id=6, received=1234567, moved_out=1500, damaged=250, lost=1),
        Balance(point_id=2, item_id=5, returned=3000, lost=2000000),
    ]
    figures = Reconciliation(balances, 9_900_000, 8_550_000, {})
    loader = app.jinja_env.loader
    app.jinja_env.loader = DictLoader(
        {
            "distribution/ledger/_nav.html": OLD_NAV,
            "distribution/ledger/_figures.html": OLD_FIGURES,
            "distribution/ledger/_balances.html": OLD_BALANCES,
        }
    )
    functions = dict(
        balances_table=rows.balances_table,
        ledger_nav=ledger_html.ledger_nav,
        ledger_figures=ledger_html.ledger_figures,
        balance_rows=rows.balance_rows,
        milli=_milli,
    )
    try:
        with app.test_request_context("/staf/penyaluran/3/stok", headers={"Accept-Language": lang}):
            for active in ("stock", "closing", "sample"):
                old = render_template_string(
                    '{% include "distribution/ledger/_nav.html" %}',
                    round=SimpleNamespace(id=3),
                    active=active,
                )
                new = render_template_string(
                    f'{{{{ ledger_nav(3, "{active}", url_for) }}}}', **functions
                )
                assert new == old and "/staf/penyaluran/3/sampel" in new
            for shown in (names, {"points": {}, "items": names["items"]}):
                context = dict(functions, figures=figures, names=shown)
                old = render_template_string(
                    '{% with prefix="rec" %}{% include "distribution/ledger/_figures.html" %}'
                    '{% endwith %}|{% with rows=figures.balances, heading_id="per-point" %}'
                    '{% include "distribution/ledger/_balances.html" %}{% endwith %}',
                    **context,
                )
                new = render_template_string(
                    '{{ ledger_figures(figures, names, "rec") }}|'
                    '{{ balances_table(figures.balances, names, "per-point") }}',
                    **context,
                )
                assert new == old
    finally:
        app.jinja_env.loader = loader
    assert "Minyak &amp; &lt;gula&gt;" in new
    assert "1.350.000" in new or "1,350,000" in new


# The staff round page's points before they became a function (manage/round.html), for
# a round whose parts may not be removed (`remove` then writes nothing).
OLD_POINTS = (
    "{% macro remove(kind, part_id, label) -%}{%- endmacro %}"
    + """\
{% for point in points %}
<h3>{{ point.name }} {{ remove('point', point.id, point.name) }}</h3>
<p class="meta">{{ point.address }} · {{ point.opens_at.strftime('%H:%M') }}–{{ point.closes_at.strftime('%H:%M') }}{% if point.map_url %} · <a href="{{ point.map_url }}" rel="noopener">{{ _("Map") }}</a>{% endif %}</p>
{% set point_slots = slots.get(point.id, ()) %}{% if point_slots %}
{% call scroll_table(_('Time slots: %(point)s', point=point.name)) %}
<table>
  <thead><tr><th scope="col">{{ _("RT/RW") }}</th><th scope="col">{{ _("Day") }}</th><th scope="col">{{ _("Time") }}</th>{% if round.status == 'draft' and can('edit') %}<th scope="col"><span class="visually-hidden">{{ _("Remove") }}</span></th>{% endif %}</tr></thead>
  <tbody>
  {% if round.status == 'draft' and can('edit') %}
  {% for s in point_slots %}
  <tr><td>{{ s.rt_rw }}</td><td class="nowrap">{{ s.day }}</td><td class="nowrap">{{ s.hours }}</td><td>{{ remove('slot', s.id, "RT %03d"|format(s.rt)) }}</td></tr>
  {% endfor %}
  {% else %}
{{ slot_rows(point_slots) }}{% endif %}
  </tbody>
</table>
{% endcall %}
{% endif %}
{% else %}
<p>{{ _("No point yet.") }}</p>
{% endfor %}
"""  # noqa: E501
)


class PointRow(NamedTuple):
    """A row of round_parts.point_rows: a point's columns, then one slot's (or None)."""

    id: int
    name: str
    address: str
    map_url: str | None
    opens_at: time
    closes_at: time
    slot_id: int | None = None
    rt: int | None = None
    rw: int | None = None
    day: date | None = None
    starts_at: time | None = None
    ends_at: time | None = None


BALAI = (1, "Balai <Desa> & 'co'", 'Jl. "Duri" 1 & 2', "https://x.org/?b=<2>&c", time(8), time(14))
POS3 = (3, "Pos & <3>", "Gg. 3", "", time(7, 5), time(11))
NOV16, NOV17 = date(2026, 11, 16), date(2026, 11, 17)
POINT_ROWS = [
    PointRow(*BALAI, 4, 1, 2, NOV16, time(8), time(9)),
    PointRow(*BALAI, 2, 12, None, NOV16, time(8), time(9)),
    PointRow(*BALAI, 9, 3, 11, NOV17, time(13, 30), time(15, 5)),
    PointRow(2, "Pos RW 02", "", None, time(9), time(12)),  # no slot
    PointRow(*POS3, 5, 9, 1, NOV17, time(8), time(9)),
]


def old_points(rows: list, separator: str) -> tuple[list, dict]:
    """The points (their first rows) and their slots' SlotTexts by point id, as the old
    templates were given them."""
    points = list({row.id: row for row in reversed(rows)}.values())[::-1]
    slots: dict = {}
    for row in rows:
        if row.slot_id is not None:
            slots.setdefault(row.id, []).append(
                Slot(row.slot_id, row.id, row.rt, row.rw, row.day, row.starts_at, row.ends_at)
            )
    return points, slot_texts(slots, separator)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_point_sections_write_what_the_template_wrote(app, lang):
    """The staff round page's points from round_parts.point_rows' rows (rows.points_html)
    write what the template wrote from the points and their SlotTexts."""
    from portal.distribution.rows import point_sections

    values = {"slot_rows": old_slot_rows, "round": SimpleNamespace(status="closed")}
    written = []
    with app.test_request_context("/staf/penyaluran/1", headers={"Accept-Language": lang}):
        for rows in (POINT_ROWS, POINT_ROWS[3:], POINT_ROWS[3:4], []):
            points, slots = old_points(rows, ":")
            old = render_template_string(OLD_POINTS, points=points, slots=slots, **values)
            new = render_template_string(
                "{{ point_sections(rows) }}", rows=rows, point_sections=point_sections
            )
            assert new == old
            written.append(new)
    assert "Balai &lt;Desa&gt; &amp; &#39;co&#39;" in written[0] and "13:30–15:05" in written[0]
    assert "Balai" not in written[-1] and "<p>" in written[-1]
