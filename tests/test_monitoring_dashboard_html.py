"""The public dashboard's content written in Python (portal/monitoring/dashboard_html.py)
is what monitoring/index.html's Jinja wrote, byte for byte, in both languages: with and
without a plan, its vision, goals and activities, and with and without indicators."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.monitoring.dashboard_html import dashboard_body
from portal.monitoring.services.computed import Figure
from portal.monitoring.services.indicators import IndicatorRow
from tests.test_monitoring_activity_items import _tree

# monitoring/index.html's content block before it became a function.
# (Each ends with "|": a template's own last newline is dropped, a block's is not.)
OLD = (
    '{% from "_macros/ui.html" import status_tag %}'
    + """<h1>{{ _("Monitoring and the village plan") }}</h1>
<p>{{ _("What the village planned, how far each activity has come, and how the village is doing against its targets. Figures for a group of fewer than five households or people are not shown, so that nobody is identified.") }}</p>
<p class="actions">
  <a href="{{ url_for('monitoring.open_data', fmt='csv') }}">{{ _("Open data (CSV)") }}</a>
  <a href="{{ url_for('monitoring.open_data', fmt='json') }}">{{ _("Open data (JSON)") }}</a>
  <a href="{{ url_for('monitoring_evaluation.index') }}">{{ _("Evaluations") }}</a>
</p>

{% if plan %}
<section aria-labelledby="plan-heading">
<h2 id="plan-heading">{{ text(tr(plan, "title")) }} ({{ plan.first_year }}–{{ plan.last_year }})</h2>
{% set vision = tr(plan, "vision") %}{% if vision %}<p>{{ text(vision) }}</p>{% endif %}
{% if plan.goals %}
<h3>{{ _("Goals") }}</h3>
<ol>{% for g in plan.goals %}<li>{{ text(tr(g, "title")) }}</li>{% endfor %}</ol>
{% endif %}
<h3>{{ _("Activities in %(year)d", year=year) }}</h3>
{% if tree %}
{# The activities are written in Python (portal/monitoring/views.py's activity_items). #}
<ul class="results">
{{ activity_items(tree, url_for) }}</ul>
{% else %}<p>{{ _("No activity is planned for this year yet.") }}</p>{% endif %}
</section>
{% else %}
<p>{{ _("The village plan has not been entered yet.") }}</p>
{% endif %}

<section aria-labelledby="indicators-heading">
<h2 id="indicators-heading">{{ _("Indicators") }}</h2>
{% if rows %}
{% call scroll_table(_('Indicators')) %}<table class="stack">
  <caption class="visually-hidden">{{ _("Indicators") }}</caption>
  <thead><tr>
    <th scope="col">{{ _("Code") }}</th><th scope="col">{{ _("Indicator") }}</th><th scope="col">{{ _("Unit") }}</th>
    <th scope="col">{{ _("Baseline") }}</th>
    {% for y in years %}<th scope="col">{{ y }}</th>{% endfor %}
    <th scope="col">{{ _("Target %(year)d", year=years[-1]) }}</th>
  </tr></thead>
  {# The rows are written in Python (portal/monitoring/views.py's indicator_table_rows). #}
  <tbody>
{{ indicator_table_rows(rows, years, url_for) }}  </tbody>
</table>{% endcall %}
{% else %}<p>{{ _("No indicator has been set up yet.") }}</p>{% endif %}
</section>
|"""  # noqa: E501
)  # noqa: E501
NEW = "{{ dashboard_body(plan, year, tree, rows, years, url_for) }}|"
YEARS = [2024, 2025, 2026]


def _plan(vision, goals):
    return SimpleNamespace(
        title_id="RPJMDes <Duri> & 'Selatan'",
        title_en="Village plan" if goals else None,
        vision_id="Desa & <maju>" if vision else None,
        vision_en=None,
        first_year=2021,
        last_year=2027,
        goals=[
            SimpleNamespace(title_id="Tujuan <1>", title_en="Goal 1"),
            SimpleNamespace(title_id="Tujuan & 2", title_en=None),
        ]
        if goals
        else [],
    )


def _rows():
    def indicator(code, name_id, name_en, unit, baseline, baseline_year):
        return SimpleNamespace(
            code=code,
            name_id=name_id,
            name_en=name_en,
            unit=unit,
            baseline=baseline,
            baseline_year=baseline_year,
        )

    return [
        IndicatorRow(
            indicator("1.1", "Air <bersih> & layak", None, "m³ & <l>", 1500.25, None),
            YEARS,
            values={2025: Figure(12345.5), 2026: Figure(None, small=True)},
            targets={2026: 2000},
        ),
        IndicatorRow(indicator("a b/2", "Jalan", "Roads", "km", None, 2020), YEARS),
    ]


CASES = list(itertools.product((None, "no-goals", "full"), (True, False), (True, False)))


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("plan", "tree", "rows"), CASES)
def test_dashboard_body_writes_what_the_template_wrote(app, lang, plan, tree, rows):
    values = {
        "plan": None if plan is None else _plan(plan == "full", plan == "full"),
        "year": 2026,
        "tree": _tree() if tree else [],
        "rows": _rows() if rows else [],
        "years": YEARS,
    }
    with app.test_request_context("/pemantauan/", headers={"Accept-Language": lang}):
        app.preprocess_request()
        old = render_template_string(OLD, **values)
        new = render_template_string(NEW, **values, dashboard_body=dashboard_body)
    assert new == old
    if rows:
        assert "&lt;bersih&gt; &amp; layak" in new and "&lt;5</abbr>" in new
