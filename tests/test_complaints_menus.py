"""The staff complaint page's menus written by plain functions
(portal/complaints/menus.py) are what the template wrote with WTForms."""

from __future__ import annotations

from flask import render_template_string

from portal.complaints import menus
from portal.complaints.forms import AssignForm, TriageForm
from portal.complaints.models import CATEGORIES, PRIORITIES
from portal.forms import choices

# The page's lines before (templates/complaints/manage/detail.html).
OLD_TRIAGE = (
    '{% from "_macros/ui.html" import field %}'
    "{{ field(triage_form.category) }}|{{ field(triage_form.priority) }}"
)
OLD_ASSIGN = '{% from "_macros/ui.html" import field %}{{ field(assign_form.assignee) }}'
STAFF = [("1", "Galuh & <Mardhiyah>"), ("2", 'Ir. "Satya"'), ("13", "")]


def test_menus_are_what_wtforms_wrote(app):
    compared = 0
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/?lang={lang}"):
            for category in [*CATEGORIES, None, "<gone>"]:
                for priority in [*PRIORITIES, None]:
                    form = TriageForm(category=category, priority=priority)
                    old = render_template_string(OLD_TRIAGE, triage_form=form)
                    ours = "|".join(menus.triage_menus(category, priority))
                    assert ours == old, (lang, category, priority)
                    assert ("Priority</label>" in ours) is (lang == "en")
                    compared += 1
            for staff in (STAFF, STAFF[:1]):
                for assigned in (None, "1", "13", "99"):
                    form = AssignForm()
                    form.assignee.choices = choices(dict(staff))
                    if assigned:
                        form.assignee.data = assigned
                    old = render_template_string(OLD_ASSIGN, assign_form=form)
                    assert menus.assignee_menu(staff, assigned) == old, (lang, staff, assigned)
                    compared += 1
    assert compared == 2 * ((len(CATEGORIES) + 2) * (len(PRIORITIES) + 1) + 2 * 4)
