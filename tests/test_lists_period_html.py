"""The period staff page's parts written in Python (portal/lists/period_html.py) write
what manage/period.html's Jinja wrote, byte for byte, in both languages: its facts, its
steps (with the approval's form between the two halves, as the template keeps it) and
its changes and meetings, over periods, approvals, versions and rights of every kind."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.lists import period_html
from portal.lists.forms import ApproveForm
from portal.lists.models import CHANGE_ACTIONS, COMPOSITIONS
from portal.lists.rows import attendee_items
from portal.lists.services.period_page import AttendeeRow, ChangeRow, DecisionRow

# manage/period.html's Jinja before these parts became functions.
OLD_FACTS = """<dl class="facts">
  <dt>{{ _("Programme") }}</dt><dd>{{ programme_name }}</dd>
  <dt>{{ _("Period") }}</dt><dd>{{ period.starts_on|day }} – {{ period.ends_on|day }}</dd>
  <dt>{{ _("Budget") }}</dt><dd>{{ period.budget|money if period.budget is not none else "–" }}</dd>
  <dt>{{ _("Each household receives") }}</dt><dd>{{ period.benefit_id }}{% if period.amount is not none %} ({{ period.amount|money }}){% endif %}</dd>
  <dt>{{ _("Households on the list") }}</dt><dd>{{ count }}{% if period.amount is not none %} · {{ (count * period.amount)|money }}{% endif %}</dd>
  <dt>{{ _("Rules") }}</dt><dd>{{ period.rule_need_levels.split()|join(", ") }}{% if period.rule_max_desil %} · desil ≤ {{ period.rule_max_desil }}{% endif %}{% if period.rule_min_members %} · ≥ {{ period.rule_min_members }}{% endif %} · {{ list_compositions[period.rule_composition] }}</dd>
</dl>
"""  # noqa: E501
NEW_FACTS = "{{ period_html.facts(period, programme_name, count) }}\n"

OLD_STEPS = """<ol class="steps">
  <li>{{ _("Draft list from the registry") }}:
    {% if count or changes %}{{ _("done") }}{% elif may_edit %}
    <form class="inline" method="post" action="{{ url_for('lists_manage.propose', period_id=period.id) }}"><input name="csrf_token" type="hidden" value="{{ csrf_token() }}"><button type="submit" class="small">{{ _("Propose from the registry") }}</button></form>
    {% else %}{{ _("not yet") }}{% endif %}</li>
  <li>{{ _("Special village meeting") }}:
    {% if decisions %}{{ decisions[0].held_on|day }}, {{ decisions[0].place }} ({{ _("quorum met") if decisions[0].quorum_met else _("no quorum") }}{% if decisions[0].bpd_present %}, {{ _("BPD present") }}{% endif %}){% else %}{{ _("not yet") }}{% endif %}
    {% if may_edit %} · <a href="{{ url_for('lists_manage.decision', period_id=period.id) }}">{{ _("Record a meeting") }}</a>{% endif %}</li>
  <li>{{ _("Village head's approval") }}:
    {% if approval %}{{ _("%(name)s (%(role)s), %(when)s", name=approval.approver_name, role=approval.approver_role, when=approval.at|when) }}{% if not approval_holds %} – <strong>{{ _("the list changed since; a new approval is needed") }}</strong>{% endif %}{% else %}{{ _("not yet") }}{% endif %}
    {% if may_approve and not approval_holds and decisions and approve_conflict is not none and not approve_form.errors %}
    <p class="error" id="approve-conflict">{{ approve_conflict }}</p>
    {% elif may_approve and not approval_holds and decisions %}
    <form method="post" action="{{ url_for('lists_manage.approve', period_id=period.id) }}" class="narrow">
      {{ approve_form.hidden_tag() }}
      {{ form_field(approve_form.note) }}
      <button type="submit" class="small">{{ _("Approve the list as decided") }}</button>
    </form>
    {% endif %}</li>
  <li>{{ _("Publish") }}:
    {% if version_number is not none %}{{ _("version %(n)d", n=version_number) }} · <a href="{{ url_for('lists.board', period_id=period.id) }}">{{ _("public board") }}</a>{% if print_full %} · <a href="{{ url_for('lists_manage.print_pdf', period_id=period.id, number=version_number) }}">{{ _("Notice-board print with full names (PDF, staff only)") }}</a>{% endif %}{% else %}{{ _("not yet") }}{% endif %}
    {% if may_edit and approval_holds and (version_number is none or version_approval_id != approval.id) %}
    <form class="inline" method="post" action="{{ url_for('lists_manage.publish', period_id=period.id) }}"><input name="csrf_token" type="hidden" value="{{ csrf_token() }}"><button type="submit" class="small">{{ _("Publish the next version") }}</button></form>
    {% endif %}</li>
</ol>
"""  # noqa: E501
# The same part of the template now (manage/period.html).
NEW_STEPS = """<ol class="steps">
{{ period_html.steps_start(period, count, changes, decisions, approval, approval_holds, may_edit, url_for, csrf_token) }}
    {%- if may_approve and not approval_holds and decisions and approve_conflict is not none and not approve_form.errors %}
    <p class="error" id="approve-conflict">{{ approve_conflict }}</p>
    {% elif may_approve and not approval_holds and decisions %}
    <form method="post" action="{{ url_for('lists_manage.approve', period_id=period.id) }}" class="narrow">
      {{ approve_form.hidden_tag() }}
      {{ form_field(approve_form.note) }}
      <button type="submit" class="small">{{ _("Approve the list as decided") }}</button>
    </form>
    {% endif %}{{ period_html.steps_end(period, approval, approval_holds, version_number, version_approval_id, may_edit, print_full, url_for, csrf_token) }}
