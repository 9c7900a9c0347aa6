"""Every message beside a field is in the reader's language, WTForms' own included.

WTForms ships no Indonesian catalogue; portal.forms.Form sends its messages through the
portal's. These tests fill every form of the portal with bad values and look at every
message that comes back.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.i18n import messages_path

import portal
from portal.forms import Form

BAD_VALUES = ("x", "", "99999999999999999999", "-5", "2027-13-45")


def _all_forms() -> list[type]:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(module.name)

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return sorted(
        {c for c in below(FlaskForm) if c.__module__.startswith("portal.")},
        key=lambda c: (c.__module__, c.__name__),
    )


def _wtforms_defaults() -> list[re.Pattern]:
    """WTForms' own English messages, as patterns (their %(min)d and such filled in)."""
    pot = (messages_path() + "/wtforms.pot").replace("//", "/")
    with open(pot, encoding="utf-8") as fh:
        ids = re.findall(r'^msgid(?:_plural)? "(.+)"$', fh.read(), re.M)
    patterns = []
    for message in ids:
        pattern = re.escape(message)
        pattern = re.sub(r"%\\\(\w+\\\)[sd]|%s", ".+", pattern)
        patterns.append(re.compile(pattern))
    return patterns


def test_every_form_of_the_portal_is_a_portal_form():
    forms = _all_forms()
    assert len(forms) > 40
    assert [f"{c.__module__}.{c.__name__}" for c in forms if not issubclass(c, Form)] == []


def test_no_english_wtforms_message_reaches_an_indonesian_reader(app):
    defaults = _wtforms_defaults()
    english, seen = [], 0
    for cls in _all_forms():
        for value in BAD_VALUES:
            with app.test_request_context("/?lang=id", method="POST"):
                try:
                    empty = cls(formdata=MultiDict())
                    form = cls(formdata=MultiDict({name: value for name in empty._fields}))
                    form.validate()
                except Exception:  # noqa: BLE001, S112 - forms that need arguments
                    continue
                for name, errors in form.errors.items():
                    for error in errors if isinstance(errors, list) else [errors]:
                        seen += 1
                        if any(p.fullmatch(str(error)) for p in defaults):
                            english.append(f"{cls.__name__}.{name}: {error}")
    assert seen > 100  # the walk really reached the forms
    assert english == []


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("id", "Isi dengan angka bulat"), ("en", "Not a valid integer value.")],
)
def test_a_bad_number_is_explained_in_the_readers_language(app, lang, expected):
    from portal.training.forms import SessionForm

    with app.test_request_context(f"/?lang={lang}", method="POST"):
        form = SessionForm(formdata=MultiDict({"seats": "dua puluh"}))
        form.validate()
        assert any(expected in str(e) for e in form.errors["seats"])
