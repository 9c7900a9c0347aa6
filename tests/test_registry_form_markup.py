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
