"""The public round page's parts written in Python (portal/distribution/round_html.py)
write what distribution/round.html's Jinja wrote, byte for byte, in both languages: the
head with its facts, the points with their time slots and the progress, over rounds
with and without cash, items, a version, notes, a translation, slots, a map and figures
large enough to show."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.distribution import round_html
from portal.distribution.rows import group_rows
from portal.distribution.services.progress import Group, ItemTotal, Progress
from tests.test_distribution_rows import POINT_ROWS, old_points, old_slot_rows

ROOT = Path(__file__).resolve().parent.parent

# round.html's content block before its parts became functions.
OLD = (
    '{% from "_macros/ui.html" import fallback_note, status_tag %}'
    '{% set title = tr(round, "title") %}'
    + """<p class="crumbs"><a href="{{ url_for('distribution.index') }}">{{ _("Distribution of aid") }}</a></p>
<h1>{{ text(title) }}</h1>
{{ fallback_note(title) }}
<dl class="facts">
  <dt>{{ _("Status") }}</dt><dd>{{ status_tag("distribution.round", round.status) }}</dd>
  <dt>{{ _("Dates") }}</dt><dd>{{ round.starts_on|day }} – {{ round.ends_on|day }}</dd>
  {% if version %}<dt>{{ _("Recipient list") }}</dt><dd><a href="{{ url_for('lists.board', period_id=version.period_id, versi=version.number) }}">{{ version.period_title_en if current_lang() == 'en' and version.period_title_en else version.period_title_id }}</a>, {{ _("version %(n)d", n=version.number) }}</dd>{% endif %}
  <dt>{{ _("Each household receives") }}</dt>
  <dd>{% if round.cash_amount %}{{ round.cash_amount|money }}{% endif %}{% for item in items %}{% if not loop.first or round.cash_amount %}; {% endif %}{{ text(tr(item, "name")) }} {{ qty(item.quantity_milli) }} {{ units[item.unit] }}{% endfor %}{% if round.use_food_formula %} ({{ _("larger households get more food, by the programme's formula") }}){% endif %}</dd>
</dl>
{% set notes = tr(round, "notes") %}{% if notes %}<p>{{ text(notes) }}</p>{% endif %}
{% call kept_fragment("round-bring") %}<p>{{ _("Bring your KTP or family card (KK) and your invitation. Nobody may ask you for money or take a part of your aid: if it happens, report it.") }} <a href="{{ url_for('complaints.new') }}">{{ _("File a complaint") }}</a> · <a href="{{ url_for('lists.self_check') }}">{{ _("Check your household") }}</a></p>
{% endcall %}

{% if round.status in ("closed", "reconciled") %}{% set eval_survey = round_evaluation_survey(round.id) %}
<p><a href="{{ url_for('monitoring_evaluation.round_page', ref=round.id) }}">{{ _("Evaluation of this round") }}</a>{% if eval_survey %} · <a href="{{ url_for('participation.code_survey') }}">{{ _("Answer the short survey about this distribution with the code on your invitation") }}</a>{% endif %}</p>
{% endif %}
<section aria-labelledby="points-h">
<h2 id="points-h">{{ _("Points and time slots") }}</h2>
{% for point in points %}
<h3>{{ point.name }}</h3>
<p class="meta">{{ point.address }} · {{ _("open %(from)s–%(until)s", from=point.opens_at.strftime('%H.%M'), until=point.closes_at.strftime('%H.%M')) }}{% if point.map_url %} · <a href="{{ point.map_url }}" rel="noopener">{{ _("Map") }}</a>{% endif %}</p>
{% set point_slots = slots.get(point.id, ()) %}{% if point_slots %}
{% call scroll_table(_('Time slots: %(point)s', point=point.name)) %}
<table>
{% call kept_fragment("round-slots-head") %}  <thead><tr><th scope="col">{{ _("RT/RW") }}</th><th scope="col">{{ _("Day") }}</th><th scope="col">{{ _("Time") }}</th></tr></thead>
{% endcall %}
  <tbody>
{{ slot_rows(point_slots) }}  </tbody>
</table>
{% endcall %}
{% endif %}
{% endfor %}
</section>

