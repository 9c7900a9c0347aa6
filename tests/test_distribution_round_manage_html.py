"""The staff round page's parts written in Python (portal/distribution/round_manage_html.py,
and rows.point_sections for its points) write what distribution/manage/round.html's Jinja
wrote, byte for byte, in both languages: over every status of a round, for a reader who
may edit, oversee or both, with and without a version, cash, a cancel reason, progress,
points, items and approvals. The forms and a draft's removable parts stay in Jinja; the
page is rendered whole from the old template and from today's."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.distribution import round_manage_html
from portal.distribution.forms import AmendForm, CancelForm, ItemForm, PointForm, SlotForm
from portal.distribution.models import UNITS
from portal.distribution.rows import point_sections
from portal.distribution.services.common import quantity_text
from portal.distribution.services.progress import Group, Progress
from portal.forms import EmptyForm, TokenOnly
from tests.test_distribution_rows import POINT_ROWS, old_points, old_slot_rows

ROOT = Path(__file__).resolve().parent.parent

# manage/round.html before its parts became functions (without its `extends`), its
# time slots' rows as old_slot_rows writes them.
OLD = """{% from "_macros/ui.html" import field, status_tag %}
{% from "notify/_poster_links.html" import poster_links %}
{% block title %}{{ round.title_id }}{% endblock %}
{% macro remove(kind, part_id, label) -%}
{% if round.status == 'draft' and can('edit') %}
<form class="inline" method="post" action="{{ url_for('distribution_manage.remove_part', round_id=round.id, kind=kind, part_id=part_id) }}">{{ button.hidden_tag() }}<button type="submit" class="small secondary">{{ _("Remove") }}<span class="visually-hidden">: {{ label }}</span></button></form>
{% endif %}
{%- endmacro %}
{% macro form_block(form, action, title, submit) %}
<section aria-labelledby="{{ form.__class__.__name__ }}-h">
<h3 id="{{ form.__class__.__name__ }}-h">{{ title }}</h3>
{% if form.errors %}<p class="notice notice-error" role="alert">{{ _("Please correct the fields marked below.") }}</p>{% endif %}
<form method="post" action="{{ action }}" novalidate class="editor">
  {{ form.csrf_token }}
  {% for f in form if f.name != 'csrf_token' %}{{ field(f) }}{% endfor %}
  <button type="submit">{{ submit }}</button>
</form>
</section>
{% endmacro %}
{% block content %}
<p class="crumbs"><a href="{{ url_for('manage.dashboard') }}">{{ _("Staff area") }}</a> › <a href="{{ url_for('distribution_manage.index') }}">{{ _("Distribution rounds") }}</a></p>
<h1>{{ round.title_id }}</h1>
<p>{{ status_tag("distribution.round", round.status) }}{% if round.status in ('approved', 'open', 'closed', 'reconciled') %} <a href="{{ url_for('distribution.round_page', round_id=round.id) }}">{{ _("Public page") }}</a>{% endif %}</p>
{% if round.status in ('approved', 'open', 'closed', 'reconciled') %}{{ poster_links('round', round.id) }}{% endif %}
<dl class="facts">
  <dt>{{ _("Dates") }}</dt><dd>{{ round.starts_on|day }} – {{ round.ends_on|day }}</dd>
  <dt>{{ _("Recipient list") }}</dt><dd>{% if version %}{{ version.period_title_id }}, {{ _("version %(n)d", n=version.number) }} ({{ ngettext("%(num)d household", "%(num)d households", version.households) }}){% endif %}</dd>
  <dt>{{ _("Cash per household") }}</dt><dd>{{ round.cash_amount|money if round.cash_amount else "–" }}</dd>
  <dt>{{ _("Food formula") }}</dt><dd>{{ _("Yes") if round.use_food_formula else _("No") }}</dd>
  {% if round.cancel_reason %}<dt>{{ _("Reason for cancelling") }}</dt><dd>{{ round.cancel_reason }}</dd>{% endif %}
