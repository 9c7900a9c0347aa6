"""An activity page's parts written by a plain function (portal/monitoring/views.py's
activity_parts) are what the template's loop wrote."""

from __future__ import annotations

from types import SimpleNamespace

from flask import render_template_string

from portal.monitoring.models import ACTIVITY_STATUSES

# The template's loop before (templates/monitoring/activity.html).
OLD = """{% from "_macros/ui.html" import status_tag, text %}<ul class="results">
  {% for c in children %}
  <li><a href="{{ url_for('monitoring.activity', activity_id=c.id) }}">{{ text(tr(c, "title")) \
}}</a> {{ status_tag("monitoring.activity", c.status) }} <label class="progress">{{ _("Progress") \
}} <progress max="100" value="{{ child_progress.get(c.id, c.progress) }}">{{ child_progress.get(\
c.id, c.progress) }}%</progress> {{ child_progress.get(c.id, c.progress) }}%</label></li>
  {% endfor %}
</ul>"""
NEW = '<ul class="results">\n{{ activity_parts(children, child_progress, url_for) }}</ul>'


def test_activity_parts_write_what_the_loop_wrote(app):
    from portal.monitoring.views import activity_parts

    statuses = list(ACTIVITY_STATUSES)
    titles = [("Bagian <satu> & 'dua'", None), ("Dua", "Two"), ('"Tiga"', "")]
    children = [
        SimpleNamespace(
            id=i * 11 + 2,
            title_id=titles[i % 3][0],
            title_en=titles[i % 3][1],
            status=statuses[i % len(statuses)],
            progress=(i * 17) % 101,
        )
        for i in range(7)
    ]
    progress = {13: 55, 24: 0}
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/pemantauan/kegiatan/1?lang={lang}"):
            for rows in (children, children[:1], []):
                context = {"children": rows, "child_progress": progress}
                old = render_template_string(OLD, **context)
                new = render_template_string(NEW, activity_parts=activity_parts, **context)
                assert new == old, (lang, len(rows))
            full = render_template_string(
                NEW, activity_parts=activity_parts, children=children, child_progress=progress
            )
        assert ('<span lang="id">' in full) is (lang == "en")
        assert ("Progress <progress" in full) is (lang == "en")
        assert "&lt;satu&gt; &amp; &#39;dua&#39;" in full and 'value="55"' in full
