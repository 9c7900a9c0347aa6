"""The procurement summary's charts (portal/procurement/charts.py) write what the
Jinja macro wrote (templates/procurement/_charts.html, kept here), in both languages."""

from __future__ import annotations

import pytest
from flask import render_template_string

from portal.procurement.charts import bars

OLD_MACRO = """\
{# Bars drawn on the server as SVG (no JavaScript, no inline style under the CSP), each
   with a table of the same figures beside it. rows: [(label, value, shown text)]. #}
{% macro bars(id, title, rows) %}
{% set top = rows|map(attribute=1)|max if rows else 0 %}
<div class="pr-pair">
  <svg class="pr-chart" viewBox="0 0 300 {{ rows|length * 30 + 4 }}" role="img" aria-labelledby="{{ id }}-title">
    <title id="{{ id }}-title">{{ title }}</title>
    {% for label, value, shown in rows %}
    {% set y = loop.index0 * 30 %}
    <text x="0" y="{{ y + 11 }}" class="pr-label">{{ label|truncate(38, True, "…") }}</text>
    <rect x="0" y="{{ y + 15 }}" width="300" height="10" class="pr-track"></rect>
    <rect x="0" y="{{ y + 15 }}" width="{{ (value * 300 / top)|round(1) if top else 0 }}" height="10" class="pr-fill"></rect>
    {% endfor %}
  </svg>
  {% call scroll_table(labelledby=id ~ "-caption") %}
    <table>
      <caption id="{{ id }}-caption">{{ title }}</caption>
      <tbody>
      {% for label, value, shown in rows %}
      <tr><th scope="row">{{ label }}</th><td class="num">{{ shown }}</td></tr>
      {% endfor %}
      </tbody>
    </table>
  {% endcall %}
</div>
{% endmacro %}
"""  # noqa: E501

ROWS = [
    ("Desa <Duri> & Selatan", 1_500_000, "Rp 1.500.000"),
    ("Kecamatan dengan nama yang sangat panjang sekali melebihi batas", 250_000, "Rp 250.000"),
    ('Luar "kecamatan"', 0, "Rp 0"),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("rows", [ROWS, [("Hanya nol", 0, "0")], []])
def test_bars_write_what_the_macro_wrote(app, lang, rows):
    values = {"rows": rows, "new_bars": bars}
    with app.test_request_context("/pengadaan/", headers={"Accept-Language": lang}):
        old = render_template_string(
            OLD_MACRO + '{{ bars("spend", _("Spend by where the supplier is"), rows) }}', **values
        )
        new = render_template_string(
            '{{ new_bars("spend", _("Spend by where the supplier is"), rows) }}', **values
        )
        priced = render_template_string(
            OLD_MACRO
            + "{{ bars('p', _('%(price)s; reference %(ref)s', price='<1>', ref=2), rows) }}",
            **values,
        )
        assert priced == render_template_string(
            "{{ new_bars('p', _('%(price)s; reference %(ref)s', price='<1>', ref=2), rows) }}",
            **values,
        )
    assert new == old
    assert ("Desa &lt;Duri&gt; &amp; Selatan" in new) == bool(rows == ROWS)
