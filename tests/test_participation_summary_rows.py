"""A survey's choice counts (portal/participation/summary_rows.py) write what the staff
survey page's loop wrote."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.participation.services.needs_surveys import QuestionSummary
from portal.participation.summary_rows import choice_items

# The template's loop before the items became a function (participation/manage/survey.html).
OLD = """{% from "_macros/participation.html" import bar %}
    {% for label in s.question.choice_list('id') %}
    {% set n = s.counts[loop.index0] %}
    <li><span class="pt-label">{{ label }}</span> <span class="pt-count">{{ n }} · """
OLD += """{{ s.pct(n) }}%</span> {{ bar(s.pct(n)) }}</li>
    {% endfor %}
"""


def _question(choices):
    def choice_list(lang="id"):
        return choices

    return SimpleNamespace(kind="single", choice_list=choice_list)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_choice_items_write_what_the_loop_wrote(app, lang):
    cases = [
        QuestionSummary(_question(["Pangan", 'Air <bersih> & "x"', "Lain"]), 7, [3, 4, 0]),
        QuestionSummary(_question(["A", "B"]), 0, [0, 0]),
        QuestionSummary(_question([]), 0, []),
    ]
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        for s in cases:
            theirs = render_template_string(OLD, s=s)
            assert str(choice_items(s)) == theirs
            assert theirs or not s.counts
