"""The duplicate pair page's two sections (portal/registry/pair_sections.py) write what
the template's loop wrote, in both languages."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.registry.pair_sections import pair_sections
from portal.registry.views import _translated_labels

# The template's loop before the sections became a function (duplicate_pair.html).
OLD_LOOP = (
    "{% for p in (a, b) %}{% with n = loop.index %}{# a with-frame: sets in"
    " a loop's body make each _() derive a context #}\n"
    '<section class="card" aria-labelledby="record-{{ n }}-title">\n'
    '  <h2 id="record-{{ n }}-title">{{ _("Record %(n)d: %(name)s", n=n, na'
    "me=p.name) }}</h2>\n"
    '  <dl class="facts">\n'
    '    <dt>{{ _("NIK") }}</dt>\n'
    '    <dd class="nowrap">{{ p.nik or _("Not recorded") }}{% if p.nik_war'
    'ning %} <span class="tag tag-warn">{{ _("Check NIK") }}</span>{% endif'
    " %}</dd>\n"
    '    <dt>{{ _("Sex") }}</dt><dd>{{ sexes[p.sex] }}</dd>\n'
    '    <dt>{{ _("Date of birth") }}</dt>\n'
    '    <dd>{% if p.birth_date %}{{ p.birth_date|day }} <span class="meta"'
    '>({{ _("%(n)d years", n=p.age_on(today)) }})</span>{% else %}{{ _("Not'
    ' known") }}{% endif %}</dd>\n'
    '    <dt>{{ _("Place of birth") }}</dt><dd>{{ p.birth_place or _("Not k'
    'nown") }}</dd>\n'
    '    <dt>{{ _("Relation") }}</dt><dd>{{ relations[p.relation] }}</dd>\n'
    '    <dt>{{ _("Status") }}</dt>\n'
    "    <dd>{% if p.status == 'alive' %}{{ civil_statuses[p.status] }}{% e"
    'lse %}<span class="tag tag-danger">{{ civil_statuses[p.status] }}</spa'
    "n>{% endif %}</dd>\n"
    '    {% if p.occupation %}<dt>{{ _("Occupation") }}</dt><dd>{{ p.occupa'
    "tion }}</dd>{% endif %}\n"
    '    {% if p.disability %}<dt>{{ _("Disability") }}</dt><dd>{{ p.disabi'
    "lity }}</dd>{% endif %}\n"
    '    <dt>{{ _("Household") }}</dt>\n'
    "    <dd>{% set h = p.household %}\n"
    "      {% if h %}<a href=\"{{ url_for('registry.household', household_id"
    '=h.id) }}">{% if heads[h.id] is not none %}{{ _("Household of %(name)s'
    '", name=heads[h.id]) }}{% else %}{{ _("Household %(id)d", id=h.id) }}{'
    "% endif %}</a><br>\n"
    '        <span class="meta">{{ _("RT/RW") }} {{ h.rt_rw }} · {{ h.addre'
    "ss }}</span><br>\n"
    '        <span class="meta">{{ _("KK number") }} <span class="nowrap">{'
    '{ h.kk_number or "–" }}</span></span>\n'
    '      {% elif p.merged_into_id %}{{ _("Merged into record %(id)d", id='
    "p.merged_into_id) }}\n"
    '      {% else %}{{ _("None") }}{% endif %}</dd>\n'
    '    <dt>{{ _("Record number") }}</dt><dd>{{ p.id }}</dd>\n'
    "  </dl>\n"
    '  <h3>{{ _("Enrolments") }}</h3>\n'
    "  {% set e = enrolments[p.id] %}\n"
    "  {% if e.village or e.national %}\n"
    "  <ul>\n"
    "    {% for item in e.village %}\n"
    "    <li>{{ item.programme }}, {{ item.period_start|day('medium') }} – "
    "{% if item.period_end %}{{ item.period_end|day('medium') }}{% endif %}"
    "\n"
    '      <span class="meta">({% if item.person_id %}{{ _("for this person'
    '") }}{% else %}{{ _("for the whole household") }}{% endif %})</span></'
    "li>\n"
    "    {% endfor %}\n"
    "    {% for item in e.national %}\n"
    "    <li>{{ national_programmes[item.programme][1] }}, {{ item.period_s"
    "tart|day('medium') }} – {% if item.period_end %}{{ item.period_end|day"
    "('medium') }}{% endif %}\n"
    '      <span class="meta">({% if item.person_id %}{{ _("for this person'
    '") }}{% else %}{{ _("for the whole household") }}{% endif %})</span></'
    "li>\n"
    "    {% endfor %}\n"
    "  </ul>\n"
    "  {% else %}\n"
    '  <p>{{ _("Not enrolled in any programme.") }}</p>\n'
    "  {% endif %}\n"
    "</section>\n"
    "{% endwith %}{% endfor %}\n"
)
TODAY = date(2026, 12, 5)


def _person(pid, **fields):
    values = {
        "id": pid,
        "name": "Siti",
        "nik": "3201010101010001",
        "nik_warning": None,
        "sex": "female",
        "birth_date": date(1950, 3, 4),
        "birth_place": "Bogor",
        "relation": "head",
        "status": "alive",
        "occupation": None,
        "disability": None,
        "household": None,
        "merged_into_id": None,
    }
    person = SimpleNamespace(**{**values, **fields})
    born = person.birth_date
    person.age_on = lambda day: (
        day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    )
    return person


def _home(hid, **fields):
    values = {"id": hid, "rt_rw": "003/002", "address": "Jl. Mawar & <Melati>", "kk_number": None}
    return SimpleNamespace(**{**values, **fields})


def _item(programme, start, end=None, person_id=None):
    return SimpleNamespace(
        programme=programme, period_start=start, period_end=end, person_id=person_id
    )


PAIRS = [
    (
        _person(
            1,
            name="Siti & <Aminah>",
            nik_warning="sex",
            occupation="Petani <padi>",
            disability='Tuna "netra"',
            household=_home(7, kk_number="3201010101010002"),
        ),
        _person(
            2,
            name="O'Neil",
            nik=None,
            birth_date=None,
            birth_place=None,
            sex="male",
            relation="child",
            status="dead",
            household=_home(8),
        ),
    ),
    (
        _person(3, merged_into_id=1, status="moved"),
        _person(4, relation="parent", status="missing", occupation="Guru"),
    ),
]
HEADS = {7: "Karto <Wiyono>", 8: None}
ENROLMENTS = {
    1: {
        "village": [
            _item("Paket <Pangan>", date(2026, 1, 1), person_id=1),
            _item("Lansia", date(2025, 3, 1), date(2026, 2, 28)),
        ],
        "national": [_item("PBI", date(2026, 1, 1), person_id=1), _item("PKH", date(2024, 5, 2))],
    },
    2: {"village": [], "national": []},
    3: {"village": [], "national": [_item("BPNT", date(2026, 2, 1), date(2026, 12, 31), 3)]},
    4: {"village": [_item("BLT", date(2026, 4, 1))], "national": []},
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_pair_sections_write_what_the_template_wrote(app, lang):
    with app.test_request_context("/staf/registrasi/", headers={"Accept-Language": lang}):
        labels = _translated_labels()
        stem = render_template_string("{{ url_for('registry.household', household_id=0)[:-1] }}")
        for a, b in PAIRS:
            old = render_template_string(
                OLD_LOOP, a=a, b=b, heads=HEADS, enrolments=ENROLMENTS, today=TODAY, **labels
            )
            new = pair_sections(
                (a, b),
                HEADS,
                ENROLMENTS,
                labels["sexes"],
                labels["relations"],
                labels["civil_statuses"],
                labels["national_programmes"],
                TODAY,
                stem,
            )
            assert str(new) == old
            if a.id == 1:
                assert "Siti &amp; &lt;Aminah&gt;" in new and "Karto &lt;Wiyono&gt;" in new
                assert "Paket &lt;Pangan&gt;" in new and "O&#39;Neil" in new
