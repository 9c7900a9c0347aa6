"""The staff household page's content (portal/registry/household_body.py, with the
writers of household_sections.py) is what the template's content block wrote, byte for
byte, in both languages, for editors and readers, with CSRF on and off: every warning,
members with values that need escaping, village and national enrolments (running and
ended, for the household and for a person) and the history."""

from __future__ import annotations

from datetime import date

import pytest
from flask import render_template_string, url_for

from portal.forms import EmptyForm, TokenOnly
from portal.registry import scoring
from portal.registry.household_body import household_body
from portal.registry.household_head import household_head
from portal.registry.member_rows import member_rows
from portal.registry.models import BPS_COLUMNS
from portal.registry.page_texts import household_texts
from portal.registry.result_rows import criteria_facts
from portal.registry.score_section import score_section
from portal.registry.services.duplicates import DuplicatePair
from portal.registry.services.enrolment_warnings import Overlap, StaleEnrolment
from portal.registry.services.household_page import (
    HistoryRow,
    HouseholdRecord,
    KKRow,
    NationalRow,
    VillageRow,
)
from portal.registry.services.household_rows import PlainHousehold, PlainPerson
from portal.registry.views import _translated_labels

# household.html's content block before it became household_body (the line that set
# `head` at the template's top first).
OLD_BLOCK = """{% set head = household.head %}
{#- A frame of its own: a {% set %} at the block's level would make every _() after it
    derive a Jinja context (ten or more calls each); in a with-frame it does not. #}
{% with %}
{{ household_head(household, head, t, (need_levels, aid_types), can_edit, url_for) }}{# Written by
    portal/registry/household_head.py (the markup this part had). #}

{% set w = warnings %}
{% if w.stale or w.overlaps or w.nik or w.duplicates or w.no_head %}
<section class="warnings" aria-labelledby="warnings-title">
  <h2 id="warnings-title">{{ t.warnings }}</h2>
  <ul>
    {% for s in w.stale %}
    <li>{% if s.as_head %}{{ _("%(name)s (%(status)s) is the head of this household, which is still enrolled in %(programme)s.", name=s.person_name, status=civil_statuses[s.status], programme=s.programme) }}{% else %}{{ _("%(name)s (%(status)s) is still enrolled in %(programme)s.", name=s.person_name, status=civil_statuses[s.status], programme=s.programme) }}{% endif %}</li>
    {% endfor %}
    {% for o in w.overlaps %}
    <li>{{ _("Overlap: %(first)s and %(second)s both give %(kind)s aid from %(start)s.", first=o.first, second=o.second, kind=aid_types[o.aid_type], start=o.start|day) }}</li>
    {% endfor %}
    {% for p in w.nik %}
    <li>{{ _("The NIK of %(name)s disagrees with the recorded birth date or sex. Please check the family card.", name=p.name) }}</li>
    {% endfor %}
    {% for pair in w.duplicates %}
    <li>{{ _("%(a)s and %(b)s may be the same person (same name and birth date).", a=pair.a.name, b=pair.b.name) }}
      {% if not pair.same_household %}
        {% set other = pair.b if pair.a.household_id == household.id else pair.a %}
        {% if other.household_id %}<a href="{{ url_for('registry.household', household_id=other.household_id) }}">{{ t.other_household }}</a>{% endif %}
      {% endif %}
      <a href="{{ url_for('registry.duplicate_pair', first=pair.a.id, second=pair.b.id) }}">{% if can_edit %}{{ t.compare_and_decide }}{% else %}{{ t.compare }}{% endif %}<span class="visually-hidden">: {{ pair.a.name }}, {{ pair.b.name }}</span></a></li>
    {% endfor %}
    {% if w.no_head %}<li>{{ t.no_head }}</li>{% endif %}
  </ul>
</section>
{% endif %}

<section>{# not a landmark: its table is the region named "Members" #}
<h2 id="members-title">{{ t.members }}</h2>
{% if members %}
{# The table's frame (its region, caption and heads: fixed texts) is kept per worker by
    page, language and role (portal/templating.py's kept_fragment); member_rows writes
    the rows in at the mark. #}
{% with %}{% set frame %}{% call kept_fragment("registry-household-members") %}{% call scroll_table(_('Members')) %}
<table>
  <caption class="visually-hidden">{{ _("Members") }}</caption>
  <thead><tr>
    <th scope="col">{{ _("Name") }}</th><th scope="col">{{ _("NIK") }}</th>
    <th scope="col">{{ _("Born") }}</th><th scope="col">{{ _("Relation") }}</th>
    <th scope="col">{{ _("Status") }}</th><th scope="col">{{ _("Details") }}</th>
    {% if can_edit %}<th scope="col">{{ _("Actions") }}</th>{% endif %}
  </tr></thead>
  <tbody>
<!--member-rows-->  </tbody>
</table>
{% endcall %}{% endcall %}{% endset %}
{# Written by portal/registry/member_rows.py's member_rows (the loop's markup). #}
{{ member_rows(frame, members, (sexes, relations, civil_statuses), today, (url_for('registry.edit_person', person_id=0), url_for('registry.move_person', person_id=0)) if can_edit else none) }}{% endwith %}
{% else %}
<p>{{ t.no_members }}</p>
{% endif %}
</section>

<section aria-labelledby="score-title">
{# Written by portal/registry/score_section.py (the markup this part had). #}
{{ score_section(assessment, t, need_levels, aid_types) }}<h3>{{ t.the_14_bps_criteria }}</h3>
{% set criteria, yes, no, not_surveyed = household.criteria, t.answer_yes, t.answer_no, t.not_surveyed %}
<dl class="facts criteria">
  {# Written by portal/registry/result_rows.py's criteria_facts (the loop's markup). #}
  {% with %}{{ criteria_facts(criteria, bps_criteria, yes, no, not_surveyed) }}{% endwith %}
</dl>
</section>

<section>{# not a landmark: its table is the region named "Enrolments" #}
<h2 id="enrolments-title">{{ t.enrolments }}</h2>
{% if enrolments.village or enrolments.national %}
{% call scroll_table(t.enrolments) %}
<table>
{# Kept as the members table's frame. #}
{% call kept_fragment("registry-household-enrolments-head") %}  <caption class="visually-hidden">{{ _("Enrolments") }}</caption>
  <thead><tr><th scope="col">{{ _("Programme") }}</th><th scope="col">{{ _("For") }}</th><th scope="col">{{ _("Period") }}</th>{% if can_edit %}<th scope="col">{{ _("Actions") }}</th>{% endif %}</tr></thead>
{% endcall %}  <tbody>
  {% set whole, end_label = t.the_whole_household, t.end %}
  {% set csrf_field = button.csrf_token() if can_edit and button.csrf_token is defined %}
  {% for kind, items in (('desa', enrolments.village), ('nasional', enrolments.national)) %}
  {% for e in items %}
  <tr><td>{% if kind == 'desa' %}{{ e.programme_name }} <span class="tag">{{ aid_types[e.aid_type] }}</span>{% else %}{{ national_programmes[e.programme_code][1] }} <span class="tag">{{ aid_types[e.aid_type] }}</span>{% if e.source %}<br><span class="meta">{{ e.source }}</span>{% endif %}{% endif %}</td>
    <td>{% if e.person_name is not none %}{{ e.person_name }}{% else %}{{ whole }}{% endif %}</td>
    <td class="nowrap">{{ e.period_start|day('medium') }} – {% if e.period_end %}{{ e.period_end|day('medium') }}{% endif %}</td>
    {% if can_edit %}<td>{% if e.period_end is none or e.period_end >= today %}
      <form class="inline" method="post" action="{{ url_for('registry.end_enrolment', kind=kind, enrolment_id=e.id) }}">
        {{ csrf_field }}
        <button type="submit" class="small secondary">{{ end_label }}<span class="visually-hidden">: {{ e.programme_name if kind == 'desa' else e.programme_code }}</span></button>
      </form>{% endif %}</td>{% endif %}</tr>
  {% endfor %}
  {% endfor %}
  </tbody>
</table>
{% endcall %}
{% else %}
<p>{{ t.not_enrolled }}</p>
{% endif %}
</section>

<section aria-labelledby="history-title">
<h2 id="history-title">{{ t.history }}</h2>
<h3>{{ t.family_card_numbers }}</h3>
{% if kk_history %}
<ul>
  {% for k in kk_history %}
  <li><span class="nowrap">{{ k.kk_number }}</span>: {{ k.valid_from|day('medium') }} – {% if k.valid_to %}{{ k.valid_to|day('medium') }}{% else %}{{ t.now }}{% endif %} ({{ kk_reasons[k.reason] }})</li>
  {% endfor %}
</ul>
{% else %}
<p>{{ t.no_kk_number }}</p>
{% endif %}
<h3>{{ t.members_joining }}</h3>
{% if history %}
<ul>
  {% for m in history %}
  <li>{{ m.person_name }}: {{ m.start_date|day('medium') }} {{ membership_reasons.get(m.start_reason, m.start_reason) }}{% if m.end_date %}; {{ m.end_date|day('medium') }} {{ membership_reasons.get(m.end_reason, m.end_reason) }}{% endif %}</li>
  {% endfor %}
</ul>
{% else %}
<p>{{ t.nothing_recorded }}</p>
{% endif %}
<p><a href="{{ url_for('audit.log', objek='household', id=household.id) }}">{{ t.audit_log }}</a></p>
</section>
{% endwith %}
"""  # noqa: E501

