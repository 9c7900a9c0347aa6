"""The meetings page's cards (portal/public/meeting_cards.py) write what the template's
loops wrote, byte for byte, in both languages (a title without its English text falls
back to the Indonesian one)."""

from __future__ import annotations

from collections import namedtuple
from datetime import UTC, datetime

import pytest
from flask import render_template_string, url_for

from portal.public.meeting_cards import meeting_cards

# The template's loops before the cards became a function (public/meetings.html).
OLD_LOOPS = (
    '{% from "_macros/ui.html" import text %}\n'
    "<ul>\n"
    """    {% for m in upcoming %}
    <li class="card">
      <span class="tag">{{ meeting_kinds[m.kind] }}</span>
      <h3><a href="{{ url_for('public.meeting', meeting_id=m.id) }}">{{ text(tr(m, 'title')) }}\
</a></h3>
      <p class="meta"><time datetime="{{ m.starts_at|machine_time }}">{{ m.starts_at|when }}\
</time> · {{ m.place }}</p>
    </li>
    {% endfor %}
"""
    "</ul>\n<ul>\n"
    """    {% for m in past %}
    <li class="card">
      <span class="tag">{{ meeting_kinds[m.kind] }}</span>
      <h3><a href="{{ url_for('public.meeting', meeting_id=m.id) }}">{{ text(tr(m, 'title')) }}\
</a></h3>
      <p class="meta"><time datetime="{{ m.starts_at|machine_time }}">{{ m.starts_at|day }}\
</time> · {% if m.has_minutes %}{{ _("Minutes available") }}{% else %}\
{{ _("Minutes not yet published") }}{% endif %}</p>
    </li>
    {% endfor %}
"""
    "</ul>"
)
NEW = (
    "<ul>\n{{ meeting_cards(upcoming, stem) }}</ul>\n"
    "<ul>\n{{ meeting_cards(past, stem, held=True) }}</ul>"
)

Row = namedtuple("Row", "id kind starts_at place title_id title_en has_minutes")
UPCOMING = [
    Row(
        1, "musdes", datetime(2027, 1, 5, 2, 0, tzinfo=UTC), "Balai <Desa> & 'RW'", "Rapat", None, 0
    ),
    Row(
        12,
        "musdesus",
        datetime(2027, 2, 1, 23, 30, tzinfo=UTC),
        "Aula",
        'Rapat "A"',
        "Meeting <A>",
        1,
    ),
]
PAST = [
    Row(3, "musdes", datetime(2026, 3, 1, 20, 15, 5, 123456, tzinfo=UTC), "X", "Lalu & <b>", "", 1),
    Row(40, "musdesus", datetime(2025, 1, 1, 0, 0, tzinfo=UTC), "Y", "Dulu", "Before", 0),
]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_meeting_cards_write_what_the_template_wrote(app, lang):
    with app.test_request_context("/musyawarah", headers={"Accept-Language": lang}):
        old = render_template_string(OLD_LOOPS, upcoming=UPCOMING, past=PAST)
        stem = url_for("public.meeting", meeting_id=0)[:-1]
        new = render_template_string(
            NEW, upcoming=UPCOMING, past=PAST, stem=stem, meeting_cards=meeting_cards
        )
    assert new == old
    assert "Balai &lt;Desa&gt; &amp; &#39;RW&#39;" in new
    assert ('lang="id"' in new) is (lang == "en")
