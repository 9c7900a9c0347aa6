"""The head of the staff household page (portal/registry/household_head.py) writes
what the template's part wrote, byte for byte, in both languages, for editors and
readers."""

from __future__ import annotations

import pytest
from flask import render_template_string, url_for

from portal.registry.household_head import household_head
from portal.registry.models import BPS_COLUMNS
from portal.registry.page_texts import household_texts
from portal.registry.services.household_rows import PlainHousehold, PlainPerson
from portal.registry.views import _translated_labels

# household.html's part before it became household_head (in the page's with-frame; its
# long lines broken inside their {{ }}, which changes nothing written).
OLD_PART = """{% set head = household.head %}{% with %}
<p class="crumbs"><a href="{{ url_for('manage.dashboard') }}">{{
 t.staff_area }}</a> › <a href="{{ url_for('registry.index') }}">{{
 t.recipient_registry }}</a></p>
<h1>{% if head %}{{ _("Household of %(name)s",
 name=head.name) }}{% else %}{{ _("Household %(id)d", id=household.id) }}{% endif %}</h1>
<p><span class="tag tag-level-{{ household.need_level }}">{{
 need_levels[household.need_level] }}</span>
  {% for key in household.aid_type_list %}<span class="tag">{{
 aid_types[key] }}</span>{% endfor %}</p>
<p class="meta">{{ t.audit_note }}</p>

<dl class="facts">
  <dt>{{ t.kk_number }}</dt><dd>{{ household.kk_number or t.not_recorded }}</dd>
  <dt>{{ t.address }}</dt><dd>{{ household.address }}{% if household.dusun %}, {{
 household.dusun }}{% endif %}</dd>
  <dt>{{ t.rt_rw }}</dt><dd>{{ household.rt_rw }}</dd>
  <dt>{{ t.desil }}</dt><dd>{{ household.desil or t.not_known }}</dd>
  {% if household.national_id %}<dt>{{ t.national_data_id }}</dt><dd>{{
 household.national_id }}</dd>{% endif %}
  <dt>{{ t.household_number }}</dt><dd>{{ household.id }}</dd>
</dl>
{% if household.notes %}<p>{{ household.notes }}</p>{% endif %}
{% if can_edit %}
<p class="actions">
  <a class="button" href="{{
 url_for('registry.edit_household', household_id=household.id) }}">{{
 t.edit_household }}</a>
  <a class="button" href="{{
 url_for('registry.add_person', household_id=household.id) }}">{{ t.add_member }}</a>
  <a class="button" href="{{
 url_for('registry.add_enrolment', household_id=household.id) }}">{{ t.add_enrolment }}</a>
  <a class="button" href="{{
 url_for('change_requests_manage.choose_kind', household_id=household.id) }}">{{
 t.change_requests }}</a>
</p>
{% endif %}
{% endwith %}"""


def _household(n: int, **fields) -> PlainHousehold:
    values = {
        "id": n,
        "kk_number": "3201010101010001",
        "address": "Jl. Mawar 3",
        "rt": 3,
        "rw": 2,
        "dusun": None,
        "national_id": None,
        "desil": None,
        "notes": None,
        **dict.fromkeys(BPS_COLUMNS),
        "score": 0,
        "need_level": "tidak_prioritas",
        "aid_types": " ",
    }
    values.update(fields)
    return PlainHousehold(values.items(), [])


def _head(home: PlainHousehold, name: str) -> PlainHousehold:
    home.members = [
        PlainPerson({"id": 1, "name": name, "relation": "head", "merged_into_id": None}.items())
    ]
    return home


HOUSEHOLDS = [
    _household(1),
    _head(_household(2, dusun="Dusun <II>", desil=3, national_id="DTKS & 9"), "Siti & <Aminah>"),
    _household(
        303,
        kk_number=None,
        address='Gg. "Buntu" & co',
        rw=None,
        notes="Rumah <panggung> & kebun",
        need_level="sangat_miskin",
        aid_types=" food cash health ",
    ),
    _head(_household(4, desil=10, need_level="miskin", aid_types=" education "), "O'Neil"),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("can_edit", [True, False])
def test_household_head_writes_what_the_template_wrote(app, lang, can_edit):
    with app.test_request_context("/staf/registrasi/", headers={"Accept-Language": lang}):
        labels, texts = _translated_labels(), household_texts()
        for home in HOUSEHOLDS:
            values = {"household": home, "t": texts, "can_edit": can_edit, **labels}
            old = render_template_string(OLD_PART, **values)
            pair = (labels["need_levels"], labels["aid_types"])
            new = household_head(home, home.head, texts, pair, can_edit, url_for)
            assert str(new) == old, home.id
    assert ("/ubah" in new) is can_edit
