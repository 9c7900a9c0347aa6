"""The outbox page's rows (portal/notify/outbox_rows.py) write what the template's loop
wrote."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import render_template_string, url_for
from markupsafe import Markup

from portal.notify.outbox_rows import outbox_rows

# The template's loop before the rows became a function (notify/manage/outbox.html),
# its long lines split.
OLD_LOOP = (
    '{% from "_macros/ui.html" import status_tag %}\n'
    """  {% set tags, editor, try_again = {}, editor, _("Try again") %}
  {% for id, recipient, channel, subject, body, last_error, status, attempts, created_at \
in messages %}
  {% if status not in tags %}{% do tags.update({status: status_tag("notify.message", status)}) \
%}{% endif %}
  <tr>
    <td>{{ recipient }}</td><td>{{ notify_channels[channel] }}</td>
    <td><strong>{{ subject }}</strong><br>{{ body }}{% if last_error %}<br><span class="error">\
{{ last_error }}</span>{% endif %}</td>
    <td>{{ tags[status] }}
    {% if status == 'failed' and editor %}<form method="post" action="{{ url_for(\
'notify_manage.outbox_retry', message_id=id) }}" class="inline">{{ csrf }}<button type="submit" \
class="link">{{ try_again }}</button></form>{% endif %}</td>
    <td class="num">{{ attempts }}</td><td class="nowrap">{{ created_at|when }}</td>
  </tr>
  {% endfor %}
"""
)
AT = datetime(2026, 8, 17, 3, 4, 5)
MESSAGES = [
    (1, "+628123", "sms", "Hi & <b>", "Body 'q' \"d\"", None, "queued", 0, AT),
    (22, "a@b.id", "email", "", "x", "gateway <down>", "failed", 3, AT),
    (303, "c&d", "sms", "S", "B", "", "sent", 1, AT),
    (4, "+62", "email", "T", "U", "err", "failed", 2, AT),
]
CHANNELS = {"sms": "SMS", "email": "E-mail <x>"}
CSRF = Markup('<input name="csrf_token" type="hidden" value="abc">')


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("editor", [True, False])
def test_outbox_rows_write_what_the_template_wrote(app, lang, editor):
    with app.test_request_context("/staf/kabar/kotak-keluar", headers={"Accept-Language": lang}):
        old = render_template_string(
            OLD_LOOP, messages=MESSAGES, notify_channels=CHANNELS, editor=editor, csrf=CSRF
        )
        stem = url_for("notify_manage.outbox_retry", message_id=0).replace("/0/", "/{}/")
        new = outbox_rows(MESSAGES, CHANNELS, stem if editor else None, CSRF)
    assert str(new) == old
    assert ("/22/ulang" in new) is editor and "gateway &lt;down&gt;" in new
