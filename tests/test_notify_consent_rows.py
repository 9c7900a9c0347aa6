"""The subscribers page's consent rows (portal/notify/consent_rows.py) write what the
template's loop wrote."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import render_template_string

from portal.notify.consent_rows import consent_rows

# The template's loop before the rows became a function (notify/manage/subscribers.html).
OLD_LOOP = """  <tbody>
  {% for at, phone, action, how, topics in consents %}
  <tr><td class="nowrap">{{ at|when }}</td><td>{{ phone }}</td><td>{{ action }}</td>\
<td>{{ how }}</td><td>{{ topics }}</td></tr>
  {% endfor %}
  </tbody>"""
NEW = "  <tbody>\n{{ consent_rows(consents) }}  </tbody>"
CONSENTS = [
    (datetime(2026, 12, 5, 23, 15, 1), "+62857****0039", "Consent given", "At the office", "A, B"),
    (datetime(2026, 8, 17, 3, 4, 5, tzinfo=UTC), "w***@example.org", "Withdrawn <x>", "", ""),
    (datetime(2025, 1, 1), "a&b 'q' \"d\"", "x", "On the portal & SMS", "Topik <satu>"),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("consents", [CONSENTS, []])
def test_consent_rows_write_what_the_template_wrote(app, lang, consents):
    with (
        app.app_context(),
        app.test_request_context("/staf/kabar/pelanggan", headers={"Accept-Language": lang}),
    ):
        old = render_template_string(OLD_LOOP, consents=consents)
        new = render_template_string(NEW, consents=consents, consent_rows=consent_rows)
    assert new == old
    assert not consents or ("August" in new) is (lang == "en")
    assert not consents or "Withdrawn &lt;x&gt;" in new
