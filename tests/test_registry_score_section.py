"""The household page's need score (portal/registry/score_section.py) writes what the
template's part wrote, byte for byte, in both languages."""

from __future__ import annotations

import itertools

import pytest
from flask import render_template_string

from portal.registry import scoring
from portal.registry.page_texts import household_texts
from portal.registry.score_section import score_section
from portal.registry.views import _translated_labels

# household.html's part before it became score_section (in the page's with-frame; a
# few long lines broken inside their {{ }}, which changes nothing written).
OLD_PART = """{% with %}
<h2 id="score-title">{{ _("Need score: %(score)d of 100", score=assessment.score) }}</h2>
<p><span class="tag tag-level-{{ assessment.need_level }}">{{ need_levels[assessment.need_level]
}}</span> {{ assessment.level_reason }}</p>
{% call scroll_table(t.score_made) %}
<table>
  <caption class="visually-hidden">{{ t.score_made }}</caption>
  <thead><tr><th scope="col">{{ t.reason }}</th><th scope="col" class="num">{{
 t.points }}</th></tr></thead>
  <tbody>
  {% for r in assessment.reasons %}
  <tr><td>{{ r.message }}</td><td class="num">{% if r.points is not none %}{{
 r.points }}{% endif %}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endcall %}
<h3>{{ t.aid_fits }}</h3>
{% if assessment.aid_reasons %}
<ul>
  {% for key, why in assessment.aid_reasons.items() %}<li><strong>{{ aid_types[key]
}}</strong>: {{ why }}</li>{% endfor %}
</ul>
{% else %}
<p>{{ t.no_aid }}</p>
{% endif %}
{% if assessment.food %}
<h3>{{ t.monthly_food_package }}</h3>
<p class="meta">{{ _("%(units)s consumption units (see the formula on the programme page).",
 units=assessment.units|number) }}</p>
<ul>
  {% for line in assessment.food %}<li>{{ line.label }}: {{ line.quantity|number }} {{
 line.unit_label }}</li>{% endfor %}
</ul>
{% endif %}
{% endwith %}"""

NONE = dict.fromkeys(scoring.BPS_CRITERIA)
ALL = dict.fromkeys(scoring.BPS_CRITERIA, True)
SOME = {key: n % 3 == 0 for n, key in enumerate(scoring.BPS_CRITERIA)}
OLD, CHILD, DISABLED = (
    scoring.Member(age=70, disabled=False, alive=True),
    scoring.Member(age=9, disabled=False, alive=True),
    scoring.Member(age=None, disabled=True, alive=True),
)
DEAD = scoring.Member(age=40, disabled=False, alive=False)
HOUSEHOLDS = [
    (criteria, desil, members)
    for criteria, desil, members in itertools.product(
        (NONE, SOME, ALL),
        (None, 1, 4, 9),
        ([], [DEAD], [OLD], [OLD, CHILD, DISABLED], [CHILD] * 7 + [OLD, OLD]),
    )
]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_score_section_writes_what_the_template_wrote(app, lang):
    shown = set()
    with app.test_request_context("/staf/registrasi/", headers={"Accept-Language": lang}):
        labels, texts = _translated_labels(), household_texts()
        for criteria, desil, members in HOUSEHOLDS:
            assessment = scoring.assess(criteria, desil, members)
            old = render_template_string(OLD_PART, assessment=assessment, t=texts, **labels)
            new = score_section(assessment, texts, labels["need_levels"], labels["aid_types"])
            assert str(new) == old, (criteria, desil, members)
            shown.add((bool(assessment.food), bool(assessment.aid_reasons)))
    # Every branch: with and without a food package and aid reasons.
    assert shown == {(True, True), (False, True), (False, False)}