</dl>
{% if round.status == 'draft' and can('edit') %}<p><a href="{{ url_for('distribution_manage.edit', round_id=round.id) }}">{{ _("Edit the round") }}</a></p>{% endif %}

<section aria-labelledby="steps-h">
<h2 id="steps-h">{{ _("Next steps") }}</h2>
{% if round.status == 'draft' %}
  {% if can('oversee') %}
  <form class="inline" method="post" action="{{ url_for('distribution_manage.approve', round_id=round.id) }}">{{ button.hidden_tag() }}<button type="submit">{{ _("Approve the round") }}</button></form>
  <p class="hint">{{ _("Approval makes one entitlement for every household of the list; what is due cannot change afterwards.") }}</p>
  {% else %}
  <p>{{ _("When the points, time slots and items are ready, the village head approves the round.") }}</p>
  {% endif %}
{% elif round.status == 'approved' and can('edit') %}
  <form class="inline" method="post" action="{{ url_for('distribution_manage.open_round', round_id=round.id) }}">{{ button.hidden_tag() }}<button type="submit">{{ _("Open the round") }}</button></form>
{% endif %}
{% if round.status in ('approved', 'open') %}
  <p><a href="{{ url_for('distribution_manage.entitlements', round_id=round.id) }}">{{ _("Entitlements") }}</a>{% if can('edit') %} · {{ _("Invitations:") }} <a href="{{ url_for('distribution_manage.invitations_pdf', round_id=round.id, tata='a4') }}">{{ _("four to an A4 page") }}</a> · <a href="{{ url_for('distribution_manage.invitations_pdf', round_id=round.id, tata='a6') }}">{{ _("one per A6 page") }}</a>{% endif %}</p>
  {% if can('edit') %}<form class="inline" method="post" action="{{ url_for('distribution_manage.send_invitations', round_id=round.id) }}">{{ button.hidden_tag() }}<button type="submit" class="secondary">{{ _("Send the invitations as messages") }}</button></form>
  <p class="hint">{{ _("To residents with a verified account and a phone or e-mail address; each household's message goes out once.") }}</p>{% endif %}
{% elif round.status in ('closed', 'reconciled', 'cancelled') %}
  <p><a href="{{ url_for('distribution_manage.entitlements', round_id=round.id) }}">{{ _("Entitlements") }}</a></p>
{% endif %}
{% if round.status != 'cancelled' %}
  <p><a href="{{ url_for('distribution_ledger.stock', round_id=round.id) }}">{{ _("Stock") }}</a>{% if round.status in ('open', 'closed', 'reconciled') %} · <a href="{{ url_for('distribution_ledger.closing', round_id=round.id) }}">{{ _("Closing and reconciliation") }}</a>{% endif %}{% if round.status in ('closed', 'reconciled') %} · <a href="{{ url_for('distribution_ledger.sample', round_id=round.id) }}">{{ _("Checking that aid arrived") }}</a>{% endif %}</p>
{% endif %}
</section>

{% if progress.total.due %}
<section aria-labelledby="progress-h">
<h2 id="progress-h">{{ _("Progress") }}</h2>
<p>{{ _("%(collected)d of %(due)d households collected (%(percent)d%%).", collected=progress.total.collected, due=progress.total.due, percent=progress.total.percent) }}{% if progress.cancelled %} {{ ngettext("%(num)d entitlement cancelled.", "%(num)d entitlements cancelled.", progress.cancelled) }}{% endif %}</p>
</section>
{% endif %}

