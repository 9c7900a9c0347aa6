"""The registry forms' markup written in Python is form_field()'s, byte for byte."""

from portal.forms import form_field
from portal.registry.forms import HouseholdForm
from portal.registry.models import BPS_CRITERIA


def test_household_criteria_menus_are_what_form_field_writes(app):
    """HouseholdForm.criteria_html(): every criterion, every value a menu can hold
    (stored booleans included), in both languages, with and without errors."""
    compared = 0
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            form = HouseholdForm(meta={"csrf": False})
            for value in ("", "1", "0", "True", "False", None, "<x>"):
                for errors in ([], ["Wajib <diisi> & benar"]):
                    for key in BPS_CRITERIA:
                        field = getattr(form, f"bps_{key}")
                        field.data = value
                        field.errors = list(errors)
                    ours = form.criteria_html()
                    theirs = "".join(form_field(f) for f in form.criteria_fields())
                    assert ours == theirs, (lang, value, errors)
                    compared += 1
    assert compared == 2 * 7 * 2


def test_person_form_fields_are_what_form_field_writes(app):
    """PersonForm.fields_html(): every field, each menu at each of its values and at
    none, in both languages, with and without errors."""
    from portal.registry.forms import PersonForm

    compared = 0
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            form = PersonForm(meta={"csrf": False})
            menus = [f for f in form if f.type == "SelectField"]
            assert len(menus) == 4
            for index in range(12):
                for errors in ([], ["Wajib <diisi> & benar"]):
                    for f in form:
                        if f.type == "SelectField":
                            values = [c.value for c in f.choices] + [None, "<x>"]
                            f.data = values[index % len(values)]
                        f.errors = list(errors)
                    theirs = "".join(form_field(f) for f in form if f.name != "csrf_token")
                    assert form.fields_html() == theirs, (lang, index, errors)
                    compared += 1
    assert compared == 2 * 12 * 2


def test_household_other_fields_are_what_form_field_writes(app):
    """HouseholdForm.other_html(): the fields above the criteria (the KK reason, a menu
    with a hint, only on an existing household's form), in both languages, with and
    without errors, each reason chosen."""
    compared = 0
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            form = HouseholdForm(meta={"csrf": False})
            for value in [c.value for c in form.kk_reason.choices] + [None, "<x>"]:
                for errors in ([], ["Wajib <diisi> & benar"]):
                    for household in (None, object()):
                        for f in form.other_fields():
                            f.errors = list(errors)
                        form.kk_reason.data = value
                        shown = [
                            f for f in form.other_fields() if f.name != "kk_reason" or household
                        ]
                        theirs = "".join(form_field(f) for f in shown)
                        assert form.other_html(household) == theirs, (lang, value, errors)
                        compared += 1
    assert compared == 2 * 6 * 2 * 2


def test_kept_field_markup_writes_each_value_as_form_field_does(app):
    """fields_html() keeps each box's markup around its value and each menu's markup per
    value (per language and form class): filled-in forms, values that need escaping,
    dates, numbers, typed text a number box could not read, and a second form after the
    markup is kept, in both languages, are still form_field()'s markup byte for byte."""
    from datetime import date

    from werkzeug.datastructures import MultiDict

    from portal.registry.forms import MoveForm, PersonForm, fields_html

    texts = ["", "Siti <Aminah> & \"Budi\" 'x'", "3201014508900001", "a\r\nb", "\x00value\x00"]
    compared = 0
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for round_ in range(2):  # the first writes the kept markup, the second reads it
                for text in texts:
                    household = HouseholdForm(meta={"csrf": False})
                    for f in household.other_fields():
                        if f.type in ("StringField", "TextAreaField"):
                            f.data = text
                    household.rt.data, household.desil.data = 3, None
                    theirs = "".join(form_field(f) for f in household.other_fields())
                    assert household.other_html(object()) == theirs, (lang, text)
                    person = PersonForm(meta={"csrf": False})
                    for f in person:
                        if f.type == "StringField":
                            f.data = text
                    person.birth_date.data = date(1990, 5, 17)
                    theirs = "".join(form_field(f) for f in person if f.name != "csrf_token")
                    assert person.fields_html() == theirs, (lang, text)
                    compared += 2
                # Typed text a number or date box could not read is shown as typed.
                typed = HouseholdForm(
                    MultiDict({"rt": "3<", "desil": '"x"', "address": text}), meta={"csrf": False}
                )
                typed.validate()
                for f in typed.other_fields():
                    f.errors = []  # without errors: from the kept markup
                theirs = "".join(form_field(f) for f in typed.other_fields())
                assert typed.other_html(object()) == theirs, lang
                move = MoveForm(
                    MultiDict({"on": "2026-13-40", "target": text}), meta={"csrf": False}
                )
                move.validate()
                for f in move:
                    f.errors = []
                fields = [f for f in move if f.name != "csrf_token"]
                theirs = "".join(form_field(f) for f in fields)
                assert fields_html(fields, MoveForm) == theirs, (lang, round_)
                compared += 2
    assert compared == 2 * 2 * (2 * len(texts) + 2)


def test_enrolment_form_fields_are_what_form_field_writes(app):
    """EnrolmentForm.fields_html(): its menus are filled per household (never kept), its
    boxes kept; filled in, blank and with errors, in both languages, twice (the second
    time from the kept markup), with other menus on the second form."""
    from datetime import date

    from portal.forms import choices
    from portal.registry.forms import EnrolmentForm

    compared = 0
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for n in range(2):
                for errors in ([], ["Wajib <diisi> & benar"]):
                    form = EnrolmentForm(meta={"csrf": False})
                    form.programme.choices = choices({"": "Pilih", f"v{n}": f"Program <{n}>"})
                    form.person.choices = choices({"": "Semua", str(n): f"Siti & {n}"})
                    form.programme.data, form.person.data = f"v{n}", str(n)
                    form.period_start.data = date(2026, 1, 1 + n)
                    form.source.data = f'DTKS "{n}" <2026>'
                    for f in form:
                        f.errors = list(errors)
                    theirs = "".join(form_field(f) for f in form if f.name != "csrf_token")
                    assert form.fields_html() == theirs, (lang, n, errors)
                    assert f"Siti &amp; {n}" in theirs
                    compared += 1
    assert compared == 2 * 2 * 2
