"""The training reports' rows (portal/training/report_rows.py) write what the template's
loops wrote, in both languages."""

from __future__ import annotations

import pytest
from flask import render_template, render_template_string

from portal.registry.models import NEED_LEVELS
from portal.training import report_page, report_rows

# The template's loops and their `tail` macro before the rows became functions.
TAIL = """{% macro tail(r) %}<td class="num">{{ r.enrolled }}</td><td class="num">"""
TAIL += """{{ r.waitlisted }}</td><td class="num">{{ r.attendance_rate if r.attendance_rate"""
TAIL += """ is not none else "-" }}</td><td class="num">{{ r.completion_rate if """
TAIL += """r.completion_rate is not none else "-" }}</td>{% endmacro %}"""
OLD_COURSES = TAIL + """{% for r in per_course %}<tr><td>{{ r.title }}</td><td class="num">"""
OLD_COURSES += """{{ r.seats }}</td>{{ tail(r) }}</tr>{% endfor %}"""
OLD_AREAS = TAIL + """{% for r in per_area %}<tr><td>{% if r.key[1] is not none %}"""
OLD_AREAS += """{{ "%03d/%03d"|format(r.key[1], r.key[0] or 0) }}{% else %}"""
OLD_AREAS += """{{ _("Not in the registry") }}{% endif %}</td>{{ tail(r) }}</tr>{% endfor %}"""
OLD_LEVELS = TAIL + """{% for r in per_level %}<tr><td>{{ need_levels[r.key[0]] if r.key[0]"""
OLD_LEVELS += """ else _("Not in the registry") }}</td>{{ tail(r) }}</tr>{% endfor %}"""
OLD_FEEDBACK = """{% for row in rows %}<tr><td>{{ row[-1] or "-" }}</td><td class="num">"""
OLD_FEEDBACK += """{{ row[0] }}</td><td class="num">{{ "%.1f"|format(row[1] or 0) }}</td>"""
OLD_FEEDBACK += """<td class="num">{{ row[2] or 0 }}</td><td class="num">{{ row[3] or 0 }}"""
OLD_FEEDBACK += """</td></tr>{% endfor %}"""


def _counts(e, w, a, c):
    return {
        "enrolled": e,
        "waitlisted": w,
        "attended": a,
        "completed": c,
        "attendance_rate": round(a * 100 / e) if e else None,
        "completion_rate": round(c * 100 / e) if e else None,
    }


COURSES = [
    {"id": 1, "title": 'Kursus <b> & "x"', "seats": 30, **_counts(3, 1, 2, 1)},
    {"id": 2, "title": "Menjahit", "seats": 0, **_counts(0, 0, 0, 0)},
]
AREAS = [
    {"key": (2, 5), **_counts(4, 0, 4, 3)},
    {"key": (None, 11), **_counts(1, 2, 0, 0)},
    {"key": (None, None), **_counts(7, 0, 3, 0)},
]
LEVELS = [{"key": (level,), **_counts(2, 1, 1, 1)} for level in NEED_LEVELS] + [
    {"key": (None,), **_counts(5, 0, 0, 0)}
]
FEEDBACK = [(3, 4.333, 1, 2, 9, "Kursus <i>"), (1, None, None, 0, None), (2, 5.0, 0, None, "")]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_rows_write_what_the_template_wrote(app, lang):
    with app.test_request_context("/staf/pelatihan/laporan", headers={"Accept-Language": lang}):
        not_in = render_template_string('{{ _("Not in the registry") }}')
        pairs = [
            (OLD_COURSES, {"per_course": COURSES}, report_rows.course_rows(COURSES)),
            (OLD_AREAS, {"per_area": AREAS}, report_rows.area_rows(AREAS, not_in)),
            (
                OLD_LEVELS,
                {"per_level": LEVELS, "need_levels": NEED_LEVELS},
                report_rows.level_rows(LEVELS, NEED_LEVELS, not_in),
            ),
            (OLD_FEEDBACK, {"rows": FEEDBACK}, report_rows.feedback_rows(FEEDBACK)),
        ]
        for old, values, ours in pairs:
            assert str(ours) == render_template_string(old, **values)
            assert str(ours)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_tables_write_what_the_template_wrote(app, lang):
    """report_page.tables_html: the kept headings with each table's rows, byte for byte
    what the tables' template (the page's markup, moved there unchanged) writes with
    them (twice: the second from the kept pieces), empty tables too."""
    page = {
        "per_course": COURSES,
        "per_area": AREAS,
        "per_level": LEVELS,
        "feedback": {"courses": FEEDBACK, "sponsors": FEEDBACK[1:]},
    }
    empty = {
        "per_course": [],
        "per_area": [],
        "per_level": [],
        "feedback": {"courses": [], "sponsors": []},
    }
    with app.test_request_context("/staf/pelatihan/laporan", headers={"Accept-Language": lang}):
        for shown in (page, page, empty):
            theirs = render_template(
                "training/manage/_report_tables.html",
                **shown,
                need_levels=NEED_LEVELS,
                report_rows=report_rows,
            )
            assert str(report_page.tables_html(shown)) == theirs
            assert "<caption>" in theirs
