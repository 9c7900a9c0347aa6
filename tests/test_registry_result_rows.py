"""The staff search's rows (portal/registry/result_rows.py) write what the template's
loop wrote."""

from __future__ import annotations

import pytest
from flask import render_template_string

from portal.registry.result_rows import household_rows
from portal.registry.services.search import HouseholdRow, MemberSummary
from portal.registry.views import _translated_labels

# The template's loop before the rows became a function (_results.html), its long
# lines split.
OLD_LOOP = (
    """{% for h in items %}
  {% set m = members[h.id] %}
  <tr>
    <td><a href="{{ url_for('registry.household', household_id=h.id) }}">"""
    "{% if m.head_name is not none %}{{ m.head_name }}"
    """{% else %}{{ _("Household %(id)d", id=h.id) }}{% endif %}</a>
      {% if m.head_name is not none and m.head_status != 'alive' %}"""
    """<span class="tag tag-danger">{{ civil_statuses[m.head_status] }}</span>{% endif %}
      <br><span class="meta">{{ h.address }}</span></td>
    <td class="nowrap">{{ h.kk_number|masked }}</td>
    <td class="nowrap">{{ h.rt_rw }}</td>
    <td>{{ m.living }}</td>
    <td><span class="tag tag-level-{{ h.need_level }}">{{ need_levels[h.need_level] }}</span> """
    """<span class="meta">{{ _("score %(score)d", score=h.score) }}</span></td>
  </tr>
  {% endfor %}"""
)

ROWS = [
    HouseholdRow(1, "3201010101010001", "Jl. Mawar & <Melati> 3", "001/002", "miskin", 40),
    HouseholdRow(22, None, None, "010/–", None, 0),
    HouseholdRow(303, "12345", 'Gg. "Buntu"', "003/001", "sangat_miskin", 75),
    HouseholdRow(4, "3201010101010002", "Dusun II", "002/002", "rentan", 12),
    # Not 16 digits alone: masked by mask_numbers itself (17 digits are left as they are).
    HouseholdRow(5, "32010101010100031", "A", "002/002", "rentan", 1),
    HouseholdRow(6, "KK 3201010101010004 <x>", "B", "002/002", "rentan", 2),
]
MEMBERS = {
    1: MemberSummary("Siti & <Aminah>", "alive", 3),
    22: MemberSummary(None, None, 0),
    303: MemberSummary("Joko", "dead", 2),
    4: MemberSummary("O'Neil", "moved", 1),
    5: MemberSummary("A", "alive", 1),
    6: MemberSummary("B", "alive", 1),
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_household_rows_write_what_the_template_wrote(app, lang):
    with app.test_request_context("/staf/registrasi/", headers={"Accept-Language": lang}):
        old = render_template_string(OLD_LOOP, items=ROWS, members=MEMBERS)
        labels = _translated_labels()
        stem = render_template_string("{{ url_for('registry.household', household_id=0)[:-1] }}")
        new = household_rows(ROWS, MEMBERS, stem, labels["need_levels"], labels["civil_statuses"])
    assert str(new) == old.lstrip("\n")
    assert "Siti &amp; &lt;Aminah&gt;" in new and "Mawar &amp; &lt;Melati&gt;" in new
    assert "3201********0001" in new and "32010101010100031" in new
    assert "KK 3201********0004 &lt;x&gt;" in new
    assert ("Household 22" if lang == "en" else "Rumah tangga 22") in new


# The household page's criteria loop before it became criteria_facts (household.html).
OLD_CRITERIA = """{% set yes, no, not_surveyed = _("Yes"), _("No"), _("Not surveyed") %}
  {% for key, label in bps_criteria.items() %}
  {% set met = criteria[key] %}
  <dt>{{ label }}</dt><dd>{% if met is none %}<span class="meta">{{ not_surveyed }}</span>"""
OLD_CRITERIA += """{% elif met %}{{ yes }}{% else %}{{ no }}{% endif %}</dd>
  {% endfor %}
"""


@pytest.mark.parametrize("lang", ["id", "en"])
def test_criteria_facts_write_what_the_template_wrote(app, lang):
    from portal.registry.result_rows import criteria_facts

    with app.test_request_context("/staf/registrasi/", headers={"Accept-Language": lang}):
        labels = dict(_translated_labels()["bps_criteria"])
        labels["extra"] = "Lantai <tanah> & bambu"
        answers = (None, True, False, 1, 0)
        criteria = {key: answers[n % len(answers)] for n, key in enumerate(labels)}
        old = render_template_string(OLD_CRITERIA, criteria=criteria, bps_criteria=labels)
        yes, no, unknown = (
            render_template_string("{{ _(t) }}", t=t) for t in ("Yes", "No", "Not surveyed")
        )
        new = criteria_facts(criteria, labels, yes, no, unknown)
    assert str(new) == old.lstrip("\n")
    assert "Lantai &lt;tanah&gt; &amp; bambu" in new and '<span class="meta">' in new


# The results table's caption and heads as _results.html wrote them before they were
# kept per worker (templating.kept_fragment).
OLD_HEAD = """<table>
  <caption class="visually-hidden">{{ _("Households") }}</caption>
  <thead><tr>
    <th scope="col">{{ _("Head of family") }}</th>
    <th scope="col">{{ _("KK number") }}</th>
    <th scope="col">{{ _("RT/RW") }}</th>
    <th scope="col">{{ _("Members") }}</th>
    <th scope="col">{{ _("Need") }}</th>
  </tr></thead>
  <tbody>
"""


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_results_head_is_the_templates(app, client, login_as, lang):
    from tests.registry_helpers import household, person

    person(household(), "Budi Santoso")
    login_as("operator")
    headers = {"Accept-Language": lang}
    with app.test_request_context("/staf/registrasi/", headers=headers):
        head = render_template_string(OLD_HEAD)
    pages = [client.get("/staf/registrasi/", headers=headers) for _ in range(2)]
    # The fragment sent as the operator types (another endpoint: kept on its own).
    htmx = {**headers, "HX-Request": "true"}
    pages += [client.post("/staf/registrasi/", data={"q": "Budi"}, headers=htmx) for _ in range(2)]
    for page in pages:
        assert page.status_code == 200
        assert head in page.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_list_texts_are_what_the_templates_gettext_gave(app, lang):
    """The registry list's fixed texts (page_texts.LIST_TEXTS, `lt` in index.html and
    _results.html) are _()'s in both languages, as Markup, kept per language."""
    from markupsafe import Markup

    from portal.registry.page_texts import LIST_TEXTS, list_texts

    with app.test_request_context("/staf/registrasi/", headers={"Accept-Language": lang}):
        texts = list_texts()
        assert list_texts() is texts
        for key, msgid in LIST_TEXTS.items():
            ours = getattr(texts, key)
            assert isinstance(ours, Markup)
            theirs = render_template_string("{{ _(m) }}", m=msgid)
            assert render_template_string("{{ t }}", t=ours) == theirs, (key, lang)
