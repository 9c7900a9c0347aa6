"""The likely duplicates page's cards (portal/registry/duplicate_cards.py) write what the
template's loop wrote, byte for byte."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.registry.duplicate_cards import duplicate_cards
from portal.registry.services.duplicates import DuplicatePair

# The cards of duplicates.html before they became a function.
OLD_LOOP = """<ul class="cards pairs">
  {% for pair in pairs %}
  <li class="card">
    <dl class="facts">
    {% for p in (pair.a, pair.b) %}
      <dt>{% if loop.first %}{{ _("First record") }}{% else %}{{ _("Second record") }}{% endif %}</dt>
      <dd>{% if p.household_id %}<a href="{{ url_for('registry.household', household_id=p.household_id) }}">{{ p.name }}</a>{% else %}{{ p.name }}{% endif %}<br>
        <span class="meta nowrap">{{ _("NIK") }} {{ p.nik|masked }}</span><br>
        <span class="meta nowrap">{{ p.birth_date|day('medium') }}</span></dd>
    {% endfor %}
      <dt>{{ _("Where") }}</dt>
      <dd>{% if pair.same_household %}{{ _("Same household") }}{% else %}<span class="tag tag-warn">{{ _("Two households") }}</span>{% endif %}</dd>
    </dl>
    <p><a class="button" href="{{ url_for('registry.duplicate_pair', first=pair.a.id, second=pair.b.id) }}">{% if can_edit %}{{ _("Compare and decide") }}{% else %}{{ _("Compare") }}{% endif %}<span class="visually-hidden">: {{ pair.a.name }}, {{ pair.b.name }}</span></a></p>
  </li>
  {% endfor %}
</ul>"""  # noqa: E501

NEW = """<ul class="cards pairs">
  {% with %}{{ duplicate_cards(pairs, can_edit, url_for('registry.household', household_id=0)[:-1], url_for('registry.duplicate_pair', first=0, second=0)) }}{% endwith %}
</ul>"""  # noqa: E501


def _person(id_, name, nik, household_id, born):
    return SimpleNamespace(id=id_, name=name, nik=nik, household_id=household_id, birth_date=born)


PAIRS = [
    DuplicatePair(
        _person(3, "Siti & <Aminah>", "3201010101900001", 7, date(1990, 1, 1)),
        _person(12, 'Siti "Aminah"', None, 7, date(1990, 1, 1)),
    ),
    DuplicatePair(
        _person(4, "O'Neil", "12345", None, date(1985, 12, 31)),
        _person(40, "O'Neil", "3201010101900002", 35, date(1985, 12, 31)),
    ),
    DuplicatePair(
        _person(100, "Budi", "", 9, date(2001, 6, 15)),
        _person(1000, "Budi", "3201010101900003", None, date(2001, 6, 15)),
    ),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("can_edit", [True, False])
def test_duplicate_cards_write_what_the_template_wrote(app, lang, can_edit):
    with app.test_request_context("/staf/registrasi/duplikat", headers={"Accept-Language": lang}):
        context = {"pairs": PAIRS, "can_edit": can_edit, "duplicate_cards": duplicate_cards}
        old = render_template_string(OLD_LOOP, **context)
        new = render_template_string(NEW, **context)
    assert new == old
    assert "Siti &amp; &lt;Aminah&gt;" in new and "Siti &#34;Aminah&#34;" in new
    assert 'href="/staf/registrasi/duplikat/4/40"' in new


def test_no_cards_for_no_pairs(app):
    with app.test_request_context("/staf/registrasi/duplikat"):
        assert duplicate_cards([], True, "/h/", "/d/0/0") == ""
