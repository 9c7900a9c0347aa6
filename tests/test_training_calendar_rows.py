"""The calendar's rows (portal/training/calendar_rows.py) write what the template's loop
wrote (training/calendar.html), in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.training.calendar_rows import calendar_rows

# The template's loop before the rows became a function.
OLD = """  <tbody>
  {% for s in sessions %}
  <tr>
    <td data-label="{{ _('When') }}">{{ s.starts_at|when }}</td>
    <td data-label="{{ _('Course') }}"><a href="{{ url_for('training.course', \
course_id=s.course_id) }}">{{ tr(s.course, 'title') }}</a></td>
    <td data-label="{{ _('Place') }}">{{ s.where }}</td>
    <td data-label="{{ _('Free seats') }}" class="num">{{ s.free }}</td>
  </tr>
  {% endfor %}
  </tbody>"""
NEW = """  <tbody>
{{ calendar_rows(sessions, url_for('training.course', course_id=0), (_('When'), \
_('Course'), _('Place'), _('Free seats'))) }}  </tbody>"""

SEWING = SimpleNamespace(title_id="Menjahit & <bordir>", title_en="Sewing")
COOKING = SimpleNamespace(title_id='Kue "basah"', title_en=None)
SESSIONS = [
    SimpleNamespace(
        starts_at=datetime(2026, 3, 4, 17, 30, tzinfo=UTC), course_id=1, course=SEWING,
        where="Balai desa <RW 02>", free=0,
    ),
    SimpleNamespace(
        starts_at=datetime(2026, 12, 31, 2, 5, tzinfo=UTC), course_id=12, course=COOKING,
        where="Rumah Bu \"Siti\" & co", free=14,
    ),
    SimpleNamespace(
        starts_at=date(2026, 5, 1), course_id=305, course=COOKING, where="", free=3,
    ),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["id", "en"])
def test_calendar_rows_write_what_the_loop_wrote(app, lang):
    with app.test_request_context("/pelatihan/kalender", headers={"Accept-Language": lang}):
        for sessions in (SESSIONS, SESSIONS[:1], []):
            theirs = render_template_string(OLD, sessions=sessions)
            ours = render_template_string(NEW, sessions=sessions, calendar_rows=calendar_rows)
            assert ours == theirs
            assert len(sessions) == ours.count("<tr>")
