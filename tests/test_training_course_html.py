"""The course page's head written by a plain function (portal/training/course_html.py)
is what training/course.html's Jinja wrote, byte for byte, in both languages: a
translated course and one in Indonesian only, with a trainer by name or account or
none, a verified sponsor, one not verified and none; and the page's CSRF field is what
ActionForm().csrf_token() wrote."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.training.course_html import course_head

# training/course.html's head before it became a function (with "|" after it: a
# template's own last newline is dropped, a block's is not).
OLD = (
    '{% from "_macros/ui.html" import fallback_note %}{% set title = tr(course, "title") %}'
    + """<p class="crumbs"><a href="{{ url_for('training.courses') }}">{{ _("Training courses") }}</a></p>
<h1{% if title.fallback %} lang="id"{% endif %}>{{ title }}</h1>
{% set description = tr(course, 'description') %}
{{ fallback_note(description) }}
<div class="prose"{% if description.fallback %} lang="id"{% endif %}>{{ description|markdown }}</div>
<dl class="facts">
  <dt>{{ _("Category") }}</dt><dd>{{ training_categories[course.category] }}</dd>
  <dt>{{ _("Place") }}</dt><dd>{{ course.place }}</dd>
  {% if course.trainer_name or course.trainer %}<dt>{{ _("Trainer") }}</dt><dd>{{ course.trainer_name or course.trainer.name }}</dd>{% endif %}
  {% if course.sponsor %}<dt>{{ _("Sponsor") }}</dt><dd>{% if course.sponsor.is_verified %}<a href="{{ url_for('csr.company', company_id=course.sponsor.id) }}">{{ course.sponsor.name }}</a>{% else %}{{ course.sponsor.name }}{% endif %}</dd>{% endif %}
  <dt>{{ _("Who it is for") }}</dt><dd id="training-rule">{{ training_rule_text(course) }}</dd>
</dl>
|"""  # noqa: E501
)
NEW = "{{ course_head(course, url_for) }}|"


def _course(translated: bool, trainer: str, sponsor: str):
    return SimpleNamespace(
        id=1,
        title_id="Kursus <jahit> & 'bordir'",
        title_en="Sewing <course>" if translated else None,
        description_id="Belajar **menjahit** & <b>bordir</b>",
        description_en="Learn to sew" if translated else None,
        category="sewing",
        place="Balai & <Desa>",
        trainer_name="Bu Sri & co" if trainer == "name" else None,
        trainer=SimpleNamespace(name="Pak <Budi>") if trainer == "account" else None,
        sponsor=None
        if sponsor == "none"
        else SimpleNamespace(id=4, name="PT Maju & <Jaya>", is_verified=sponsor == "verified"),
        priority_rule="women",
    )


CASES = list(
    itertools.product((True, False), ("name", "account", "none"), ("verified", "not", "none"))
)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("translated", "trainer", "sponsor"), CASES)
def test_course_head_writes_what_the_template_wrote(app, lang, translated, trainer, sponsor):
    course = _course(translated, trainer, sponsor)
    with app.test_request_context("/pelatihan/kursus/1", headers={"Accept-Language": lang}):
        app.preprocess_request()
        old = render_template_string(OLD, course=course)
        new = render_template_string(NEW, course=course, course_head=course_head)
    assert new == old
    assert "Balai &amp; &lt;Desa&gt;" in new


def test_the_csrf_field_is_the_action_forms(app):
    from portal.training.forms import ActionForm
    from portal.training.views import _csrf_field

    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context("/pelatihan/kursus/1"):
        assert str(_csrf_field()) == str(ActionForm().csrf_token())
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/pelatihan/kursus/1"):
        assert str(_csrf_field()) == "" and not hasattr(ActionForm(), "csrf_token")
