"""The edit forms of a person and a household written without the WTForms form on a GET
(portal/registry/kept_forms.py) make the same page, byte for byte, as the form does."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask import render_template

from portal.registry.forms import HouseholdForm, PersonForm
from portal.registry.kept_forms import kept_form, remember
from portal.registry.models import BPS_CRITERIA

ODD = "Siti & <Aminah> \"'"


def _person(**fields):
    values = {
        "id": 5,
        "household_id": 3,
        "nik_warning": False,
        "name": "Budi",
        "nik": "3201010101900001",
        "sex": "male",
        "birth_place": "Duri",
        "birth_date": date(1990, 1, 1),
        "mother_name": "Ani",
        "relation": "head",
        "marital_status": "married",
        "disability": None,
        "occupation": "Petani",
        "education": "SD",
        "status": "alive",
        "status_date": None,
    }
    values.update(fields)
    return SimpleNamespace(**values)


PEOPLE = [
    _person(),
    _person(
        name=ODD,
        nik=None,
        sex="female",
        birth_place=ODD,
        birth_date=None,
        mother_name=None,
        relation="child",
        marital_status=None,
        disability=ODD,
        occupation=None,
        education="",
        status="dead",
        status_date=date(2025, 12, 31),
        nik_warning=True,
    ),
    _person(household_id=None, marital_status="widowed", status="moved", relation="other"),
]


def _household(**fields):
    values = {
        "id": 7,
        "kk_number": "3201010101900009",
        "address": "Jl. Mawar 1",
        "rt": 7,
        "rw": 4,
        "dusun": "Duri",
        "national_id": None,
        "desil": 3,
        "notes": None,
        **{f"bps_{key}": None for key in BPS_CRITERIA},
    }
    values.update(fields)
    return SimpleNamespace(**values)


_KEYS = list(BPS_CRITERIA)
HOUSEHOLDS = [
    _household(),
    _household(
        kk_number=None,
        address=ODD,
        rw=None,
        dusun=None,
        national_id=ODD,
        desil=None,
        notes=ODD + "\nline two",
        **{f"bps_{key}": i % 3 == 0 for i, key in enumerate(_KEYS)},
    ),
    _household(**{f"bps_{key}": True for key in _KEYS}, rt=999, desil=10),
]


def _pages(cls, obj, template: str, **context):
    """The page with the WTForms form, then with kept_form's (None if it gave none)."""
    form = cls(obj=obj)
    remember(form)
    theirs = render_template(template, form=form, **context)
    kept = kept_form(cls, obj)
    ours = None if kept is None else render_template(template, form=kept, **context)
    return theirs, ours


@pytest.mark.parametrize("csrf", [True, False])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_person_edit_form_is_the_same_page(app, lang, csrf):
    app.config["WTF_CSRF_ENABLED"] = csrf
    with app.test_request_context(
        "/staf/registrasi/warga/5/ubah", headers={"Accept-Language": lang}
    ):
        pages = []
        for person in PEOPLE:
            theirs, ours = _pages(
                PersonForm,
                person,
                "registry/person_form.html",
                person=person,
                household_id=person.household_id,
            )
            assert ours == theirs
            pages.append(ours)
        assert "Siti &amp; &lt;Aminah&gt;" in pages[1]
        assert ('name="csrf_token"' in pages[0]) is csrf


@pytest.mark.parametrize("csrf", [True, False])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_household_edit_form_is_the_same_page(app, lang, csrf):
    app.config["WTF_CSRF_ENABLED"] = csrf
    with app.test_request_context(
        "/staf/registrasi/rumah-tangga/7/ubah", headers={"Accept-Language": lang}
    ):
        pages = []
        for household in HOUSEHOLDS:
            theirs, ours = _pages(
                HouseholdForm, household, "registry/household_form.html", household=household
            )
            assert ours == theirs
            pages.append(ours)
        assert "line two</textarea>" in pages[1] and 'value="999"' in pages[2]


def test_the_form_is_built_when_markup_is_not_kept_or_a_value_does_not_fit(app):
    with app.test_request_context("/staf/registrasi/warga/5/ubah"):
        for person in PEOPLE:
            form = PersonForm(obj=person)
            remember(form)
            form.fields_html()  # its markup kept
        form = HouseholdForm(obj=HOUSEHOLDS[0])
        remember(form)
        form.other_html(HOUSEHOLDS[0]), form.criteria_html()
        # A menu value no page has shown yet (its markup not kept), a number that is not.
        assert kept_form(PersonForm, _person(relation="nephew")) is None
        assert kept_form(HouseholdForm, _household(rt="7")) is None
        assert kept_form(PersonForm, PEOPLE[0]) is not None
        assert kept_form(HouseholdForm, HOUSEHOLDS[0]) is not None
