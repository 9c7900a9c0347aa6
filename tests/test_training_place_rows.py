"""A session's place rows (portal/training/place_rows.py) write what the staff session
page's loop wrote: participants and waitlist, editor or not, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.training.forms import ActionForm
from portal.training.place_rows import place_rows

# The template's loop before the rows became a function (training/manage/session.html).
OLD = """  {% for p in items %}
  <tr>
    {% if waiting %}<td class="num">{{ loop.index }}</td>{% endif %}
    <td>{{ p.name }}</td><td>{{ p.phone or "-" }}</td><td>{% if p.person_id %}"""
OLD += """{{ _("Yes") }}{% else %}-{% endif %}</td>
    {% if not waiting %}<td>{% if p.attended %}{{ _("Yes") }}{% elif p.attended == false %}"""
OLD += """{{ _("No") }}{% else %}-{% endif %}</td><td>{{ p.completed_at|day if p.completed_at"""
OLD += """ else "-" }}</td>{% endif %}
    {% if editor %}<td><form method="post" action="{{ url_for('training_manage.place_cancel', """
OLD += """place_id=p.id) }}" class="inline">{{ action.csrf_token }}<button type="submit" """
OLD += """class="link">{{ _("Cancel") }}</button></form></td>{% endif %}
  </tr>
  {% endfor %}
"""
NEW = (
    """{{ place_rows(items, waiting, editor, url_for('training_manage.place_cancel', place_id=0),"""
)
NEW += """ action.csrf_token, (_("Yes"), _("No"), _("Cancel"))) }}"""

PLACES = [
    SimpleNamespace(
        id=1, name="Siti & <Aminah>", phone=None, person_id=4, attended=True,
        completed_at=datetime(2026, 3, 4, 10, tzinfo=UTC),
    ),
    SimpleNamespace(
        id=20, name='O"Neil', phone="+62812", person_id=None, attended=False, completed_at=None
    ),
    SimpleNamespace(
        id=300, name="Budi", phone="", person_id=None, attended=None, completed_at=None
    ),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["id", "en"])
def test_place_rows_write_what_the_loop_wrote(app, lang):
    with app.test_request_context("/staf/pelatihan/sesi/1", headers={"Accept-Language": lang}):
        # With its CSRF token, and without (the tests' forms have none: Undefined).
        for action in (ActionForm(meta={"csrf": True}), ActionForm()):
            _compare(action)


def _compare(action):
    for waiting in (False, True):
        for editor in (False, True):
            for items in (PLACES, PLACES[:1], []):
                values = {"items": items, "waiting": waiting, "editor": editor}
                theirs = render_template_string(OLD, action=action, **values)
                ours = render_template_string(NEW, action=action, place_rows=place_rows, **values)
                assert ours == theirs, (waiting, editor, len(items))