TODAY = date(2026, 12, 5)
ODD = 'Siti & <b>"O\'Neil"</b>'


class _LazyButton:
    """What the old view gave the template as `button` (an EmptyForm's CSRF field)."""

    @property
    def csrf_token(self):
        return EmptyForm().csrf_token  # AttributeError (undefined) without CSRF


def _person(pid: int, name: str, household_id: int | None = 1, **fields) -> PlainPerson:
    values = {
        "id": pid,
        "nik": f"32010101010{pid:05d}",
        "name": name,
        "name_norm": name.lower(),
        "sex": "female",
        "birth_place": "Duri",
        "birth_date": date(1980, 5, pid % 28 + 1),
        "relation": "child",
        "disability": None,
        "occupation": "Petani",
        "education": "SD",
        "status": "alive",
        "status_date": None,
        "household_id": household_id,
        "nik_warning": False,
        "merged_into_id": None,
    }
    values.update(fields)
    return PlainPerson(values.items())


def _household(hid: int, members: list, **fields) -> PlainHousehold:
    values = {
        "id": hid,
        "kk_number": "3201010101010001",
        "address": "Jl. Mawar 3",
        "rt": 3,
        "rw": 2,
        "dusun": None,
        "national_id": None,
        "desil": None,
        "notes": None,
        **{name: n % 3 == 0 if n % 4 else None for n, name in enumerate(BPS_COLUMNS)},
        "score": 40,
        "need_level": "miskin",
        "aid_types": " food health ",
    }
    values.update(fields)
    return PlainHousehold(values.items(), members)