<section aria-labelledby="points-h">
<h2 id="points-h">{{ _("Points and time slots") }}</h2>
{% for point in points %}
<h3>{{ point.name }} {{ remove('point', point.id, point.name) }}</h3>
<p class="meta">{{ point.address }} · {{ point.opens_at.strftime('%H:%M') }}–{{ point.closes_at.strftime('%H:%M') }}{% if point.map_url %} · <a href="{{ point.map_url }}" rel="noopener">{{ _("Map") }}</a>{% endif %}</p>
{% set point_slots = slots.get(point.id, ()) %}{% if point_slots %}
{% call scroll_table(_('Time slots: %(point)s', point=point.name)) %}
<table>
  <thead><tr><th scope="col">{{ _("RT/RW") }}</th><th scope="col">{{ _("Day") }}</th><th scope="col">{{ _("Time") }}</th>{% if round.status == 'draft' and can('edit') %}<th scope="col"><span class="visually-hidden">{{ _("Remove") }}</span></th>{% endif %}</tr></thead>
  <tbody>
  {% if round.status == 'draft' and can('edit') %}
  {% for s in point_slots %}
  <tr><td>{{ s.rt_rw }}</td><td class="nowrap">{{ s.day }}</td><td class="nowrap">{{ s.hours }}</td><td>{{ remove('slot', s.id, "RT %03d"|format(s.rt)) }}</td></tr>
  {% endfor %}
  {% else %}
{{ slot_rows(point_slots) }}{% endif %}
  </tbody>
</table>
{% endcall %}
{% endif %}
{% else %}
<p>{{ _("No point yet.") }}</p>
{% endfor %}
</section>

<section aria-labelledby="items-h">
<h2 id="items-h">{{ _("What each household receives") }}</h2>
<ul>
  {% if round.cash_amount %}<li>{{ round.cash_amount|money }}</li>{% endif %}
  {% for item in items %}
  <li>{{ item.name_id }}{% if item.name_en %} ({{ item.name_en }}){% endif %}: {{ qty(item.quantity_milli) }} {{ units[item.unit] }}{% if round.use_food_formula and item.formula_key %} – {{ _("by the food formula") }}{% endif %} {{ remove('item', item.id, item.name_id) }}</li>
  {% else %}{% if not round.cash_amount %}<li>{{ _("Nothing yet.") }}</li>{% endif %}
  {% endfor %}
</ul>
</section>

{% if round.status == 'draft' and can('edit') %}
<section aria-labelledby="add-h">
<h2 id="add-h">{{ _("Add to the draft") }}</h2>
{{ form_block(point_form, url_for('distribution_manage.add_point', round_id=round.id), _("A point"), _("Add the point")) }}
{% if points %}{{ form_block(slot_form, url_for('distribution_manage.add_slot', round_id=round.id), _("A time slot for an RT"), _("Add the time slot")) }}{% endif %}
{{ form_block(item_form, url_for('distribution_manage.add_item', round_id=round.id), _("An item"), _("Add the item")) }}
</section>
{% endif %}

{% if approvals %}
<section aria-labelledby="approvals-h">
<h2 id="approvals-h">{{ _("Approvals") }}</h2>
<ol>
  {% for a in approvals %}
  <li>{{ a.approved_at|when }}: {{ ngettext("%(num)d household added", "%(num)d households added", a.added) }}{% if a.cancelled %}, {{ ngettext("%(num)d cancelled", "%(num)d cancelled", a.cancelled) }}{% endif %}{% if a.reason %} – {{ a.reason }}{% endif %}</li>
  {% endfor %}
</ol>
</section>
{% endif %}

