"""The dashboard's activity list written by a plain function (portal/monitoring/views.py's
activity_items) is what the template's loop wrote."""

from __future__ import annotations

from types import SimpleNamespace

from flask import render_template_string

from portal.monitoring.models import ACTIVITY_STATUSES, FIELDS

# The template's loop before (templates/monitoring/index.html).
OLD = """{% from "_macros/ui.html" import status_tag %}<ul class="results">
  {% set l_progress = _("Progress") %}
  {% for a, depth, progress in tree %}
  <li class="result depth-{{ [depth, 3]|min }}">
    <a href="{{ url_for('monitoring.activity', activity_id=a.id) }}">{% set t = tr(a, "title") %}\
<span{% if t.fallback %} lang="id"{% endif %}>{{ t }}</span></a>
    {{ status_tag("monitoring.activity", a.status) }}
    <span class="meta">{{ activity_fields[a.field] }}</span>
    <label class="progress">{{ l_progress }} <progress max="100" value="{{ progress }}">\
{{ progress }}%</progress> {{ progress }}%</label>
  </li>
  {% endfor %}
</ul>"""
NEW = '<ul class="results">\n{{ activity_items(tree, url_for) }}</ul>'


def _tree():
    statuses, fields = list(ACTIVITY_STATUSES), list(FIELDS)
    titles = [
        ("Paket pangan", "Food packages"),
        ('Jalan "desa" & <gang>', None),
        ("Pelatihan ibu-ibu", ""),
        ("Tanpa terjemahan's", "It's <translated>"),
    ]
    return [
        (
            SimpleNamespace(
                id=index * 7 + 1,
                title_id=titles[index % 4][0],
                title_en=titles[index % 4][1],
                status=statuses[index % len(statuses)],
                field=fields[index % len(fields)],
            ),
            index % 6,
            (index * 13) % 101,
        )
        for index in range(12)
    ]


def test_activity_items_write_what_the_loop_wrote(app):
    from portal.monitoring.views import activity_items

    tree = _tree()
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/pemantauan/?lang={lang}"):
            for rows in (tree, tree[:1], []):
                old = render_template_string(OLD, tree=rows, activity_fields=FIELDS)
                new = render_template_string(NEW, tree=rows, activity_items=activity_items)
                assert new == old, (lang, len(rows))
            full = render_template_string(NEW, tree=tree, activity_items=activity_items)
        assert ('<span lang="id">' in full) is (lang == "en")
        assert "&lt;gang&gt;" in full and "/pemantauan/kegiatan/78" in full
