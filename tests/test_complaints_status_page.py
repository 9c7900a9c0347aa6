"""The complaint status page's content written in Python
(portal/complaints/status_page.py's status_body) is what complaints/status.html's Jinja
wrote, byte for byte, in both languages: open and closed, steps with and without a
body (escaped), none at all."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import render_template_string

from portal.complaints.status_page import PublicComplaint, PublicStep, status_body

# complaints/status.html's content block before it became a function (with "|" after
# it: a template's own last newline is dropped, a block's is not).
OLD = (
    '{% from "_macros/ui.html" import status_tag %}'
    + """<p class="crumbs"><a href="{{ url_for('complaints.new') }}">{{ _("Complaints") }}</a></p>
<h1>{{ _("Your complaint") }}</h1>
<dl class="facts">
  <dt>{{ _("Tracking code") }}</dt><dd class="nowrap">{{ format_code(code) }}</dd>
  <dt>{{ _("Filed on") }}</dt><dd>{{ complaint.created_at|when }}</dd>
  <dt>{{ _("Category") }}</dt><dd>{{ complaint_categories[complaint.category] }}</dd>
  <dt>{{ _("Status") }}</dt><dd>{{ status_tag("complaint", complaint.status) }}</dd>
</dl>
<h2>{{ _("What happened so far") }}</h2>
<ol class="complaint-steps">
  {% for s in steps %}
  <li>
    <span class="nowrap">{{ s.at|when }}</span>: <strong>{{ complaint_steps[s.kind] }}</strong>
    {% if s.body %}<div class="prose">{{ s.body }}</div>{% endif %}
  </li>
  {% endfor %}
</ol>
{% if complaint.status == 'closed' %}
<p>{{ _("This complaint is closed. If you are not satisfied, you may file a new complaint and mention this code.") }}</p>
{% else %}
<p class="hint">{{ _("The village office answers within 3 days. Come back to this page to read the answer.") }}</p>
{% endif %}
|"""  # noqa: E501
)
NEW = "{{ status_body(code, complaint, steps, url_for) }}|"
STEPS = [
    PublicStep(datetime(2026, 11, 16, 8, 48), "filed", None),
    PublicStep(datetime(2026, 11, 18, 8, 48), "replied", "Kami <akan> datang & 'cek'"),
    PublicStep(datetime(2026, 11, 26, 23, 30), "closed", ""),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("status", ["received", "closed"])
@pytest.mark.parametrize("steps", [STEPS, []])
def test_status_body_writes_what_the_template_wrote(app, lang, status, steps):
    values = {
        "code": "DESABANTUAN2",
        "complaint": PublicComplaint(datetime(2026, 11, 16, 8, 48), "unfair", status),
        "steps": steps,
    }
    with app.test_request_context("/pengaduan/DESABANTUAN2", headers={"Accept-Language": lang}):
        app.preprocess_request()
        old = render_template_string(OLD, **values)
        new = render_template_string(NEW, **values, status_body=status_body)
    assert new == old
    if steps:
        assert "Kami &lt;akan&gt; datang &amp; &#39;cek&#39;" in new
