"""A survey's questions written as a form by a plain function
(portal/participation/survey_html.py) are what the macro survey_form
(_macros/participation.html) wrote, byte for byte, in both languages: every kind of
question, required or not, translated or not, with typed values, errors and hidden
fields, and none."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.participation.models import SurveyQuestion
from portal.participation.survey_html import survey_form_html

# The macro before it became a function, called as survey.html and code_survey.html
# called it (with "|" after it: a template's own last newline is dropped).
OLD = (
    """{% macro survey_form(survey, action, errors, raw, hidden={}) %}
  <form method="post" action="{{ action }}" novalidate class="editor">
    <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
    {% for name, value in hidden.items() %}<input type="hidden" name="{{ name }}" value="{{ value }}">
    {% endfor %}
    {% for q in survey.questions %}
    {% set qt = tr(q, 'text') %}
    {% set given = raw.get(q.id, []) %}
    {% set err = errors.get(q.id) %}
    <div class="field{% if err %} has-error{% endif %}">
    {% if q.kind in ('single', 'multiple') %}
      <fieldset{% if err %} aria-describedby="q{{ q.id }}-error"{% endif %}>
        <legend{% if qt.fallback %} lang="id"{% endif %}>{{ loop.index }}. {{ qt }}{% if not q.required %} <span class="meta">({{ _("optional") }})</span>{% endif %}</legend>
        {% for c in q.choice_list(current_lang()) %}
        <label class="pt-option"><input type="{{ 'radio' if q.kind == 'single' else 'checkbox' }}" name="q{{ q.id }}" value="{{ loop.index0 }}"{% if loop.index0|string in given %} checked{% endif %}> {{ c }}</label>
        {% endfor %}
      </fieldset>
    {% else %}
      <label for="q{{ q.id }}"{% if qt.fallback %} lang="id"{% endif %}>{{ loop.index }}. {{ qt }}{% if not q.required %} <span class="meta">({{ _("optional") }})</span>{% endif %}</label>
      <input id="q{{ q.id }}" name="q{{ q.id }}" {% if q.kind == 'number' %}type="text" inputmode="numeric"{% else %}type="text" maxlength="500"{% endif %} value="{{ given[0] if given else '' }}"{% if err %} aria-invalid="true" aria-describedby="q{{ q.id }}-error"{% endif %}>
    {% endif %}
    {% if err %}<p class="error" id="q{{ q.id }}-error">{{ err }}</p>{% endif %}
    </div>
    {% endfor %}
    <button type="submit">{{ _("Send my answers") }}</button>
  </form>
{% endmacro %}"""  # noqa: E501
    "\n  {{ survey_form(survey, action, errors, raw, hidden) }}\n|"
)
NEW = "  {{ survey_form_html(survey, action, errors, raw, hidden) }}\n|"


def _questions():
    def question(id_, kind, text_en, required, choices_en=None):
        return SurveyQuestion(
            id=id_,
            kind=kind,
            text_id=f"Pertanyaan <{id_}> & 'apa'",
            text_en=text_en,
            choices_id="Ya & <benar>\nTidak\n\n  Ragu  ",
            choices_en=choices_en,
            required=required,
        )

    return [
        question(11, "single", "Question one", True, "Yes\nNo\nUnsure"),
        question(12, "multiple", None, False, "Only one"),  # counts differ: Indonesian
        question(13, "number", "How many?", True),
        question(14, "text", None, False),
    ]


ERRORS = {11: "Pilih <satu> jawaban.", 13: "Isi angka & benar"}
RAW = {11: ["1"], 12: ["0", "2"], 13: ["1<2"], 14: ['Jalan "rusak" & <gelap>']}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("filled", [True, False])
def test_survey_form_html_writes_what_the_macro_wrote(app, lang, filled):
    app.config["WTF_CSRF_ENABLED"] = True
    values = {
        "survey": SimpleNamespace(questions=_questions()),
        "action": "/partisipasi/survei/1/jawab?a=1&b=2",
        "errors": ERRORS if filled else {},
        "raw": RAW if filled else {},
        "hidden": {"code": "AB<C>&1"} if filled else {},
    }
    with app.test_request_context("/partisipasi/survei/1", headers={"Accept-Language": lang}):
        app.preprocess_request()
        old = render_template_string(OLD, **values)
        new = render_template_string(NEW, **values, survey_form_html=survey_form_html)
    assert new == old
    if filled:
        assert "Jalan &#34;rusak&#34; &amp; &lt;gelap&gt;" in new and " checked" in new
