"""The staff list's rows (portal/complaints/staff_rows.py) write what the template's loop
wrote, byte for byte, in both languages."""

from __future__ import annotations

from collections import namedtuple
from datetime import UTC, datetime, timedelta

import pytest
from flask import render_template_string, url_for

from portal.complaints.models import PRIORITIES
from portal.complaints.services import is_overdue
from portal.complaints.staff_rows import complaint_rows

# The template's loop before the rows became a function (complaints/manage/index.html).
OLD_LOOP = (
    '{% from "_macros/ui.html" import status_tag %}\n'
    "<tbody>\n"
    """  {% for c in items %}
  <tr>
    <td><a href="{{ url_for('complaints_manage.detail', complaint_id=c.id) }}">{{ c.id }}</a></td>
    <td class="nowrap">{{ c.created_at|when }}</td>
    <td>{{ complaint_categories[c.category] }}{% if c.priority in ('high', 'urgent') %} \
<span class="tag tag-warn">{{ complaint_priorities[c.priority] }}</span>{% endif %}\
{% if c.about_staff %} <span class="tag tag-pin">{{ _("About staff") }}</span>{% endif %}</td>
    <td>{{ status_tag("complaint", c.status) }}{% if is_overdue(c) %} \
<span class="tag tag-danger">{{ _("Overdue") }}</span>{% endif %}</td>
    <td>{{ c.assigned_name if c.assigned_to_id else "–" }}</td>
  </tr>
  {% endfor %}
"""
    "</tbody>"
)
NEW = "<tbody>\n{{ complaint_rows(items, stem) }}</tbody>"

Row = namedtuple(
    "Row",
    "id created_at category priority status first_response_at assigned_to_id about_staff "
    "assigned_name",
)
NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=5)
ROWS = [
    Row(1, NOW, "service", "normal", "received", None, None, False, None),
    Row(22, OLD, "misuse", "high", "received", None, 7, True, "Bu <Ani> & 'Co'"),
    Row(303, OLD, "unfair", "urgent", "answered", NOW, 8, False, ""),
    Row(4, OLD, "other", "low", "closed", NOW, None, True, None),
]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_complaint_rows_write_what_the_template_wrote(app, lang):
    with app.test_request_context("/staf/pengaduan/", headers={"Accept-Language": lang}):
        context = {"items": ROWS, "complaint_priorities": PRIORITIES, "is_overdue": is_overdue}
        old = render_template_string(OLD_LOOP, **context)
        stem = url_for("complaints_manage.detail", complaint_id=0)[:-1]
        new = render_template_string(NEW, complaint_rows=complaint_rows, stem=stem, **context)
    assert new == old
    assert "Bu &lt;Ani&gt; &amp; &#39;Co&#39;" in new and new.count("tag-danger") == 1
