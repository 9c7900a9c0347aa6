"""The household record beside a change request (portal/registry/change_requests/
record_rows.py) writes what the template's loops wrote, and the translated label tables
show as the lazy labels showed."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.registry.change_requests.labels import LABELS, template_labels
from portal.registry.change_requests.record_rows import criteria, members

# The template's loops before they became functions (_record.html).
OLD_MEMBERS = """{% set members = household.members|selectattr('merged_into_id', 'none')|list %}
  {% for p in members %}
  <tr><td>{{ p.name }}<br><span class="meta">{{ sexes[p.sex] }}"""
OLD_MEMBERS += """{% if p.disability %} · {{ p.disability }}{% endif %}"""
OLD_MEMBERS += """{% if p.occupation %} · {{ p.occupation }}{% endif %}"""
OLD_MEMBERS += """{% if p.education %} · {{ p.education }}{% endif %}</span></td>
    <td class="nowrap">{{ p.nik or "–" }}</td>
    <td class="nowrap">{{ p.birth_date|day if p.birth_date else "–" }}</td>
    <td>{{ relations[p.relation] }}</td>
    <td>{{ civil_statuses[p.status] }}{% if p.status_date %}<br><span class="meta">"""
OLD_MEMBERS += """{{ p.status_date|day }}</span>{% endif %}</td></tr>
  {% endfor %}
"""
OLD_CRITERIA = """{% set criteria, not_surveyed, yes, no = household.criteria, """
OLD_CRITERIA += """_("Not surveyed"), _("Yes"), _("No") %}
  {% for key, label in bps_criteria.items() %}
  {% set value = criteria[key] %}
  <li>{{ label }}: <strong>{% if value is none %}{{ not_surveyed }}"""
OLD_CRITERIA += """{% elif value %}{{ yes }}{% else %}{{ no }}{% endif %}</strong></li>
  {% endfor %}
"""
NEW_CRITERIA = """{{ record_rows.criteria(household.criteria, bps_criteria, """
NEW_CRITERIA += """_("Not surveyed"), _("Yes"), _("No")) }}"""


def _person(**fields):
    values = {
        "name": "Siti",
        "sex": "female",
        "disability": None,
        "occupation": None,
        "education": None,
        "nik": "3201010101010001",
        "birth_date": date(1980, 5, 17),
        "relation": "head",
        "status": "alive",
        "status_date": None,
        "merged_into_id": None,
    }
    return SimpleNamespace(**{**values, **fields})


PEOPLE = [
    _person(name="Siti & <Aminah>", disability="Tuna <netra>", occupation="Petani"),
    _person(
        name="O'Neil",
        sex="male",
        nik=None,
        birth_date=None,
        relation="child",
        status="dead",
        status_date=date(2025, 2, 3),
        education='SMA "1"',
    ),
    _person(name="Merged away", merged_into_id=1),
    _person(name="Budi", sex="male", relation="grandchild", status="moved", occupation="Guru"),
]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_record_rows_write_what_the_template_wrote(app, lang):
    with app.test_request_context("/warga/perubahan/", headers={"Accept-Language": lang}):
        labels = template_labels()
        answers = (None, True, False, 1, 0)
        household = SimpleNamespace(
            members=PEOPLE,
            criteria={key: answers[n % 5] for n, key in enumerate(LABELS["bps_criteria"])},
        )
        # The old loops with the lazy label tables the pages had.
        old = render_template_string(OLD_MEMBERS, household=household, **LABELS)
        new = members(PEOPLE, labels["sexes"], labels["relations"], labels["civil_statuses"])
        assert str(new) == old.lstrip("\n")
        assert "Siti &amp; &lt;Aminah&gt;" in new and "O&#39;Neil" in new
        assert "Merged away" not in new
        old = render_template_string(OLD_CRITERIA, household=household, **LABELS)
        new = render_template_string(NEW_CRITERIA, household=household, **labels)
        assert new == old.lstrip("\n")
        assert new.count("<li>") == 14
        yes = "Yes" if lang == "en" else "Ya"
        assert str(criteria({"a": True}, {"a": "A & b"}, "?", yes, "-")) == (
            f"  <li>A & b: <strong>{yes}</strong></li>\n"
        )
        # Every label shows as the lazy one showed (unescaped, as its __html__ gave it).
        for name, table in LABELS.items():
            for key, lazy in table.items():
                shown = render_template_string("{{ label }}", label=labels[name][key])
                assert shown == render_template_string("{{ label }}", label=lazy), (name, key)