<section aria-labelledby="progress-h">
<h2 id="progress-h">{{ _("Progress") }}</h2>
{% set t = progress.total %}
{% if t.shown %}
<p><strong>{{ _("%(collected)d of %(due)d households collected (%(percent)d%%).", collected=t.collected, due=t.due, percent=t.percent) }}</strong>{% if round.cash_amount %} {{ _("Cash paid: %(paid)s of %(due)s.", paid=t.cash_paid|money, due=t.cash_due|money) }}{% endif %}</p>
<progress max="{{ t.due }}" value="{{ t.collected }}" aria-labelledby="progress-h">{{ t.percent }}%</progress>
{% if progress.items %}
<h3 id="items-h">{{ _("Items") }}</h3>
{% call scroll_table(labelledby='items-h') %}
<table>
{% call kept_fragment("round-items-head") %}  <thead><tr><th scope="col">{{ _("Item") }}</th><th scope="col">{{ _("Handed over") }}</th><th scope="col">{{ _("Due") }}</th></tr></thead>
{% endcall %}
  <tbody>
  {% for i in progress.items %}
  <tr><td>{{ text(tr(i.item, "name")) }}</td><td class="num">{{ qty(i.delivered_milli) }} {{ units[i.item.unit] }}</td><td class="num">{{ qty(i.due_milli) }} {{ units[i.item.unit] }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endcall %}
{% endif %}
{# What a row of a group too small to show says, made once for the rows below. #}
{% set cash = round.cash_amount %}
{% set too_few %}<td colspan="{{ 3 if cash else 2 }}">{{ _("fewer than %(n)d households", n=min_group) }}</td>{% endset %}
{% for heading, rows, key in ((_("Per RT/RW"), progress.by_rt, "rt"), (_("Per point"), progress.by_point, "point")) %}
<h3 id="by-{{ key }}-h">{{ heading }}</h3>
{% call scroll_table(labelledby='by-' ~ key ~ '-h') %}
<table>
{% call kept_fragment("round-group-head-" ~ key ~ ("-cash" if cash else "")) %}  <thead><tr><th scope="col">{{ _("RT/RW") if key == 'rt' else _("Point") }}</th><th scope="col">{{ _("Collected / due") }}</th><th scope="col">%</th>{% if cash %}<th scope="col">{{ _("Cash paid / due") }}</th>{% endif %}</tr></thead>
{% endcall %}
  <tbody>
{{ group_rows(rows, cash, too_few) }}  </tbody>
</table>
{% endcall %}
{% endfor %}
{% else %}
<p>{{ _("This round has fewer than %(n)d households; no figures are shown.", n=min_group) }}</p>
{% endif %}
{% if round.status in ('closed', 'reconciled') %}<p><a href="{{ url_for('distribution_ledger.public_reconciliation', round_id=round.id) }}">{{ _("Reconciliation and the check that aid arrived") }}</a></p>{% endif %}
<p>{{ _("Open data:") }} <a href="{{ url_for('distribution.open_data', round_id=round.id, fmt='csv') }}" download>CSV</a> · <a href="{{ url_for('distribution.open_data', round_id=round.id, fmt='json') }}" download>JSON</a></p>
</section>
"""  # noqa: E501
)


def _new() -> str:
    """round.html's content block now, with its title set before it."""
    source = (ROOT / "templates/distribution/round.html").read_text(encoding="utf-8")
    title = source.index("{% set title")
    block = source.index("{% block content %}") + len("{% block content %}\n")
    return (
        source[title : source.index("\n", title) + 1]
        + source[block : source.rindex("{% endblock %}")]
    )


def _round(status, cash, formula, notes_en, title_en):
    return SimpleNamespace(
        id=7,
        status=status,
        title_id="Penyaluran <BLT> & 'tahap' 1",
        title_en=title_en,
        notes_id="Catatan & <b>",
        notes_en=notes_en,
        starts_on=date(2026, 11, 16),
        ends_on=date(2026, 11, 17),
        cash_amount=cash,
        use_food_formula=formula,
        evaluation_survey_id=4 if title_en else None,  # the survey its evaluation links
    )


ITEMS = [
    SimpleNamespace(id=1, name_id="Beras", name_en="Rice", unit="kg", quantity_milli=10_000),
    SimpleNamespace(
        id=2, name_id="Minyak & <gula>", name_en=None, unit="pcs", quantity_milli=2_500
    ),
]


def _progress(shown, items):
    total = Group("", 33 if shown else 3, 30 if shown else 1, 9_900_000, 8_550_000, shown)
    return Progress(
        total=total,
        by_rt=[
            Group("001/002", 17, 15, 5_100_000, 4_500_000, True),
            Group("003/–", 3, 1, 900_000, 300_000, False),
        ],
        by_point=[Group("Balai <Desa> & Pos", 6, 0, 0, 0, True)],
        items=[ItemTotal(item, 330_000, 285_500) for item in ITEMS] if items else [],
    )


def _render(template, **values):
    return render_template_string(template, **values)


CASES = list(
    itertools.product(
        ("open", "closed"),  # an ended round links its evaluation and reconciliation
        (300_000, 0),
        (True, False),  # items, the food formula
        (True, False),  # notes and titles translated, a version, slots and figures shown
    )
)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("status", "cash", "items", "full"), CASES)
def test_round_page_parts_write_what_the_template_wrote(app, lang, status, cash, items, full):
    round_ = _round(status, cash, items, "Notes" if full else None, "Round <1>" if full else None)
    version = (
        SimpleNamespace(
            period_id=3, number=2, period_title_id="BLT & <Januari>", period_title_en=None
        )
        if full
        else None
    )
    rows = POINT_ROWS if full else POINT_ROWS[3:4]  # the slots' points; one without
    page = SimpleNamespace(
        round=round_,
        version=version,
        points=rows,
        items=ITEMS if items else [],
        progress=_progress(full, items),
    )
    parts = {"round_head": round_html.round_head, "round_body": round_html.round_body}
    with app.test_request_context("/penyaluran/7", headers={"Accept-Language": lang}):
        app.preprocess_request()
        points, slots = old_points(rows, ".")
        old_values = {"points": points, "slots": slots, "items": page.items, "version": version}
        old = _render(
            OLD,
            round=round_,
            progress=page.progress,
            min_group=5,
            slot_rows=old_slot_rows,
            group_rows=group_rows,
            # monitoring's template global before the survey was read with the round
            round_evaluation_survey=lambda round_id: round_.evaluation_survey_id,
            **old_values,
        )
        new = _render(_new(), round=round_, page=page, min_group=5, **parts)
    assert new == old
    if full:
        assert "Balai &lt;Desa&gt; &amp; &#39;co&#39;" in new and "13.30–15.05" in new
        assert ("/partisipasi/kode" in new) == (status == "closed")


def test_the_round_and_its_version_are_read_in_one_statement(app, make_user):
    """public_round_with_version gives the round's plain row and lists.version_info's
    VersionInfo, in one statement; None for a round the public may not see yet."""
    from sqlalchemy import event

    from portal.distribution import services
    from portal.extensions import db
    from portal.lists import queries as lists
    from tests.distribution_helpers import approved_round, draft_round

    round_, version, operator, _head = approved_round(make_user, households=20)
    round_id, title, version_id = round_.id, round_.title_id, version.id  # loaded now
    statements = []
    engine = db.engine
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        row, info = services.public_round_with_version(round_id)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len(statements) == 1
    assert info == lists.version_info(version_id) and info is not None
    assert (row.id, row.status, row.title_id) == (round_id, "approved", title)
    draft = draft_round(version, operator)
    assert services.public_round_with_version(draft.id) is None
