"""The food programme's formula section (registry/_food_formula.html), kept per language
by templating.kept_fragment, is what the template wrote before, byte for byte, in both
languages: the first time it is rendered and each time it is answered from the kept
fragments."""

from __future__ import annotations

import pytest
from flask import render_template_string

# registry/_food_formula.html before it was kept.
OLD = """{# The public food formula, rendered from portal/registry/scoring.py (food_formula()). #}
{% set formula = food_formula() %}
<section aria-labelledby="food-formula-title">
  <h2 id="food-formula-title">{{ _("How much food a household receives") }}</h2>
  <p>{{ _("The package grows with the people who eat from it. Each living member counts as consumption units by age:") }}</p>
  {% call scroll_table(_('Consumption units by age')) %}
  <table>
    <caption class="visually-hidden">{{ _("Consumption units by age") }}</caption>
    <thead><tr><th scope="col">{{ _("Member") }}</th><th scope="col" class="num">{{ _("Units") }}</th></tr></thead>
    <tbody>
    {% for w in formula.weights %}<tr><td>{{ w.label }}</td><td class="num">{{ w.weight|number }}</td></tr>{% endfor %}
    </tbody>
  </table>
  {% endcall %}
  <p>{{ _("Each item is the amount per unit times the household's units, at least the minimum, rounded up:") }}</p>
  {% call scroll_table(_('Amount per unit')) %}
  <table>
    <caption class="visually-hidden">{{ _("Amount per unit") }}</caption>
    <thead><tr><th scope="col">{{ _("Item") }}</th><th scope="col" class="num">{{ _("Per unit") }}</th><th scope="col" class="num">{{ _("At least") }}</th><th scope="col" class="num">{{ _("Rounded up to") }}</th></tr></thead>
    <tbody>
    {% for item in formula["items"] %}
    <tr><td>{{ item.label }}</td><td class="num">{{ item.per_unit|number }} {{ item.unit }}</td><td class="num">{{ item.minimum|number }} {{ item.unit }}</td><td class="num">{{ item.step|number }} {{ item.unit }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% endcall %}
  <p>{{ _("Each child under five also receives %(kg)s kg of mung beans.", kg=formula.mung_beans_per_toddler|number) }}</p>
  <h3>{{ _("Examples") }}</h3>
  <ul>
    {% for example in formula.examples %}
    <li>{{ example.label }}: {% for line in example.food %}{{ line.label }} {{ line.quantity|number }} {{ line.unit_label }}{% if not loop.last %}, {% endif %}{% endfor %}</li>
    {% endfor %}
  </ul>
</section>
"""  # noqa: E501


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_kept_food_formula_is_the_templates(app, lang):
    with app.test_request_context("/program/paket-pangan", headers={"Accept-Language": lang}):
        app.preprocess_request()
        old = render_template_string(OLD)
        for _time in range(2):  # rendered, then the kept markup
            new = render_template_string('{% include "registry/_food_formula.html" %}')
            assert new == old
    assert "<table>" in new and new.endswith("</section>")
