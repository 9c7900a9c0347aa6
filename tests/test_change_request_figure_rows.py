"""The public figures' rows (portal/registry/change_requests/figure_rows.py) write what
the template's loop wrote, in both languages."""

from __future__ import annotations

from datetime import date

import pytest
from flask import render_template_string

from portal.registry.change_requests.figure_rows import figure_rows
from portal.registry.change_requests.services.reports import Month

# The template's loop before the rows became a function (figures.html).
OLD_LOOP = """{% set fewer = _("fewer than %(n)d", n=5) %}
  {% for m in months %}
  <tr><th scope="row">{{ m.first_day|day("MMMM y") }}</th><td>{{ fewer if m.received is none \
else m.received }}</td><td>{{ fewer if m.accepted is none else m.accepted }}</td><td>{{ fewer \
if m.refused is none else m.refused }}</td><td>{{ m.median_days|number if m.median_days is not \
none else "–" }}</td></tr>
  {% endfor %}
"""
NEW = """{% set fewer = _("fewer than %(n)d", n=5) %}
{{ figure_rows(months, fewer) }}"""

MONTHS = [
    Month("2026-12", date(2026, 12, 1), None, None, None, None),
    Month("2026-11", date(2026, 11, 1), 8, 0, None, 2.5),
    Month("2026-10", date(2026, 10, 1), 1234, 1005, 7, 1234.5),
    Month("2026-01", date(2026, 1, 1), 0, 0, 0, 0.0),
]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_figure_rows_write_what_the_loop_wrote(app, lang):
    with app.test_request_context("/warga/perubahan/angka", headers={"Accept-Language": lang}):
        old = render_template_string(OLD_LOOP, months=MONTHS)
        new = render_template_string(NEW, months=MONTHS, figure_rows=figure_rows)
        again = render_template_string(NEW, months=MONTHS, figure_rows=figure_rows)
    assert new == old == again
    assert ("December 2026" if lang == "en" else "Desember 2026") in new
    assert ("1,234.5" if lang == "en" else "1.234,5") in new
    assert ("fewer than 5" if lang == "en" else "kurang dari 5") in new


def test_figure_rows_escape_the_words_of_a_hidden_figure(app):
    with app.test_request_context("/"):
        rows = figure_rows(MONTHS[:1], "<5 & less")
    assert "<td>&lt;5 &amp; less</td>" in rows
