"""The household record beside a change request (portal/registry/change_requests/
record_rows.py) writes what the template's loops wrote, and the translated label tables
show as the lazy labels showed."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.registry.change_requests.labels import LABELS, template_labels
from portal.registry.change_requests.record_rows import asked, criteria, members

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


# _asked.html before its markup became record_rows.asked.
OLD_ASKED = (
    "{#- What a request asks, by kind. `item` is the request. -#}\n"
    "{% set d = item.details %}\n"
    '<dl class="facts asked">\n'
    '  <dt>{{ _("What should change") }}</dt><dd>{{ change_kinds[item.kind]'
    " }}</dd>\n"
    '  {% if item.kind in ("death", "move_out") %}\n'
    '  <dt>{{ _("Who") }}</dt><dd>{{ item.person.name if item.person else "'
    '–" }}</dd>\n'
    "  {% endif %}\n"
    '  {% if item.kind in ("birth", "move_in") %}\n'
    '  <dt>{{ _("Name") }}</dt><dd>{{ d.name }}</dd>\n'
    '  <dt>{{ _("Sex") }}</dt><dd>{{ sexes[d.sex] }}</dd>\n'
    '  <dt>{{ _("Date of birth") }}</dt><dd>{{ iso_day(d.birth_date) }}</dd'
    ">\n"
    "  {% endif %}\n"
    '  {% if item.kind == "birth" %}<dt>{{ _("Birth certificate number") }}'
    '</dt><dd>{{ d.birth_certificate or "–" }}</dd>{% endif %}\n'
    '  {% if item.kind == "move_in" %}\n'
    '  <dt>{{ _("NIK") }}</dt><dd>{{ d.nik or "–" }}</dd>\n'
    '  <dt>{{ _("Relation to the head of the family") }}</dt><dd>{{ relatio'
    "ns[d.relation] }}</dd>\n"
    "  {% endif %}\n"
    '  {% if item.kind == "death" %}<dt>{{ _("Date of death") }}</dt><dd>{{'
    " iso_day(d.date) }}</dd>\n"
    '  <dt>{{ _("Certificate or RT letter") }}</dt><dd>{{ d.certificate or '
    '"–" }}</dd>{% endif %}\n'
    '  {% if item.kind == "move_out" %}<dt>{{ _("Date they moved out") }}</'
    "dt><dd>{{ iso_day(d.date) }}</dd>\n"
    '  <dt>{{ _("Where to") }}</dt><dd>{{ d.destination or "–" }}</dd>{% en'
    "dif %}\n"
    '  {% if item.kind == "move_in" %}<dt>{{ _("Date they moved in") }}</dt'
    "><dd>{{ iso_day(d.date) }}</dd>{% endif %}\n"
    '  {% if item.kind == "kk_number" %}<dt>{{ _("New KK number") }}</dt><d'
    "d>{{ d.kk_number }}</dd>\n"
    '  <dt>{{ _("Why") }}</dt><dd>{{ kk_reasons[d.reason] }}</dd>{% endif %'
    "}\n"
    '  {% if item.kind == "address" %}<dt>{{ _("Address") }}</dt><dd>{{ d.a'
    "ddress }}</dd>\n"
    '  <dt>{{ _("RT") }}</dt><dd>{{ d.rt }}</dd><dt>{{ _("RW") }}</dt><dd>{'
    '{ d.rw or "–" }}</dd>{% endif %}\n'
    '  {% if item.kind == "situation" %}\n'
    "  {% for key, label in bps_criteria.items() %}{% if ('bps_' ~ key) in "
    "d %}\n"
    '  <dt>{{ label }}</dt><dd>{{ _("Yes") if d[\'bps_\' ~ key] else _("No") '
    "}}</dd>\n"
    "  {% endif %}{% endfor %}\n"
    "  {% endif %}\n"
    '  {% if item.note %}<dt>{{ _("Note") }}</dt><dd>{{ item.note }}</dd>{%'
    " endif %}\n"
    "</dl>\n"
)
WIFE = SimpleNamespace(name="Siti & <Aminah>")
ASKED = [
    ("birth", {"name": "Budi <b>", "sex": "male", "birth_date": "2026-01-02"}, None),
    ("birth", {"name": "Ani", "sex": "female", "birth_certificate": "AL 1/2 & 3"}, None),
    ("death", {"date": "2025-12-31", "certificate": "Surat RT <5>"}, WIFE),
    ("death", {"date": "not a date"}, None),
    ("move_out", {"date": "2026-02-03", "destination": 'Jakarta "Utara"'}, WIFE),
    ("move_out", {}, WIFE),
    (
        "move_in",
        {"name": "O'Neil", "sex": "male", "birth_date": "1990-05-06", "nik": None},
        None,
    ),
    ("move_in", {"name": None, "nik": "3201", "relation": "child", "date": "2026-03-04"}, None),
    ("kk_number", {"kk_number": "3201010101010009", "reason": "split"}, None),
    ("kk_number", {"kk_number": "1"}, None),
    ("address", {"address": "Jl. Mawar <3>", "rt": 3, "rw": None}, None),
    ("address", {"address": "Gg. Buntu", "rt": 12, "rw": 4}, None),
    ("situation", {"bps_floor": True, "bps_wall": False, "bps_light": 1}, None),
    ("situation", {}, None),
]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_asked_writes_what_the_template_wrote(app, lang):
    with app.test_request_context("/warga/perubahan/", headers={"Accept-Language": lang}):
        labels = template_labels()
        for n, (kind, details, person) in enumerate(ASKED):
            note = "Tolong <cepat> & benar" if n % 3 == 0 else ""
            person_id = None if person is None else 7
            item = SimpleNamespace(
                kind=kind, details=details, person=person, person_id=person_id, note=note
            )
            old = render_template_string(OLD_ASKED, item=item, **LABELS, iso_day=labels["iso_day"])
            new = asked(item, labels, labels["iso_day"])
            assert str(new) == old, (kind, details)
            # The staff page gives the household's members: the person named is found
            # among them (no `item.person` read: this item has none); not among them,
            # `item.person` is read as before.
            others = [SimpleNamespace(id=8, name="Other")]
            if person is not None:
                among = SimpleNamespace(kind=kind, details=details, person_id=7, note=note)
                members = [*others, SimpleNamespace(id=7, name=person.name)]
                assert str(asked(among, labels, labels["iso_day"], members)) == old
            assert str(asked(item, labels, labels["iso_day"], others)) == old
            if note:
                assert "Tolong &lt;cepat&gt; &amp; benar" in new


@pytest.mark.parametrize("lang", ["id", "en"])
def test_texts_are_what_the_templates_gettext_gave(app, lang):
    """The fixed texts of _record.html, _steps.html and the staff page of a request
    (labels.TEXTS, `cr_texts` in the templates) are _()'s, in both languages, as Markup
    (not escaped again), kept per language."""
    from markupsafe import Markup

    from portal.registry.change_requests.labels import TEXTS, texts

    with app.test_request_context("/staf/perubahan/", headers={"Accept-Language": lang}):
        kept = texts()
        assert texts() is kept and template_labels()["cr_texts"] is kept
        for key, msgid in TEXTS.items():
            assert "%" not in msgid
            ours = getattr(kept, key)
            assert isinstance(ours, Markup)
            theirs = render_template_string("{{ _(m) }}", m=msgid)
            assert render_template_string("{{ t }}", t=ours) == theirs, (key, lang)
        decide = "Putuskan" if lang == "id" else "Decide"
        assert kept.decide == decide
