"""The home page's cards (portal/public/cards.py) write what home.html's loops wrote, in
both languages."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.public import cards

# home.html's loops before the cards became functions.
OLD = """{% from "_macros/ui.html" import text %}
  <ul class="cards">
    {% for item in announcements %}
    <li class="card">
      {% if item.pinned %}<span class="tag tag-pin">{{ _("Pinned") }}</span>{% endif %}
      <h3><a href="{{ url_for('public.announcement', announcement_id=item.id) }}">\
{{ text(tr(item, 'title')) }}</a></h3>
      <p class="meta"><time datetime="{{ item.published_at|machine_time }}">\
{{ item.published_at|day }}</time></p>
    </li>
    {% endfor %}
  </ul>
  <ul class="cards">
    {% for p in programmes %}
    <li class="card">
      <h3><a href="{{ url_for('public.programme', slug=p.slug) }}">\
{{ text(tr(p, 'name')) }}</a></h3>
      <p>{{ text(tr(p, 'summary')) }}</p>
    </li>
    {% endfor %}
  </ul>
  <ul class="cards">
    {% for m in meetings %}
    <li class="card">
      <h3><a href="{{ url_for('public.meeting', meeting_id=m.id) }}">\
{{ text(tr(m, 'title')) }}</a></h3>
      <p class="meta"><time datetime="{{ m.starts_at|machine_time }}">\
{{ m.starts_at|when }}</time> · {{ m.place }}</p>
    </li>
    {% endfor %}
  </ul>
"""
NEW = """  <ul class="cards">
{{ announcement_cards(announcements, url_for) }}  </ul>
  <ul class="cards">
{{ programme_cards(programmes, url_for) }}  </ul>
  <ul class="cards">
{{ meeting_cards(meetings, url_for) }}  </ul>
"""

ANNOUNCEMENTS = [
    SimpleNamespace(
        id=1,
        pinned=True,
        title_id='Jadwal "paket" <pangan> & lain',
        title_en="Schedule <b>",
        published_at=datetime(2026, 12, 6, 18, 26, 27, 389000, tzinfo=UTC),
    ),
    SimpleNamespace(
        id=22,
        pinned=False,
        title_id="Hanya bahasa Indonesia",
        title_en=None,
        published_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    ),
    SimpleNamespace(id=3, pinned=1, title_id="", title_en="", published_at=None),
]
PROGRAMMES = [
    SimpleNamespace(
        slug="paket-pangan",
        name_id="Paket & <Pangan>",
        name_en="Food",
        summary_id="Ringkas 'x'",
        summary_en=None,
    ),
    SimpleNamespace(
        slug="dua kata/é", name_id="Dua", name_en="", summary_id="", summary_en="Two <i>"
    ),
]
MEETINGS = [
    SimpleNamespace(
        id=5,
        title_id="Musyawarah <khusus>",
        title_en="Special meeting",
        starts_at=datetime(2026, 12, 15, 2, 0, tzinfo=UTC),
        place="Balai Desa & <aula>",
    ),
    SimpleNamespace(
        id=6, title_id="Rapat", title_en=None, starts_at=datetime(2027, 1, 5, 20, 0), place=None
    ),
]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_cards_write_what_the_loops_wrote(app, lang):
    values = {"announcements": ANNOUNCEMENTS, "programmes": PROGRAMMES, "meetings": MEETINGS}
    functions = {
        "announcement_cards": cards.announcement_cards,
        "programme_cards": cards.programme_cards,
        "meeting_cards": cards.meeting_cards,
    }
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        old = render_template_string(OLD, **values)
        new = render_template_string(NEW, **values, **functions)
        empty = render_template_string(
            NEW, announcements=[], programmes=[], meetings=[], **functions
        )
    assert new == old
    assert "Jadwal &#34;paket&#34; &lt;pangan&gt; &amp; lain" in new or "Schedule &lt;b&gt;" in new
    assert ('<span lang="id">Hanya bahasa Indonesia</span>' in new) == (lang == "en")
    assert ("Pinned" if lang == "en" else "Disematkan") in new
    assert "Balai Desa &amp; &lt;aula&gt;" in new and "· None</p>" in new
    # (render_template_string drops the last newline)
    assert empty + "\n" == '  <ul class="cards">\n  </ul>\n' * 3
