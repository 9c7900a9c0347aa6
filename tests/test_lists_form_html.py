"""The period form's fields written by portal/form_html.py are form_field()'s, byte
for byte: every field, menus at each of their values and at none, text with characters
to escape, dates, amounts, the boxes ticked or not, with and without errors, filled from
a stored period and posted back, in both languages."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from portal.form_html import field_html
from portal.forms import form_field
from portal.lists.forms import ChangeForm, PeriodForm

TEXTS = ["", 'Siti & <Aminah> "x"', "Line one\nline two"]
PROGRAMMES = [
    SelectChoice(value=1, label="Paket <Pangan>"),
    SelectChoice(value=2, label='"BLT" & co'),
]


def _filled(cls, index: int):
    form = cls(meta={"csrf": False})
    if cls is PeriodForm:
        form.programme_id.choices = list(PROGRAMMES)
    for f in form:
        if f.type == "SelectField":
            values = [c[0] if isinstance(c, tuple) else c.value for c in f.choices]
            values += [None, "<x>"] if f.name != "programme_id" else [None]
            f.data = values[index % len(values)]
        elif f.type == "SelectMultipleField":
            f.data = [c.value for c in f.choices][: index % 3]
        elif f.type == "BooleanField":
            f.data = bool(index % 2)
        elif f.type in ("IntegerField", "AmountField", "NumberField"):
            f.data = None if index % 2 else index * 1000
        elif f.type in ("DateField", "DayField"):
            f.data = None if index % 3 else date(2026, 1, index + 1)
        elif f.type != "CSRFTokenField":
            f.data = TEXTS[index % len(TEXTS)] or None
    return form


def _compare(form) -> int:
    compared = 0
    for f in form:
        if f.name in ("csrf_token", "rule_need_levels"):  # written by the template itself
            continue
        # Twice: the second time from the shapes kept by the first.
        assert str(field_html(form, f)) == str(form_field(f)), f.name
        assert str(field_html(form, f)) == str(form_field(f)), f.name
        compared += 1
    return compared


def test_period_form_fields_are_what_form_field_writes(app):
    compared = 0
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for cls in (PeriodForm, ChangeForm):
                for index in range(8):
                    for errors in ([], ["Wajib <diisi> & benar"]):
                        form = _filled(cls, index)
                        for f in form:
                            f.errors = list(errors)
                        compared += _compare(form)
    assert compared == 2 * 8 * 2 * (15 + 2)


def test_period_form_from_a_period_and_posted_back_is_what_form_field_writes(app):
    stored = SimpleNamespace(
        programme_id=2,
        title_id='Periode <1> & "2"',
        title_en=None,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 30),
        budget=1500000,
        amount=None,
        benefit_id="Beras 10 kg\n& minyak",
        benefit_en="",
        rule_need_levels=None,
        rule_max_desil=4,
        rule_min_members=None,
        rule_composition="semua",
        rule_aid_fit=False,
        rule_not_covered=True,
        objection_days=7,
    )
    posted = MultiDict(
        {
            "programme_id": "9",
            "title_id": "Judul <b>",
            "starts_on": "2026-13-01",
            "budget": "Rp 1.500.000",
            "amount": "12x",
            "rule_max_desil": "<3>",
            "rule_aid_fit": "on",
            "objection_days": "",
        }
    )
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            form = PeriodForm(obj=stored, meta={"csrf": False})
            form.programme_id.choices = list(PROGRAMMES)
            assert _compare(form) == 15
            form = PeriodForm(formdata=posted, meta={"csrf": False})
            form.programme_id.choices = list(PROGRAMMES)
            assert _compare(form) == 15
            form.validate()
            assert form.errors
            assert _compare(form) == 15


def _language(lang: str) -> dict:
    # The reader's language as a browser asks for it (a request context's ?lang= is not
    # read before the page's own request).
    return {"Accept-Language": lang, "Cookie": f"lang={lang}"}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_checkbox_lists_are_what_wtforms_writes(app, lang):
    """checkbox_list (the need levels, the BPD accounts) writes `field(class_="plain")`:
    boxes ticked and not, labels lazy and typed (escaped), ids of ints, none at all."""
    from portal.lists.checkboxes import checkbox_list
    from portal.lists.forms import DecisionForm

    compared = 0
    # One language a test: the app context keeps the first one's catalogue.
    with app.test_request_context("/", headers=_language(lang)):
        for data in (None, [], ["miskin"], ["sangat_miskin", "rentan", "<x>"]):
            form = PeriodForm(meta={"csrf": False})
            form.rule_need_levels.data = data
            f = form.rule_need_levels
            assert str(checkbox_list(f, "plain")) == str(f(class_="plain"))
            compared += 1
        accounts = [(3, "Umar & <Rahimah>"), (12, 'Siti "BPD"'), (40, "O'Neil")]
        for shown, data in ((accounts, [12]), (accounts, None), (accounts[:1], [3]), ([], [])):
            form = DecisionForm(meta={"csrf": False})
            form.bpd_accounts.choices = shown
            form.bpd_accounts.data = data
            f = form.bpd_accounts
            assert str(checkbox_list(f, "plain")) == str(f(class_="plain"))
            compared += 1
        form = DecisionForm(meta={"csrf": False})
        form.bpd_accounts.choices = accounts
        form.bpd_accounts.render_kw = {"disabled": True}  # written by WTForms itself
        f = form.bpd_accounts
        assert str(checkbox_list(f, "plain")) == str(f(class_="plain"))
        assert "Umar &amp; &lt;Rahimah&gt;" in checkbox_list(f, "plain")
        levels = str(PeriodForm(meta={"csrf": False}).rule_need_levels.choices[3].label)
        assert levels == ("Not a priority (tidak prioritas)" if lang == "en" else "Tidak prioritas")
    assert compared == 8


# manage/period_form.html's macro before its fields became one function.
OLD_PERIOD_FIELDS = """{% macro period_fields() %}
  {{ field_html(form, form.title_id) }}
  {{ field_html(form, form.title_en) }}
  {{ field_html(form, form.starts_on) }}
  {{ field_html(form, form.ends_on) }}
  {{ field_html(form, form.budget) }}
  {{ field_html(form, form.amount) }}
  {{ field_html(form, form.benefit_id) }}
  {{ field_html(form, form.benefit_en) }}
  <fieldset>
    <legend>{{ _("The programme's rules for the draft list") }}</legend>
    <div class="field{% if form.rule_need_levels.errors %} has-error{% endif %}">
      <p>{{ form.rule_need_levels.label.text }}</p>
      {{ form.rule_need_levels(class="plain") }}
      {% if form.rule_need_levels.errors %}<p class="error">{{ form.rule_need_levels.errors|join(" ") }}</p>{% endif %}
    </div>
    {{ field_html(form, form.rule_max_desil) }}
    {{ field_html(form, form.rule_min_members) }}
    {{ field_html(form, form.rule_composition) }}
    {{ field_html(form, form.rule_aid_fit) }}
    {{ field_html(form, form.rule_not_covered) }}
  </fieldset>
  {{ field_html(form, form.objection_days) }}
{% endmacro %}[{{ period_fields() }}]"""  # noqa: E501


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_period_fields_are_what_the_templates_macro_wrote(app, lang):
    from flask import render_template_string

    from portal.lists.period_form_html import period_fields

    compared = 0
    # One language a test: the app context keeps the first one's catalogue.
    with app.test_request_context("/", headers=_language(lang)):
        for index in range(8):
            for errors in ([], ["Wajib <diisi> & benar", "Dua"]):
                form = _filled(PeriodForm, index)
                for f in form:
                    f.errors = list(errors)
                old = render_template_string(OLD_PERIOD_FIELDS, form=form, field_html=field_html)
                assert f"[{period_fields(form)}]" == old
                compared += 1
        assert ("draft list" in old) is (lang == "en")
    assert compared == 16
