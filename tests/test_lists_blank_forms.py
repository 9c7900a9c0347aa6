"""A GET of the meeting form and of a period's edit form builds no WTForms form: their
fields are kept per worker by what they are made from (the accounts' menus; the period's
values and the programmes). Each page must be the one the template writes from the
WTForms form, the first time (the fragments made) and after (kept), and must follow a
change of what it is made from."""

from __future__ import annotations

import pytest
from flask import render_template
from sqlalchemy import inspect

from portal.extensions import db
from portal.form_html import field_html
from portal.lists import manage, services
from portal.lists.forms import DecisionForm, PeriodForm
from portal.lists.models import ListPeriod
from tests.test_lists import _period, village  # noqa: F401  (fixture)


def _wtforms_meeting_page(period) -> str:
    """The page as the template wrote it from a form (the view before it kept fields)."""
    form = DecisionForm()
    manage._attendee_choices(form)
    return render_template("lists/manage/decision_form.html", period=period, form=form)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_blank_meeting_form_is_the_wtforms_form(village, make_user, app, lang, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production
    operator = make_user("operator")
    make_user("auditor", name="Bu Ketua BPD")
    make_user("admin", name="Pak Kades")
    period = _period(village["cash"], operator)
    url = f"/staf/daftar-penerima/{period.id}/musdesus"
    for _round in range(2):
        with app.test_request_context(url, headers={"Accept-Language": lang}):
            new = manage._blank_decision(period.id)
            assert new == _wtforms_meeting_page(period)
            assert "Pak Kades (admin)" in new and "Bu Ketua BPD" in new
            assert 'name="csrf_token"' in new and 'name="minutes"' in new
    # Another BPD member's account: the menus are not the kept ones.
    make_user("auditor", name="Pak Anggota Baru")
    with app.test_request_context(url, headers={"Accept-Language": lang}):
        new = manage._blank_decision(period.id)
        assert "Pak Anggota Baru" in new and new == _wtforms_meeting_page(period)


def _wtforms_edit_page(period) -> str:
    form = PeriodForm(obj=period)
    form.programme_id.choices = manage._programme_choices()
    form.rule_need_levels.data = period.need_levels
    return render_template(
        "lists/manage/period_form.html", form=form, period=period, field_html=field_html
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_period_edit_form_is_the_wtforms_form(village, make_user, app, lang, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    operator = make_user("operator")
    period = _period(village["cash"], operator, rule_max_desil=4, rule_composition="elderly")
    url = f"/staf/daftar-penerima/{period.id}/ubah"
    for _round in range(2):
        with app.test_request_context(url, headers={"Accept-Language": lang}):
            new = manage._edit_form(period.id)
            assert new == _wtforms_edit_page(period)
            assert "BLT Januari-Maret" in new and 'name="rule_max_desil"' in new
    # A saved change shows at once (the fields are kept by the values).
    data = {name: getattr(period, name) for name in services.PERIOD_FIELDS}
    services.save_period(
        period,
        {**data, "title_id": "BLT April-Juni", "rule_need_levels": "miskin", "rule_aid_fit": False},
        actor=operator,
    )
    with app.test_request_context(url, headers={"Accept-Language": lang}):
        new = manage._edit_form(period.id)
        assert "BLT April-Juni" in new and "BLT Januari-Maret" not in new
        assert new == _wtforms_edit_page(db.session.get(ListPeriod, period.id))


def test_period_values_are_the_periods_columns(village, make_user):  # noqa: F811
    period = _period(village["food"], make_user("operator"), rule_min_members=3)
    found = services.period_values(period.id)
    for column in inspect(ListPeriod).column_attrs:
        assert getattr(found.period, column.key) == getattr(period, column.key)
    assert found.period.need_levels == period.need_levels
    assert found.period.programme.aid_type == "food"
    assert services.period_values(period.id + 1000) is None
