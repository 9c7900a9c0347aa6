"""The household page's member rows (portal/registry/member_rows.py) write what the
template's loop wrote."""

from __future__ import annotations

from datetime import date

import pytest
from flask import render_template_string

from portal.registry.member_rows import member_rows
from portal.registry.models import Person
from portal.registry.views import _translated_labels

# The loop of household.html before the rows became a function, with the lines around
# it that set its labels.
OLD_LOOP = """{% set check_nik, edit, move = _("Check NIK"), _("Edit"), _("Move") %}
  <tbody>
  {% for p in members %}
  <tr{% if p.status != 'alive' %} class="row-muted"{% endif %}>
    <td>{{ p.name }}<br><span class="meta">{{ sexes[p.sex] }}</span></td>
    <td class="nowrap">{{ p.nik or "–" }}{% if p.nik_warning %}<br><span class="tag tag-warn">{{ check_nik }}</span>{% endif %}</td>
    <td class="nowrap">{% if p.birth_date %}{{ p.birth_date|day('medium') }}<br><span class="meta">{{ _("%(n)d years", n=p.age_on(today)) }}</span>{% else %}–{% endif %}{% if p.birth_place %}<br><span class="meta">{{ p.birth_place }}</span>{% endif %}</td>
    <td>{{ relations[p.relation] }}</td>
    <td>{% if p.status == 'alive' %}{{ civil_statuses[p.status] }}{% else %}<span class="tag tag-danger">{{ civil_statuses[p.status] }}</span>{% if p.status_date %}<br><span class="meta">{{ p.status_date|day('medium') }}</span>{% endif %}{% endif %}</td>
    <td>{% if p.disability %}<span class="tag">{{ p.disability }}</span><br>{% endif %}{{ p.occupation or "" }}{% if p.education %}<br><span class="meta">{{ p.education }}</span>{% endif %}</td>
    {% if can_edit %}<td><a href="{{ url_for('registry.edit_person', person_id=p.id) }}">{{ edit }}<span class="visually-hidden">: {{ p.name }}</span></a><br>
      <a href="{{ url_for('registry.move_person', person_id=p.id) }}">{{ move }}<span class="visually-hidden">: {{ p.name }}</span></a></td>{% endif %}
  </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501

# The template's lines now.
NEW_LOOP = """{% set check_nik, edit, move = _("Check NIK"), _("Edit"), _("Move") %}
  <tbody>
  {# Written by portal/registry/member_rows.py's member_rows (the loop's markup). #}
  {% with urls = (url_for('registry.edit_person', person_id=0), url_for('registry.move_person', person_id=0)) if can_edit else none %}{{ member_rows(members, (sexes, relations, civil_statuses), today, (check_nik, edit, move), urls) }}{% endwith %}
  </tbody>"""  # noqa: E501

TODAY = date(2026, 12, 5)

MEMBERS = [
    Person(
        id=1,
        name="Siti & <Aminah>",
        sex="female",
        nik="3201014508900001",
        nik_warning=False,
        birth_date=date(1990, 8, 5),
        birth_place="Bandung",
        relation="head",
        status="alive",
        disability=None,
        occupation="Petani",
        education="SD",
    ),
    Person(
        id=22,
        name='O\'Neil "Jr"',
        sex="male",
        nik=None,
        nik_warning=True,
        birth_date=None,
        birth_place=None,
        relation="child",
        status="dead",
        status_date=date(2026, 1, 2),
        disability="Cacat <Rungu>/Wicara",
        occupation=None,
        education=None,
    ),
    Person(
        id=303,
        name="Joko",
        sex="unknown-sex",
        nik="12345",
        nik_warning=True,
        birth_date=date(2000, 12, 6),
        birth_place='Gg. "Buntu" & co',
        relation="not-a-relation",
        status="moved",
        status_date=None,
        disability="",
        occupation="",
        education="S1 & S2",
    ),
    Person(
        id=4,
        name="Ani",
        sex=None,
        nik="",
        nik_warning=False,
        birth_date=date(2000, 12, 5),
        birth_place="",
        relation=None,
        status="unknown-status",
        status_date=date(2025, 2, 3),
        disability=None,
        occupation="Guru",
        education="",
    ),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("can_edit", [True, False])
@pytest.mark.parametrize("count", [0, 1, 4])
def test_member_rows_write_what_the_template_wrote(app, lang, can_edit, count):
    with app.test_request_context("/staf/registrasi/", headers={"Accept-Language": lang}):
        values = {
            **_translated_labels(),
            "members": MEMBERS[:count],
            "today": TODAY,
            "can_edit": can_edit,
            "member_rows": member_rows,
        }
        old = render_template_string(OLD_LOOP, **values)
        new = render_template_string(NEW_LOOP, **values)
    assert new == old
    if count == 4:
        assert "Siti &amp; &lt;Aminah&gt;" in new and "Cacat &lt;Rungu&gt;/Wicara" in new
        assert ("/staf/registrasi/warga/303/pindah" in new) is can_edit
