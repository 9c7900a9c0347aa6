"""Form fields written by portal/form_html.py are form_field()'s, byte for byte: every
field of the forms that use it (the course and office sign-up forms, the public content
forms, the supplier, reference price, ballot and training session forms), menus at
each of their values and at none, text with characters to escape, dates and times, the
box ticked or not, with and without errors, in both languages."""

from __future__ import annotations

from datetime import date, datetime, time
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from portal.form_html import BlankForm, fields_html
from portal.forms import form_field
from portal.kept_fields import kept_fields_html, note_fields
from portal.participation.forms import BallotForm
from portal.procurement.forms import ReferencePriceForm, SupplierForm, pairs
from portal.public.forms import AnnouncementForm, MeetingForm, PartnerForm, ProgrammeForm
from portal.training.forms import CourseForm, OfficeSignUpForm, SessionForm

TEXTS = ["", 'Siti & <Aminah> "x"', "Line one\nline two"]


FORMS = [
    CourseForm,
    OfficeSignUpForm,
    AnnouncementForm,
    ProgrammeForm,
    MeetingForm,
    PartnerForm,
    SupplierForm,
    ReferencePriceForm,
    BallotForm,
    SessionForm,
]


def _filled(cls, index: int):
    form = cls(meta={"csrf": False})
    if cls is CourseForm:
        form.trainer_id.choices = [("", "No account"), ("7", "Pelatih <B>"), ("8", "Ani")]
        form.sponsor_company_id.choices = [("", "No sponsor"), ("3", 'PT "Maju" & Co')]
        form.priority_programme_id.choices = [("", "-"), ("1", "Paket Pangan")]
    if cls is SupplierForm:  # as the supplier form's view sets them
        form.training_place_id.choices = pairs([(0, "Tidak ada"), (5, 'Ani: "Jahit" & <b>')])
    for f in form:
        if f.type in ("SelectField", "SelectMultipleField"):
            values = [c[0] if isinstance(c, tuple) else c.value for c in f.choices]
            values += [None, "<x>"]
            value = values[index % len(values)]
            f.data = [value] if f.type == "SelectMultipleField" and value else value
        elif f.type == "BooleanField":
            f.data = bool(index % 2)
        elif f.type == "IntegerField":
            f.data = None if index % 2 else index
        elif f.type in ("DateField", "DayField"):
            f.data = None if index % 3 else date(2026, 1, index + 1)
        elif f.type == "TimeField":
            f.data = None if index % 3 else time(9, index)
        elif f.type == "DateTimeLocalField":
            f.data = None if index % 3 else datetime(2026, 1, index + 1, 9, 30)
        elif f.type != "CSRFTokenField":
            f.data = TEXTS[index % len(TEXTS)] or None
    return form


def _theirs(form) -> str:
    return "".join(f"  {form_field(f)}\n" for f in form if f.name != "csrf_token")


@pytest.mark.parametrize("cls", FORMS, ids=lambda cls: cls.__name__)
def test_form_fields_are_what_form_field_writes(app, cls):
    compared = 0
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for index in range(10):
                for errors in ([], ["Wajib <diisi> & benar"]):
                    form = _filled(cls, index)
                    for f in form:
                        f.errors = list(errors)
                    # Twice: the second time from the shapes kept by the first.
                    assert str(fields_html(form)) == _theirs(form), (lang, index, errors)
                    assert str(fields_html(form)) == _theirs(form), (lang, index, errors)
                    compared += 1
    assert compared == 2 * 10 * 2


def test_course_form_posted_back_is_what_form_field_writes(app):
    """A form posted back (raw values shown, the box's posted value) and one filled from
    a stored course."""
    data = MultiDict(
        {
            "title_id": "Judul <b>",
            "place": "Balai & desa",
            "pledge_id": "12x",
            "published": "on",
            "category": "food",
            "priority_levels": ["miskin", "rentan"],
        }
    )
    course = SimpleNamespace(
        title_id="Kursus", title_en=None, description_id="A\n<b>", description_en="",
        category="sewing", place="Balai", trainer_id=None, trainer_name="Bu Ani",
        sponsor_company_id=None, pledge_id=5, priority_rule="women", priority_levels=None,
        priority_programme_id=None, published=True,
    )  # fmt: skip
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for form in (
                CourseForm(formdata=data, meta={"csrf": False}),
                CourseForm(obj=course, meta={"csrf": False}),
            ):
                for name in ("trainer_id", "sponsor_company_id", "priority_programme_id"):
                    form[name].choices = [("", "-"), ("1", "Satu")]
                assert str(fields_html(form)) == _theirs(form), lang


@pytest.mark.parametrize(
    "cls", [AnnouncementForm, ProgrammeForm, MeetingForm, PartnerForm, BallotForm]
)
def test_blank_form_reads_as_the_built_one(app, cls):
    """BlankForm: what the new-item page reads of its form (errors, the CSRF field, the
    fields it keeps), the same as from the WTForms form, in both languages."""
    for csrf in (True, False):
        app.config["WTF_CSRF_ENABLED"] = csrf
        for lang in ("id", "en"):
            with app.test_request_context(f"/?lang={lang}"):
                built, blank = cls(), BlankForm(cls)
                # A template writes an undefined token (no CSRF field) as nothing.
                assert str(blank.csrf_token) == str(getattr(built, "csrf_token", ""))
                assert ("csrf_token" in str(blank.csrf_token)) is csrf
                assert blank.errors == built.errors == {}
                assert _theirs(list(blank)) == _theirs(built)
                assert str(fields_html(blank.built())) == _theirs(built)


@pytest.mark.parametrize(
    "cls", [AnnouncementForm, ProgrammeForm, MeetingForm, PartnerForm, SupplierForm]
)
def test_kept_fields_write_what_the_built_form_writes(app, cls):
    """kept_fields_html: an edit form's fields written from an item without building the
    form, byte for byte what fields_html writes of the form built from it (values to
    escape, none, dates, boxes ticked or not, menus at each value and at a stranger), with
    a value set after processing (the meeting's time in village time), and a new item's
    blank form."""
    compared = 0
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for index in range(10):
                filled = _filled(cls, index)
                item = SimpleNamespace(**{f.name: f.data for f in filled})
                overrides, menus = {}, {}
                if cls is MeetingForm and index % 4 == 1:
                    overrides["starts_at"] = datetime(2026, 2, 3, 4, 5)
                built = cls(obj=item, meta={"csrf": False})
                note_fields(built)
                if cls is SupplierForm:  # as the supplier form's view sets them
                    menu = pairs([(0, "Tidak ada"), (5, 'Ani: "Jahit" & <b>')])
                    built.training_place_id.choices = menus["training_place_id"] = menu
                    overrides = {"rt": str(item.rt or ""), "training_place_id": index % 6}
                for name, value in overrides.items():
                    built[name].data = value
                theirs = str(fields_html(built, "    "))  # keeps the markup around values
                ours = kept_fields_html(cls, item, overrides, "    ", menus)
                assert str(ours) == theirs, index
                compared += 1
            missing = SimpleNamespace()  # an attribute missing: the form is built
            assert kept_fields_html(cls, missing, {}, "    ") is None
            blank = cls(meta={"csrf": False})  # no item: each field at its default
            if cls is SupplierForm:
                blank.training_place_id.choices = menus["training_place_id"]
            theirs = str(fields_html(blank, "    "))
            assert str(kept_fields_html(cls, None, {}, "    ", menus)) == theirs
    assert compared == 20
