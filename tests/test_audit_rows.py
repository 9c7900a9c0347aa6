"""The audit log's rows (portal/audit/rows.py) write what the template's loop wrote."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from flask import render_template_string, request
from markupsafe import Markup

from portal.audit.rows import actor_options, audit_rows, filter_form, menu_options
from portal.row_pages import pager_html

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


# The filter form before it became a function (audit/log.html).
OLD_FORM = """<form class="filters filters-wide" action="{{ url_for('audit.log') }}" method="get"
      data-hx-get="{{ url_for('audit.log') }}" data-hx-target="#audit-entries" \
data-hx-trigger="change, submit" data-hx-push-url="true">
  <div class="field">
    <label for="aksi">{{ _("Action") }}</label>
    <select id="aksi" name="aksi">
      <option value="">{{ _("All actions") }}</option>
{{ menu_options(known.actions, filters.action) }}    </select>
  </div>
  <div class="field">
    <label for="objek">{{ _("Kind of record") }}</label>
    <select id="objek" name="objek">
      <option value="">{{ _("All kinds") }}</option>
{{ menu_options(known.object_types, filters.object_type) }}    </select>
  </div>
  <div class="field field-small">
    <label for="id">{{ _("Record number") }}</label>
    <input id="id" name="id" type="text" inputmode="numeric" \
value="{{ filters.object_id or '' }}" maxlength="40">
  </div>
  <div class="field">
    <label for="pelaku">{{ _("Who") }}</label>
    <select id="pelaku" name="pelaku">
      <option value="">{{ _("Everyone") }}</option>
{{ actor_options(known.actors, filters.actor_id) }}    </select>
  </div>
  {% for name, label in (('dari', _('From (date)')), ('sampai', _('Until (date)'))) %}
  <div class="field{% if errors[name] %} has-error{% endif %}">
    <label for="{{ name }}">{{ label }}</label>
    <input id="{{ name }}" name="{{ name }}" type="date" value="{{ args.get(name, '') }}"\
{% if errors[name] %} aria-invalid="true" aria-describedby="{{ name }}-error"{% endif %}>
    {% if errors[name] %}<p class="error" id="{{ name }}-error">{{ errors[name] }}</p>{% endif %}
  </div>
  {% endfor %}
  <button type="submit">{{ _("Filter") }}</button>
</form>"""
FILTERS = [
    ({"action": None, "object_type": None, "object_id": None, "actor_id": None}, {}, {}),
    (
        {"action": "a&b", "object_type": "<x>", "object_id": '7"<b>&', "actor_id": 12},
        {"dari": 'x"<y>&', "sampai": "2026-01-31"},
        {"dari": "Enter a date as YYYY-MM-DD."},
    ),
    (
        {"action": "<x>", "object_type": None, "object_id": "12", "actor_id": 3},
        {"dari": "2026-01-01", "sampai": "nope<"},
        {"sampai": "Bad & <wrong>"},
    ),
    (
        {"action": None, "object_type": "a&b", "object_id": None, "actor_id": None},
        {"dari": "?", "sampai": "?"},
        {"dari": "one", "sampai": "two"},
    ),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("filters", "args", "errors"), FILTERS)
def test_filter_form_writes_what_the_template_wrote(app, lang, filters, args, errors):
    known = {"actions": ACTIONS, "object_types": ACTIONS[::-1], "actors": ACTORS}
    with app.test_request_context("/staf/audit/", headers={"Accept-Language": lang}):
        old = render_template_string(
            OLD_FORM,
            known=known,
            filters=filters,
            args=args,
            errors=errors,
            menu_options=menu_options,
            actor_options=actor_options,
        )
        url_for = app.jinja_env.globals["url_for"]
        new = filter_form(known, filters, args, errors, url_for)
    assert str(new) == old
    assert '<option value="&lt;x&gt;"' in new  # a stored value escaped


OLD_PAGES = """{% from "_macros/registry.html" import pages %}
{{ pages(pagination, 'audit.log', '#audit-entries') }}"""


def _pagination(page: int, pages: int) -> SimpleNamespace:
    return SimpleNamespace(
        page=page,
        pages=pages,
        has_prev=page > 1,
        has_next=page < pages,
        prev_num=page - 1,
        next_num=page + 1,
    )


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("query", ["", "?aksi=a%26b&page=4", "?objek=%3Cx%3E&pelaku=3"])
@pytest.mark.parametrize(("page", "pages"), [(1, 1), (1, 8), (4, 8), (8, 8), (1, 0)])
def test_pager_html_writes_what_the_macro_wrote(app, lang, query, page, pages):
    """row_pages.pager_html with the request's arguments, as the macro without base_args."""
    with app.test_request_context("/staf/audit/" + query, headers={"Accept-Language": lang}):
        pagination = _pagination(page, pages)
        old = render_template_string(OLD_PAGES, pagination=pagination)
        url_for = app.jinja_env.globals["url_for"]
        new = pager_html(pagination, "audit.log", "#audit-entries", request.args.to_dict(), url_for)
    assert str(new) == old.lstrip("\n")
