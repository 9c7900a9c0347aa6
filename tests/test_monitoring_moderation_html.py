"""The comment moderation page's lists written in Python (portal/monitoring/
moderation_html.py) are what monitoring/manage/comments.html's Jinja wrote, byte for
byte in both languages: visible comments with a blank form to hide each, one posted
back with an error, hidden comments (one without a reason), for an editor and a
reader, with CSRF on and off; and the page reads both lists in plain rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from portal.monitoring import moderation_html
from portal.monitoring.comment_views import HideForm, _hide_form

ROOT = Path(__file__).resolve().parent.parent

# comments.html before its lists became a function (without its `extends`).
OLD = """{% set field = form_field %}
{% block title %}{{ _("Comments on activities") }}{% endblock %}
{% block content %}
<p class="crumbs"><a href="{{ url_for('monitoring_manage.index') }}">{{ _("Monitoring and the village plan") }}</a></p>
<h1>{{ _("Comments on activities") }}</h1>
<p>{{ _("The most reported first. A hidden comment shows its reason in its place.") }}</p>
{% for c in items %}
<article class="pt-comment">
  <p class="meta"><a href="{{ url_for('monitoring.activity', activity_id=c.activity_id) }}#comments">{{ c.author_label }} · {{ c.created_at|day }}</a> · {{ _("Reports: %(n)s", n=c.flags_count) }}</p>
  <p>{{ c.body }}</p>
  {% if can('edit') %}
  {% set form = forms.get(c.id) or hide_form(c.id) %}
  <form method="post" action="{{ url_for('monitoring_comments.hide', comment_id=c.id) }}" novalidate class="editor">
    {{ form.csrf_token }}
    {{ field(form.reason) }}
    <button type="submit">{{ _("Hide") }}</button>
  </form>
  {% endif %}
</article>
{% else %}
<p>{{ _("No comment to moderate.") }}</p>
{% endfor %}
{% if hidden %}
<h2 id="hidden-h">{{ _("Hidden comments") }}</h2>
{% for c in hidden %}
<article class="pt-comment">
  <p class="meta"><a href="{{ url_for('monitoring.activity', activity_id=c.activity_id) }}#comments">{{ c.author_label }} · {{ c.created_at|day }}</a> · {{ _("hidden %(day)s", day=c.hidden_at|day) }}</p>
  <p>{{ c.body }}</p>
  <p class="meta">{{ _("Reason: %(reason)s", reason=c.hidden_reason) }}</p>
  {% if can('edit') %}
  <form method="post" action="{{ url_for('monitoring_comments.unhide', comment_id=c.id) }}">
    <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
    <button type="submit" class="secondary">{{ _("Show again") }}</button>
  </form>
  {% endif %}
</article>
{% endfor %}
{% endif %}
{% endblock %}
"""  # noqa: E501


def _new() -> str:
    source = (ROOT / "templates/monitoring/manage/comments.html").read_text("utf-8")
    return source.split("\n", 1)[1]


def _comment(id_, **fields):
    values = dict(
        id=id_,
        activity_id=5,
        author_label="S**i <A> & 'B'",
        body='Jalan "rusak" & <berlubang>',
        flags_count=3,
        created_at=datetime(2026, 8, 17, 23, 30, tzinfo=UTC),
        hidden_at=None,
        hidden_reason=None,
    )
    values.update(fields)
    return SimpleNamespace(**values)


ITEMS = [
    _comment(12),
    _comment(4, activity_id=9, flags_count=0, created_at=date(2025, 12, 31), body="a\nb"),
]
HIDDEN = [
    _comment(7, hidden_at=datetime(2026, 9, 1, 2, 0), hidden_reason="Kasar <x> & 100%"),
    _comment(8, hidden_at=datetime(2026, 9, 2), hidden_reason=None, author_label="X"),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("csrf", [True, False])
def test_the_moderation_lists_write_what_the_template_wrote(app, lang, csrf):
    app.config["WTF_CSRF_ENABLED"] = csrf
    written = []
    try:
        path = "/staf/pemantauan/komentar"
        with app.test_request_context(path, headers={"Accept-Language": lang}):
            posted = HideForm(prefix="c4", formdata=MultiDict({"c4-reason": "<b>"}))
            posted.validate()
            posted.reason.errors = ["Terlalu <pendek>"]
            for may_edit in (True, False):
                for items, hidden, forms in (
                    (ITEMS, HIDDEN, {}),
                    (ITEMS, [], {4: posted}),
                    ([], HIDDEN[1:], {}),
                    ([], [], {}),
                ):
                    values = dict(items=items, hidden=hidden, forms=forms, hide_form=_hide_form)
                    values["can"] = lambda capability, may_edit=may_edit: may_edit
                    old = render_template_string(OLD, **values)
                    new = render_template_string(
                        _new(), moderation_lists=moderation_html.moderation_lists, **values
                    )
                    assert new == old
                    written.append(new)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert len(written) == 8 and 'id="c12-reason"' in written[0] and "None" in written[0]
    assert "Terlalu &lt;pendek&gt;" in written[1] and 'value="&lt;b&gt;"' in written[1]
    assert ('name="c12-csrf_token"' in written[0]) == csrf and "<form" not in written[4]
