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


# outbox.html before its button and table became a function (without `extends`), its
# rows as OLD_LOOP wrote them.
OLD_PAGE = """{% block title %}{{ _("Outbox") }}{% endblock %}
{% block content %}
<p class="crumbs"><a href="{{ url_for('notify_manage.index') }}">{{ _("Messages and posters") }}</a></p>
<h1>{{ _("Outbox") }}</h1>
<p class="hint">{{ _("Messages of every feature. Without an e-mail or SMS gateway configured they are written to the server's outbox folder and shown here.") }}</p>
<p class="actions">
  <a href="{{ url_for('notify_manage.outbox_page') }}"{% if not status %} aria-current="page"{% endif %}>{{ _("All") }}</a>
  {% for key, label in statuses.items() %}<a href="{{ url_for('notify_manage.outbox_page', status=key) }}"{% if status == key %} aria-current="page"{% endif %}>{{ label }}</a>{% endfor %}
</p>
{# Once a page: whether the reader edits, and the CSRF field of their forms. -#}
{% set editor = can('edit') %}{% set csrf_field = form.csrf_token() if editor and form.csrf_token is defined else '' %}
{% if editor %}
<form method="post" action="{{ url_for('notify_manage.outbox_send') }}">{{ csrf_field }}<button type="submit">{{ _("Send due messages now") }}</button></form>
{% endif %}
{% if messages %}
{% call scroll_table(_('Outbox')) %}
<table>
  <caption class="visually-hidden">{{ _("Outbox") }}</caption>
  <thead><tr><th scope="col">{{ _("To") }}</th><th scope="col">{{ _("Channel") }}</th><th scope="col">{{ _("Message") }}</th><th scope="col">{{ _("Status") }}</th><th scope="col" class="num">{{ _("Attempts") }}</th><th scope="col">{{ _("Created") }}</th></tr></thead>
  <tbody>
{{ outbox_rows(messages, notify_channels, url_for('notify_manage.outbox_retry', message_id=0).replace('/0/', '/{}/') if editor else none, csrf_field) }}  </tbody>
</table>
{% endcall %}
{% else %}
<p>{{ _("Nothing here yet.") }}</p>
{% endif %}
{% endblock %}
"""  # noqa: E501


def _old_rows(messages, channels, retry_stem, csrf):
    """The rows as OLD_LOOP wrote them, for OLD_PAGE's call of outbox_rows."""
    rows = render_template_string(
        OLD_LOOP, messages=messages, notify_channels=channels, editor=bool(retry_stem), csrf=csrf
    )
    return Markup(rows)  # noqa: S704  (the template's own markup)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("csrf", [True, False])
def test_the_outbox_page_writes_what_the_template_wrote(app, lang, csrf):
    """The send button and the table (outbox_list) and the status links (kept per
    status) are what the whole template wrote: for an editor and a reader, a status
    chosen or not, messages or none, with CSRF on and off."""
    from pathlib import Path

    from portal.forms import EmptyForm, TokenOnly
    from portal.notify.models import OUTBOX_STATUSES
    from portal.notify.outbox_rows import outbox_list

    source = Path(__file__).resolve().parent.parent / "templates/notify/manage/outbox.html"
    new_page = source.read_text("utf-8").split("\n", 1)[1]
    app.config["WTF_CSRF_ENABLED"] = csrf
    written = []
    try:
        for editor in (True, False):
            for status, messages in ((None, MESSAGES), ("failed", MESSAGES[1:2]), ("sent", [])):
                path = "/staf/kabar/kotak-keluar" + (f"?status={status}" if status else "")
                with app.test_request_context(path, headers={"Accept-Language": lang}):
                    values = dict(messages=messages, status=status, statuses=OUTBOX_STATUSES)
                    values.update(notify_channels=CHANNELS, can=lambda _c, e=editor: e)
                    old = render_template_string(
                        OLD_PAGE, form=EmptyForm(), outbox_rows=_old_rows, **values
                    )
                    new = render_template_string(
                        new_page, form=TokenOnly(), outbox_list=outbox_list, **values
                    )
                assert new == old
                written.append(new)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert "/22/ulang" in written[0] and ('name="csrf_token"' in written[0]) == csrf
    assert "/22/ulang" not in written[3] and "<form" not in written[3]
