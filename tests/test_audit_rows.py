"""The audit log's rows (portal/audit/rows.py) write what the template's loop wrote."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import render_template_string
from markupsafe import Markup

from portal.audit.rows import actor_options, audit_rows, menu_options

# The template's loop before the rows became a function (audit/_entries.html).
OLD_LOOP = """{% set system, before_after, before, after = _("System"), _("Before and after"), \
_("Before"), _("After") %}
  {% for at, actor_name, ip, action, object_type, object_id, summary, before_json, \
after_json in entries %}
  <tr>
    <td class="nowrap">{{ at|when('short') }}</td>
    <td>{{ actor_name or system }}{% if ip %}<br><span class="meta">{{ ip }}</span>{% endif %}</td>
    <td>{{ action }}</td>
    <td class="nowrap">{{ object_type }}{% if object_id %} {{ object_id }}{% endif %}</td>
    <td>{% if summary %}<p>{{ summary }}</p>{% endif %}
      {% if before_json or after_json %}
      <details><summary>{{ before_after }}</summary>
        {% if before_json %}<p><strong>{{ before }}</strong></p><pre>{{ before_json }}</pre>\
{% endif %}
        {% if after_json %}<p><strong>{{ after }}</strong></p><pre>{{ after_json }}</pre>{% endif %}
      </details>
      {% endif %}</td>
  </tr>
  {% endfor %}
"""

AT = datetime(2026, 8, 17, 3, 4, 5)
ENTRIES = [
    (AT, "Siti & <Aminah>", "10.0.0.1", "household.update", "household", "12", "Changed <b>",
     Markup('{\n "a": "&lt;x&gt;"\n}'), Markup('{\n "a": 2\n}')),
    (AT, None, None, "login", "user", None, None, None, None),
    (AT, 'Joko "Jo"', None, "x<y", "o&t", "7", "", Markup("[1]"), None),
    (AT, "", "::1", "a", "b", "", "S", None, Markup("{}")),
    (AT, "O'Neil", "1'\"<>&", "'\"", "<'>", "&\"", "it's \"so\"", None, None),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["id", "en"])
def test_audit_rows_write_what_the_template_wrote(app, lang):
    with app.test_request_context("/staf/audit/", headers={"Accept-Language": lang}):
        old = render_template_string(OLD_LOOP, entries=ENTRIES)
        new = audit_rows(ENTRIES)
    assert str(new) == old
    assert "Siti &amp; &lt;Aminah&gt;" in new and "o&amp;t 7" in new
    assert ("Before and after" if lang == "en" else "Sebelum dan sesudah") in new


# The filter menus' loops before they became functions (audit/log.html).
OLD_MENUS = (
    '{% for a in actions %}<option value="{{ a }}"{% if a == action %} selected{% endif %}>'
    "{{ a }}</option>{% endfor %}|"
    '{% for uid, name in actors %}<option value="{{ uid }}"{% if uid == actor_id %} selected'
    "{% endif %}>{{ name }}</option>{% endfor %}"
)
ACTIONS = ["household.update", "a&b", "<x>", 'it\'s "q"']
ACTORS = [(3, "Siti & <Aminah>"), (12, 'O\'Neil "Jo"'), (7, "#7")]


@pytest.mark.parametrize(("action", "actor_id"), [(None, None), ("a&b", 12), ("<x>", 3)])
def test_menu_options_write_what_the_template_wrote(app, action, actor_id):
    with app.test_request_context("/staf/audit/"):
        old = render_template_string(
            OLD_MENUS, actions=ACTIONS, actors=ACTORS, action=action, actor_id=actor_id
        )
    new = f"{menu_options(ACTIONS, action)}|{actor_options(ACTORS, actor_id)}"
    assert new == old