def _record(household, **parts) -> HouseholdRecord:
    warnings = {"stale": [], "overlaps": [], "nik": [], "duplicates": [], "no_head": []}
    warnings.update(parts.pop("warnings", {}))
    return HouseholdRecord(
        household=household,
        assessment=scoring.assess_household(household, TODAY),
        enrolments=parts.pop("enrolments", {"village": [], "national": []}),
        warnings=warnings,
        history=parts.pop("history", []),
        kk_history=parts.pop("kk_history", []),
    )


def _records() -> list[HouseholdRecord]:
    head = _person(1, ODD, relation="head", birth_place=ODD, disability=ODD)
    dead = _person(2, "Budi", status="dead", status_date=date(2026, 1, 2), nik_warning=True)
    merged = _person(3, "Merged Away", merged_into_id=1)
    elsewhere = _person(40, ODD, household_id=7)
    homeless = _person(41, "Tanpa Rumah", household_id=None)
    full = _household(
        1,
        [head, dead, merged],
        dusun="Dusun <II>",
        desil=3,
        national_id="DTKS & 9",
        notes="Rumah <panggung> & kebun",
    )
    village = [
        VillageRow(5, 1, None, ODD, "food", date(2026, 1, 1), date(2026, 12, 31), None),
        VillageRow(6, 1, 2, "Lansia & Sehat", "health", date(2025, 1, 1), None, ODD),
        VillageRow(7, 1, None, "Ended", "cash", date(2024, 1, 1), date(2024, 6, 30), None),
        VillageRow(8, 1, None, "Odd aid", "no-such-aid", date(2026, 2, 1), TODAY, None),
    ]
    national = [
        NationalRow(9, 1, None, "BPNT", "DTKS <2025>", date(2026, 1, 1), None, None),
        NationalRow(10, None, 1, "PBI", None, date(2025, 1, 1), date(2025, 12, 31), ODD),
    ]
    warnings = {
        "stale": [
            StaleEnrolment(2, "Budi", "dead", 1, ODD, True),
            StaleEnrolment(2, ODD, "moved", 1, "PBI", False),
            StaleEnrolment(2, "Budi", "no-such-status", 1, "PKH", False),
        ],
        "overlaps": [
            Overlap(1, "food", ODD, "BPNT", date(2026, 1, 1), None),
            Overlap(1, "no-such-aid", "A", "B", date(2025, 3, 4), date(2025, 5, 6)),
        ],
        "nik": [dead, head],
        "duplicates": [
            DuplicatePair(head, elsewhere),
            DuplicatePair(elsewhere, head),
            DuplicatePair(head, dead),
            DuplicatePair(head, homeless),
        ],
        "no_head": [full],
    }
    history = [
        HistoryRow(11, 1, date(2021, 9, 28), "registered", None, None, ODD),
        HistoryRow(12, 2, date(2021, 9, 28), "birth", date(2026, 1, 2), "moved_out", "Budi"),
        HistoryRow(13, 3, date(2022, 1, 1), "no-such-reason", date(2022, 2, 1), None, "X"),
    ]
    kk_history = [
        KKRow(14, "3201010101010001", "head_changed", date(2024, 1, 1), None),
        KKRow(15, "3201<0101>&0000", "first", date(2020, 1, 1), date(2023, 12, 31)),
        KKRow(16, "3201010101019999", "no-such-reason", date(2019, 1, 1), date(2019, 12, 31)),
    ]
    return [
        _record(
            full,
            warnings=warnings,
            enrolments={"village": village, "national": national},
            history=history,
            kk_history=kk_history,
        ),
        _record(_household(2, [])),  # no members, no enrolments, no history
        _record(
            _household(303, [_person(4, "Ani", household_id=303)], kk_number=None, rw=None),
            enrolments={"village": [], "national": national[:1]},
            warnings={"no_head": ["x"]},
        ),
        _record(
            _household(4, [_person(5, "O'Neil", household_id=4, relation="head")]),
            enrolments={"village": village[1:2], "national": []},
            kk_history=kk_history[:1],
        ),
    ]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("can_edit", [True, False])