</ol>
"""  # noqa: E501

OLD_RECORDS = """{% if changes %}
<h2>{{ _("Changes and their reasons") }}</h2>
<ul>
  {% for c in changes %}
  <li>{{ c.at|when }} · {{ c.actor_name or "–" }} · {{ _("household %(id)d", id=c.household_id) }} · {{ list_change_actions.get(c.action, c.action) }}: {{ c.reason }}</li>
  {% endfor %}
</ul>
{% endif %}
{% if decisions %}
<h2>{{ _("Meetings") }}</h2>
{% for d in decisions %}
<h3>{{ d.held_on|day }} · {{ d.place }}</h3>
<p>{{ _("%(n)d present, quorum %(q)d.", n=d.attendees_count, q=d.quorum_required) }}{% if d.scan_file %} <a href="{{ url_for('lists_manage.decision_scan', decision_id=d.id) }}">{{ _("Scan of the minutes") }}</a>{% endif %}</p>
<ul>{{ attendee_items(d.attendees) }}</ul>
<p><strong>{{ _("Decisions") }}:</strong> {{ d.decisions }}</p>
{% endfor %}
{% endif %}
{% if true %}end{% endif %}"""  # noqa: E501
NEW_RECORDS = (
    "{{ period_html.records(changes, decisions, url_for, attendee_items) }}"
    "{% if true %}end{% endif %}"
)

ODD = "Siti & <Aminah> \"x\" 'y' 100%"


def _period(index: int) -> SimpleNamespace:
    compositions = list(COMPOSITIONS)
    return SimpleNamespace(
        id=7 + index,
        starts_on=date(2027, 1, 1 + index),
        ends_on=date(2027, 3, 31),
        budget=(None, 15_000_000, 0)[index % 3],
        amount=(900_000, None)[index % 2],
        benefit_id=("Beras 10 kg", ODD, "")[index % 3],
        rule_need_levels=("sangat_miskin miskin", "miskin", "")[index % 3],
        rule_max_desil=(None, 4, 0)[index % 3],
        rule_min_members=(None, 2)[index % 2],
        rule_composition=compositions[index % len(compositions)],
    )


def _meeting(index: int, attendees: int) -> DecisionRow:
    people = [
        AttendeeRow(i, (ODD, "Budi")[i % 2], ("Ketua <BPD>", "Warga")[i % 2], i % 3 == 0, i)
        for i in range(attendees)
    ]
    return DecisionRow(
        index + 1,
        date(2026, 12, 3),
        (ODD, "Balai Desa")[index % 2],
        40 + index,
        40,
        (ODD, "Ditetapkan.")[index % 2],
        ("scan.pdf", None)[index % 2],
        people,
    )


def _context(app, index: int, lang: str) -> dict:
    approval = (
        None
        if index % 4 == 0
        else SimpleNamespace(
            id=5,
            approver_name=(ODD, "Galuh")[index % 2],
            approver_role="admin",
            at=datetime(2026, 12, 6, 5, 26),
        )
    )
    changes = [
        ChangeRow(datetime(2026, 12, 1, 8, i), (ODD, None, "")[i % 3], 10 + i, action, ODD[i:])
        for i, action in enumerate(["add", "remove", "<odd>"][: index % 4])
    ]
    decisions = [_meeting(i, (0, 3)[(index + i) % 2]) for i in range(index % 3)]
    form = ApproveForm(meta={"csrf": False})
    if index % 5 == 4:
        form.note.errors = ["Terlalu <panjang>"]
    return {
        "period": _period(index),
        "programme_name": (ODD, "BLT Dana Desa")[index % 2],
        "count": (0, 33, 1)[index % 3],
        "changes": changes,
        "decisions": decisions,
        "approval": approval,
        "approval_holds": approval is not None and index % 3 != 1,
        "may_edit": index % 2 == 0,
        "may_approve": index % 3 != 0,
        "approve_conflict": (None, "Anda <tidak> boleh")[index % 2],
        "approve_form": form,
        "version_number": (None, 1, 3)[index % 3],
        "version_approval_id": (5, 4)[index % 2],
        "print_full": index % 4 in (1, 2),
        "list_compositions": COMPOSITIONS,
        "list_change_actions": CHANGE_ACTIONS,
        "attendee_items": attendee_items,
        "period_html": period_html,
    }


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_period_pages_python_parts_write_what_its_template_wrote(app, lang):
    compared = 0
    with app.test_request_context(
        "/staf/daftar-penerima/7", headers={"Accept-Language": lang, "Cookie": f"lang={lang}"}
    ):
        for index, (old, new) in itertools.product(
            range(24), [(OLD_FACTS, NEW_FACTS), (OLD_STEPS, NEW_STEPS), (OLD_RECORDS, NEW_RECORDS)]
        ):
            context = _context(app, index, lang)
            expected = render_template_string(old, **context)
            assert render_template_string(new, **context) == expected, (index, old[:20])
            compared += 1
        # Escaped as Jinja escaped them; the catalogue's texts in the reader's language.
        context = _context(app, 1, lang)
        html = render_template_string(NEW_FACTS + NEW_STEPS + NEW_RECORDS, **context)
        assert "Siti &amp; &lt;Aminah&gt; &#34;x&#34; &#39;y&#39; 100%" in html
        assert ("Households on the list" in html) is (lang == "en")
    assert compared == 72