{% if round.status in ('approved', 'open') and can('oversee') and amend_form.version_id.choices %}
{{ form_block(amend_form, url_for('distribution_manage.amend', round_id=round.id), _("Move the round to a later version of the list"), _("Amend the round")) }}
{% endif %}
{% if round.status in ('draft', 'approved') and can('edit') %}
{{ form_block(cancel_form, url_for('distribution_manage.cancel', round_id=round.id), _("Cancel the round"), _("Cancel the round")) }}
{% endif %}
{% endblock %}
"""  # noqa: E501

STATUSES = ("draft", "approved", "open", "closed", "reconciled", "cancelled")
READERS = {"operator": {"edit"}, "admin": {"edit", "oversee"}, "auditor": {"oversee"}}


def _new() -> str:
    source = (ROOT / "templates/distribution/manage/round.html").read_text(encoding="utf-8")
    return source.split("\n", 1)[1]


def _round(status: str, full: bool):
    return SimpleNamespace(
        id=7,
        status=status,
        title_id="Penyaluran <BLT> & 'tahap' 1",
        starts_on=date(2026, 11, 16),
        ends_on=date(2026, 11, 17),
        cash_amount=300_000 if full else None,
        use_food_formula=full,
        cancel_reason="Dana <belum> & cair" if full and status == "cancelled" else None,
        version_id=3,
        period_id=2,
    )


def _values(status: str, full: bool, lang: str) -> dict:
    items = [
        SimpleNamespace(
            id=1, name_id="Beras <5>", name_en="Rice & co", unit="kg", quantity_milli=10_000,
            formula_key="rice",
        ),
        SimpleNamespace(
            id=2, name_id="Minyak", name_en=None, unit="l", quantity_milli=1_500, formula_key=None
        ),
    ]  # fmt: skip
    approvals = [
        SimpleNamespace(approved_at=datetime(2026, 11, 2, 3), added=33, cancelled=0, reason=None),
        SimpleNamespace(
            approved_at=datetime(2026, 11, 9, 23, 59), added=1, cancelled=2, reason="Pindah & <x>"
        ),
    ]  # fmt: skip
    version = SimpleNamespace(
        id=3, period_id=2, number=2, households=1 if status == "open" else 33,
        period_title_id="BLT & <Januari>",
    )  # fmt: skip
    due = 33 if full else 0
    return {
        "round": _round(status, full),
        "version": version if full else None,
        "items": items if full else [],
        "approvals": approvals if full else [],
        "progress": Progress(
            total=Group("", due, 30 if full else 0, 0, 0, due >= 5),
            cancelled=(1 if status == "open" else 2) if full else 0,
        ),
        "units": UNITS,
        "qty": lambda milli: quantity_text(milli, lang),
    }


def _forms(status: str, new: bool) -> dict:
    forms = {}
    if status == "draft":
        slot = SlotForm(formdata=None)
        slot.point_id.choices = [(1, "Balai"), (3, "Pos & <3>")]
        forms.update(point_form=PointForm(formdata=None), slot_form=slot)
        forms["item_form"] = ItemForm(formdata=None)
    if status in ("approved", "open"):
        amend = AmendForm(formdata=None)
        amend.version_id.choices = [(4, "Versi 3")] if status == "open" else []
        forms["amend_form"] = amend
    if status in ("draft", "approved"):
        forms["cancel_form"] = CancelForm(formdata=None, prefix="cancel")
    if status in ("draft", "approved", "open"):
        forms["button"] = TokenOnly() if new else EmptyForm()
    return forms


CASES = list(itertools.product(STATUSES, READERS, (True, False)))


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("status", "reader", "full"), CASES)
def test_round_page_writes_what_the_template_wrote(app, lang, status, reader, full):
    capabilities = READERS[reader]
    removable = status == "draft" and "edit" in capabilities
    rows = POINT_ROWS if full else []
    parts = {
        "round_top": round_manage_html.round_top,
        "items_section": round_manage_html.items_section,
        "approvals_section": round_manage_html.approvals_section,
        "point_sections": point_sections,
    }
    with app.test_request_context("/staf/penyaluran/7", headers={"Accept-Language": lang}):
        app.preprocess_request()
        values = _values(status, full, lang)
        values["can"] = lambda capability: capability in capabilities
        points, slots = old_points(rows, ":")
        old = render_template_string(
            OLD,
            points=points,
            slots=slots,
            slot_rows=old_slot_rows,
            **values,
            **_forms(status, new=False),
        )
        new = render_template_string(
            _new(),
            points=points if removable else (),
            slots=slots if removable else {},
            point_rows=rows,
            removable=removable,
            **parts,
            **values,
            **_forms(status, new=True),
        )
    assert new == old
