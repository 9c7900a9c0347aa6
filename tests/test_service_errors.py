"""One refusal shape (`ServiceError`) and one way to show it (`show_error`)."""

from __future__ import annotations

import importlib

import pytest
from flask import get_flashed_messages
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import StringField

from portal.forms import Form
from portal.service_errors import ServiceError, show_error


class _NameForm(Form):
    name = StringField()
    note = StringField()


def _form():
    form = _NameForm(formdata=MultiDict({"name": "Siti", "note": "x"}), meta={"csrf": False})
    form.validate()
    return form


def test_field_error_goes_beside_its_field(app):
    with app.test_request_context("/?lang=en"):
        form = _form()
        show_error(form, ServiceError(_l("Choose a category."), "name"))
        assert form.name.errors == [_l("Choose a category.")]
        assert form.note.errors == []
        assert get_flashed_messages() == []
        assert form.name.data == "Siti"  # what was typed stays


def test_form_level_error_is_an_error_notice(app):
    with app.test_request_context("/?lang=en"):
        form = _form()
        show_error(form, ServiceError(_l("This complaint is closed.")))
        assert form.errors == {}
        assert get_flashed_messages(with_categories=True) == [
            ("error", "This complaint is closed.")
        ]


def test_unknown_field_is_an_error_notice_not_a_500(app):
    with app.test_request_context("/"):
        form = _form()
        # "validate" is a method of the form, not a field: never written to.
        show_error(form, {"no_such_field": "first", "validate": "second"})
        assert form.errors == {}
        assert get_flashed_messages(with_categories=True) == [
            ("error", "first"),
            ("error", "second"),
        ]


def test_fallback_field_takes_what_has_no_field(app):
    with app.test_request_context("/"):
        form = _form()
        show_error(form, ServiceError("whole", None), fallback="note")
        show_error(form, ServiceError("unknown", "nope"), fallback="note")
        assert form.note.errors == ["whole", "unknown"]
        assert get_flashed_messages() == []


def test_a_dict_of_messages_goes_beside_each_field(app):
    with app.test_request_context("/"):
        form = _form()
        show_error(form, {"name": "a", "note": "b"})
        assert form.errors == {"name": ["a"], "note": ["b"]}


def test_message_is_in_the_readers_language(app):
    with app.test_request_context("/?lang=id"):
        form = _form()
        show_error(form, ServiceError(_l("This complaint is closed.")))
        assert get_flashed_messages(with_categories=True) == [
            ("error", "Pengaduan ini sudah ditutup.")
        ]


@pytest.mark.parametrize(
    "dotted",
    [
        "portal.accounts.residents.ResidentError",
        "portal.accounts.lifecycle.LifecycleError",
        "portal.complaints.services.ComplaintError",
        "portal.csr.services.common.CsrError",
        "portal.lists.services.ListError",
        "portal.lists.duties.DutyError",
        "portal.participation.services.common.ParticipationError",
        "portal.registry.services.DuplicateDecisionError",
        "portal.registry.importing.services.PreviewError",
        "portal.registry.importing.services.ConfirmError",
        "portal.registry.importing.readers.ImportFileError",
        "portal.training.services.common.TrainingError",
        "portal.uploads.UploadError",
    ],
)
def test_every_feature_refusal_is_a_service_error(dotted):
    module, name = dotted.rsplit(".", 1)
    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, ServiceError)
    error = cls("message") if name != "PreviewError" else cls("message", "file")
    assert error.message == "message"


def test_no_view_keeps_its_own_copy_of_the_helper():
    from pathlib import Path

    portal = Path(__file__).resolve().parent.parent / "portal"
    copies = [
        str(path.relative_to(portal))
        for path in portal.rglob("*.py")
        if any(
            f"def {name}(" in path.read_text(encoding="utf-8")
            for name in ("_attach", "_attach_errors", "_field_error")
        )
    ]
    assert copies == []
