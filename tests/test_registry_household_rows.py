"""portal/registry/services/household_rows.py: the household page (and the staff page of
a change request) read a household and its members as plain rows; they answer what the
ORM records answered, attribute for attribute, with the models' own properties."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models_base import village_today
from portal.registry import scoring, services
from portal.registry.models import Household
from portal.registry.services.household_rows import HOUSEHOLD_COLUMNS, PERSON_COLUMNS
from tests import factories
from tests.registry_helpers import household, person


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context("/?lang=en"):
        yield


def _same(plain, record, today) -> None:
    for name in HOUSEHOLD_COLUMNS:
        assert getattr(plain, name) == getattr(record, name), name
    assert plain.criteria == record.criteria
    assert plain.aid_type_list == record.aid_type_list
    assert plain.rt_rw == record.rt_rw
    assert (plain.head and plain.head.id) == (record.head and record.head.id)
    assert [p.id for p in plain.members] == [p.id for p in record.members]
    for mine, theirs in zip(plain.members, record.members, strict=True):
        for name in PERSON_COLUMNS:
            assert getattr(mine, name) == getattr(theirs, name), name
        assert mine.age_on(today) == theirs.age_on(today)
        assert mine.is_alive_resident == theirs.is_alive_resident
    assert scoring.assess_household(plain, today) == scoring.assess_household(record, today)


def test_plain_households_answer_as_the_records_on_a_demo_village():
    from portal.devdata.registry import generate

    factories.programme()
    generate(120, seed=3)
    db.session.commit()
    today = village_today()
    # A household without members, one with a merged record, one without RW.
    empty = household(rt=9)
    home = household(rt=4, rw=None)
    person(home, "Budi Santoso")
    twin = person(home, "Budi Santosa", relation="child")
    db.session.commit()
    twin.merged_into_id = home.members[0].id
    db.session.commit()
    db.session.expire_all()
    homes = list(db.session.scalars(select(Household).order_by(Household.id)))
    assert empty in homes and home in homes
    for record in homes:
        _same(services.plain_household(record.id), record, today)
    assert services.plain_household(empty.id).members == []
    assert services.plain_household(10**6) is None


def test_household_fields_answer_the_edit_form_as_the_record(app):
    """The edit form's GET reads the household's own columns (household_fields): the form
    gets from them what it got from the record, field for field (WTForms takes a field's
    value from the object when it has the attribute, else the field's default, as for
    `kk_reason`), and the same page, whether written by WTForms or from kept markup."""
    from flask import render_template

    from portal.registry.forms import HouseholdForm
    from portal.registry.kept_forms import kept_form, remember
    from portal.registry.services.household_rows import FORM_COLUMNS

    factories.programme()
    full = household(rt=4, rw=None, dusun="Dusun <II>", desil=3, notes='Rumah & "kebun"')
    full.national_id = "DTKS-9"
    for n, name in enumerate(c for c in FORM_COLUMNS if c.startswith("bps_")):
        setattr(full, name, None if n % 3 == 0 else n % 2 == 0)
    bare = household(rt=9, kk_number=None)
    db.session.commit()
    db.session.expire_all()
    for home in (full, bare):
        record = db.session.get(Household, home.id)
        plain = services.household_fields(home.id)
        for name in FORM_COLUMNS:
            assert getattr(plain, name) == getattr(record, name), name
        assert not hasattr(plain, "kk_reason") and not hasattr(plain, "members")
        pages = []
        for obj in (record, plain):
            form = HouseholdForm(obj=obj)
            remember(form)
            assert form.data == HouseholdForm(obj=record).data
            built = render_template("registry/household_form.html", form=form, household=obj)
            kept = kept_form(HouseholdForm, obj)
            assert kept is not None
            written = render_template("registry/household_form.html", form=kept, household=obj)
            assert written == built
            pages.append(built)
        assert pages[0] == pages[1]
    assert services.household_fields(10**6) is None