@pytest.mark.parametrize("csrf", [True, False])
def test_household_body_writes_what_the_template_wrote(app, lang, can_edit, csrf):
    app.config["WTF_CSRF_ENABLED"] = csrf
    with app.test_request_context(
        "/staf/registrasi/rumah-tangga/1", headers={"Accept-Language": lang}
    ):
        labels, t = _translated_labels(), household_texts()
        for _round in range(2):  # the second round's frames come from the kept markup
            for record in _records():
                home = record.household
                members = [p for p in home.members if p.merged_into_id is None]
                old = render_template_string(
                    OLD_BLOCK,
                    **labels,
                    household=home,
                    today=TODAY,
                    assessment=record.assessment,
                    enrolments=record.enrolments,
                    warnings=record.warnings,
                    history=record.history,
                    kk_history=record.kk_history,
                    t=t,
                    can_edit=can_edit,
                    button=_LazyButton(),
                    members=members,
                    member_rows=member_rows,
                    score_section=score_section,
                    household_head=household_head,
                    criteria_facts=criteria_facts,
                )
                new = household_body(
                    record, home.head, t, labels, can_edit, TODAY, TokenOnly(), url_for
                )
                assert str(new) == old, home.id
        first = str(household_body(*_arguments(labels, t, can_edit)))
    assert "Siti &amp; &lt;b&gt;&#34;O&#39;Neil&#34;&lt;/b&gt;" in first
    assert "<b>" not in first and "Merged Away" not in first
    assert ("/staf/registrasi/kepesertaan/desa/5/akhiri" in first) is can_edit
    assert ("/kepesertaan/desa/7/akhiri" in first) is False  # ended: no button
    assert ('name="csrf_token"' in first) is (can_edit and csrf)


def _arguments(labels, t, can_edit):
    record = _records()[0]
    return record, record.household.head, t, labels, can_edit, TODAY, TokenOnly(), url_for
