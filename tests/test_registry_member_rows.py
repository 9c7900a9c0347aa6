"""The household page's member rows (portal/registry/member_rows.py) write what the
template's loop wrote."""

from __future__ import annotations

from datetime import date

import pytest
from flask import render_template_string, url_for

from portal.registry.household_body import _members_frame
from portal.registry.member_rows import ROWS_MARK, member_rows
from portal.registry.models import Person
from portal.registry.page_texts import household_texts
from portal.registry.views import _translated_labels

# The members table of household.html before its rows became a function.
OLD_LOOP = """{% from "_macros/ui.html" import scroll_table %}
{% set members = household.members|selectattr('merged_into_id', 'none')|list %}
{% set check_nik, edit, move = _("Check NIK"), _("Edit"), _("Move") %}
{% if members %}
{% call scroll_table(_('Members')) %}
<table>
  <caption class="visually-hidden">{{ _("Members") }}</caption>
  <thead><tr>
    <th scope="col">{{ _("Name") }}</th><th scope="col">{{ _("NIK") }}</th>
    <th scope="col">{{ _("Born") }}</th><th scope="col">{{ _("Relation") }}</th>
    <th scope="col">{{ _("Status") }}</th><th scope="col">{{ _("Details") }}</th>
    {% if can_edit %}<th scope="col">{{ _("Actions") }}</th>{% endif %}
  </tr></thead>
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
  </tbody>
</table>
{% endcall %}
{% else %}
<p>{{ _("No members recorded yet.") }}</p>
{% endif %}"""  # noqa: E501


def _new_table(t, members, can_edit: bool, labels: dict) -> str:
    """What household_body writes for the members now: its frame with member_rows'
    rows, or the paragraph saying there are none."""
    if not members:
        return f"<p>{t.no_members}</p>\n"
    urls = None
    if can_edit:
        urls = (
            url_for("registry.edit_person", person_id=0),
            url_for("registry.move_person", person_id=0),
        )
    tables = (labels["sexes"], labels["relations"], labels["civil_statuses"])
    return str(member_rows(_members_frame(t, can_edit), members, tables, TODAY, urls))


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


class _Household:
    def __init__(self, members):
        self.members = members


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("can_edit", [True, False])
@pytest.mark.parametrize("count", [0, 1, 4])
def test_member_rows_write_what_the_template_wrote(app, lang, can_edit, count):
    merged = Person(id=9, name="Merged Away", merged_into_id=1, status="alive")
    with app.test_request_context(
        "/staf/registrasi/rumah-tangga/1", headers={"Accept-Language": lang}
    ):
        labels, t = _translated_labels(), household_texts()
        values = {
            **labels,
            "household": _Household([*MEMBERS[:count], merged]),
            "today": TODAY,
            "can_edit": can_edit,
        }
        old = render_template_string(OLD_LOOP, **values)
        # The view leaves merged records out.
        new = _new_table(t, MEMBERS[:count], can_edit, labels)
        assert new == old
    assert ROWS_MARK not in new and "Merged Away" not in new
    if count == 4:
        assert "Siti &amp; &lt;Aminah&gt;" in new and "Cacat &lt;Rungu&gt;/Wicara" in new
        assert ("/staf/registrasi/warga/303/pindah" in new) is can_edit


@pytest.mark.parametrize("lang", ["id", "en"])
def test_household_texts_are_what_the_templates_gettext_gave(app, lang):
    """The household page's fixed texts (portal/registry/page_texts.py) are _()'s, in both
    languages, as Markup (not escaped again), kept per language."""
    from markupsafe import Markup

    from portal.registry.page_texts import HOUSEHOLD_TEXTS

    with app.test_request_context("/staf/registrasi/", headers={"Accept-Language": lang}):
        texts = household_texts()
        assert household_texts() is texts
        for key, msgid in HOUSEHOLD_TEXTS.items():
            assert "%" not in msgid
            ours = getattr(texts, key)
            assert isinstance(ours, Markup)
            theirs = render_template_string("{{ _(m) }}", m=msgid)
            assert render_template_string("{{ t }}", t=ours) == theirs, (key, lang)
        staff = "Area Staf" if lang == "id" else "Staff area"
        assert texts.staff_area == staff
