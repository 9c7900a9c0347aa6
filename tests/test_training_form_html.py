"""Course form fields written by portal/training/form_html.py are form_field()'s, byte for
byte: every field, menus at each of their values and at none, text with characters to
escape, the box ticked or not, with and without errors, in both languages."""

from __future__ import annotations

from types import SimpleNamespace

from werkzeug.datastructures import MultiDict

from portal.forms import form_field
from portal.training.form_html import fields_html
from portal.training.forms import CourseForm

TEXTS = ["", 'Siti & <Aminah> "x"', "Line one\nline two"]


def _filled(index: int) -> CourseForm:
    form = CourseForm(meta={"csrf": False})
    form.trainer_id.choices = [("", "No account"), ("7", "Pelatih <B>"), ("8", "Ani")]
    form.sponsor_company_id.choices = [("", "No sponsor"), ("3", 'PT "Maju" & Co')]
    form.priority_programme_id.choices = [("", "-"), ("1", "Paket Pangan")]
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
        elif f.type != "CSRFTokenField":
            f.data = TEXTS[index % len(TEXTS)] or None
    return form


def _theirs(form) -> str:
    return "".join(f"  {form_field(f)}\n" for f in form if f.name != "csrf_token")


def test_course_form_fields_are_what_form_field_writes(app):
    compared = 0
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for index in range(10):
                for errors in ([], ["Wajib <diisi> & benar"]):
                    form = _filled(index)
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
