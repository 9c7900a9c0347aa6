"""The period form's fields written by portal/form_html.py are form_field()'s, byte
for byte: every field, menus at each of their values and at none, text with characters
to escape, dates, amounts, the boxes ticked or not, with and without errors, filled from
a stored period and posted back, in both languages."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

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
