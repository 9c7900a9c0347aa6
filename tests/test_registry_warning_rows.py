"""The warnings page's items (portal/registry/warning_rows.py) write what the template's
loops wrote."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.registry.services.enrolment_warnings import Overlap, StaleEnrolment
from portal.registry.views import _translated_labels
from portal.registry.warning_rows import nik_items, overlap_items, stale_items

# The template's loops before the items became functions (warnings.html).
OLD_STALE = """{% for s in items %}
  <li>{% if s.household_id %}<a href="{{ household_stem }}{{ s.household_id }}">"""
OLD_STALE += """{{ s.person_name }}</a>{% else %}{{ s.person_name }}{% endif %}
    <span class="tag tag-danger">{{ civil_statuses[s.status] }}</span>
    {% if s.as_head %}{{ _("head of a household enrolled in %(programme)s", """
OLD_STALE += """programme=s.programme) }}{% else %}{{ _("enrolled in %(programme)s", """
OLD_STALE += """programme=s.programme) }}{% endif %}</li>
  {% endfor %}
"""
OLD_OVERLAPS = """{% for o in items %}
  <li><a href="{{ household_stem }}{{ o.household_id }}">"""
OLD_OVERLAPS += """{{ _("Household %(id)d", id=o.household_id) }}</a>:
    {{ _("%(first)s and %(second)s both give %(kind)s aid from %(start)s.", first=o.first, """
OLD_OVERLAPS += """second=o.second, kind=aid_types[o.aid_type], start=o.start|day) }}</li>
  {% endfor %}
"""
OLD_NIK = """{% for p in items %}
  <li>{% if p.household_id %}<a href="{{ household_stem }}{{ p.household_id }}">"""
OLD_NIK += """{{ p.name }}</a>{% else %}{{ p.name }}{% endif %}</li>
  {% endfor %}
"""

STALE = [
    StaleEnrolment(1, "Siti & <Aminah>", "dead", 3, "BPNT <x>", True),
    StaleEnrolment(2, "O'Neil", "moved", None, 'Paket "A"', False),
    StaleEnrolment(3, "Joko", "missing", 12, "PKH", False),
]
OVERLAPS = [
    Overlap(35, "food", "BPNT & co", "Paket <Pangan>", date(2026, 1, 1), None),
    Overlap(4, "health", "PBI", "Layanan", date(2025, 12, 31), date(2026, 3, 1)),
    # The same kind and day again (written once, used twice).
    Overlap(36, "food", "BLT <2>", "Sembako", date(2026, 1, 1), None),
]
NIK = [
    SimpleNamespace(name="Ani <b>", household_id=7),
    SimpleNamespace(name="Budi & Co", household_id=None),
]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_warning_items_write_what_the_template_wrote(app, lang):
    with app.test_request_context("/staf/registrasi/peringatan", headers={"Accept-Language": lang}):
        labels = _translated_labels()
        stem = render_template_string("{{ url_for('registry.household', household_id=0)[:-1] }}")
        common = {"household_stem": stem, **labels}
        pairs = [
            (OLD_STALE, STALE, stale_items(STALE, stem, labels["civil_statuses"])),
            (OLD_OVERLAPS, OVERLAPS, overlap_items(OVERLAPS, stem, labels["aid_types"])),
            (OLD_NIK, NIK, nik_items(NIK, stem)),
        ]
        for old_loop, items, new in pairs:
            old = render_template_string(old_loop, items=items, **common)
            assert str(new) == old.lstrip("\n")
        assert "Siti &amp; &lt;Aminah&gt;" in pairs[0][2] and "&lt;Pangan&gt;" in pairs[1][2]


def test_values_are_escaped_as_markupsafe_escapes_them():
    from markupsafe import Markup, escape

    from portal.registry.warning_rows import _text

    for value in ('Siti & <Aminah> "O\'Neil"', "", 35, True, None, Markup("<b>x</b>"), 1.5):
        assert _text(value) == str(escape(value))
