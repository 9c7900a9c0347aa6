"""The staff activity page's filled-in form written by a plain function
(portal/monitoring/activity_form_html.py) is what the template wrote with WTForms."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask import render_template_string

from portal.forms import choices
from portal.monitoring.activity_form_html import activity_fields_html, links_html
from portal.monitoring.forms import ActivityForm
from portal.monitoring.models import ACTIVITY_STATUSES, FIELDS, FUNDS, METHODS

# What the page included before (its GET form: ActivityForm(formdata=None, obj=activity)
# with the goal and part-of choices of manage._activity_form).
OLD = '{% include "monitoring/manage/_activity_fields.html" %}'

GOALS = [SimpleNamespace(id=1, title_id="Tujuan & <satu>"), SimpleNamespace(id=7, title_id="")]
OTHERS = [
    SimpleNamespace(id=2, year=2026, title_id='Kegiatan "dua"'),
    SimpleNamespace(id=9, year=2027, title_id="Sembilan's"),
]


def _activity(index: int) -> SimpleNamespace:
    def pick(values):
        return values[index % len(values)]

    return SimpleNamespace(
        title_id=pick(["Paket pangan", 'A & <b> "q"', ""]),
        title_en=pick([None, "Food & 'packages'", "x"]),
        description_id=pick([None, "Baris satu\nbaris <dua>", ""]),
        description_en=pick(["\nstarts with a line", None]),
        year=pick([2026, None, 2000]),
        field=pick([*FIELDS, None, "<unknown>"]),
        goal_id=pick([None, 1, 7, 5]),
        parent_id=pick([9, None, 2]),
        place=pick(["Balai Desa", None, "RT 01/RW 02 <&>"]),
        volume=pick([None, "12 kali"]),
        beneficiaries=pick(["Rumah tangga", None]),
        starts_on=pick([date(2026, 1, 1), None]),
        ends_on=pick([None, date(2026, 12, 31), date(1999, 2, 3)]),
        budget_planned=pick([180000000, None, 0]),
        budget_spent=pick([None, 140000000, 5]),
        funds=pick([*FUNDS, None]),
        method=pick([*METHODS, None]),
        status=pick([*ACTIVITY_STATUSES, None]),
        progress=pick([0, None, 55, 100]),
        weight=pick([1, None, 1000]),
    )


def _old(activity) -> str:
    form = ActivityForm(formdata=None, obj=activity, meta={"csrf": False})
    form.goal_id.choices = choices({0: "—", **{g.id: g.title_id for g in GOALS}})
    form.parent_id.choices = choices({0: "—", **{a.id: f"{a.year} · {a.title_id}" for a in OTHERS}})
    return render_template_string(OLD, form=form, blank_activity_form=None)


def test_activity_form_is_what_wtforms_wrote(app):
    compared = 0
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/?lang={lang}"):
            for index in range(12):
                activity = _activity(index)
                ours = activity_fields_html(activity, GOALS, OTHERS)
                assert str(ours) == _old(activity), (lang, index)
                assert ("Activity (Indonesian)" in ours) is (lang == "en")
                compared += 1
    assert compared == 2 * 12


def test_blank_goal_and_part_of_menus_are_what_wtforms_wrote(app):
    """The plan page's blank activity form: its goal and part-of menus (links_html) as
    the template wrote a blank ActivityForm's, in both languages, with and without
    goals and activities."""
    from portal.forms import form_field

    compared = 0
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/?lang={lang}"):
            for goals, others in ((GOALS, OTHERS), ([], []), (GOALS[:1], OTHERS[1:])):
                form = ActivityForm(formdata=None, meta={"csrf": False})
                form.goal_id.choices = choices({0: "—", **{g.id: g.title_id for g in goals}})
                form.parent_id.choices = choices(
                    {0: "—", **{a.id: f"{a.year} · {a.title_id}" for a in others}}
                )
                old = str(form_field(form.goal_id)) + str(form_field(form.parent_id))
                assert links_html(goals, others) == old, (lang, len(goals), len(others))
                assert ("Goal of the plan" in old) is (lang == "en")
                compared += 1
    assert compared == 2 * 3


def test_indicator_page_keeps_blank_forms_and_shows_a_refused_one(app, make_user):
    """The staff indicator page's blank target and value forms are kept fragments on a
    GET: the same page again, a refused target shows its error and typed value, and the
    next GET is blank again."""
    from portal.monitoring import services
    from tests.test_query_counts import _client

    operator = make_user("operator")
    item = services.save_indicator(dict(code="9.9", name_id="Air bersih"), actor=operator)
    client = _client(app, operator)
    path = f"/staf/pemantauan/indikator/{item.id}?lang=en"
    first = client.get(path).get_data(as_text=True)
    assert client.get(path).get_data(as_text=True) == first
    assert 'id="target-year"' in first and 'id="value-note"' in first
    refused = client.post(path.replace("?", "/target?"), data={"target-year": "1800"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'value="1800"' in text and 'aria-invalid="true"' in text
    assert client.get(path).get_data(as_text=True) == first


def test_plan_page_keeps_blank_forms_and_shows_a_refused_one(app, make_user):
    """The staff plan page's blank goal and activity forms (kept fragments and the menus
    of links_html) on a GET: the same page again, a refused goal or activity shows its
    error, and the next GET is the blank page again."""
    from portal.monitoring import services
    from tests.test_query_counts import _client

    operator = make_user("operator")
    plan = services.save_plan(title_id="RPJMDes", first_year=2026, actor=operator)
    services.add_goal(plan.id, title_id="Tujuan <satu>", title_en=None, actor=operator)
    client = _client(app, operator)
    path = f"/staf/pemantauan/rencana/{plan.id}?lang=en"
    first = client.get(path).get_data(as_text=True)
    assert client.get(path).get_data(as_text=True) == first
    assert 'id="goal-title_id"' in first and "Tujuan &lt;satu&gt;</option>" in first
    refused = client.post(path.replace("?", "/tujuan?"), data={"goal-title_en": "x"})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    refused = client.post(path.replace("?", "/kegiatan?"), data={"title_en": "y"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "<details open>" in text and 'value="y"' in text
    assert client.get(path).get_data(as_text=True) == first
