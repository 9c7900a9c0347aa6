"""The one shape of a service's refusal, and the one way to show it beside a field.

A service refuses bad input by raising a `ServiceError` (each feature has its own
subclass, e.g. `TrainingError`, so a view can catch just that feature's). `message` is
for the reader: a lazy string, put into words in their language when the page is drawn.
`field` names the form field it belongs beside, or is None when it is about the request
as a whole (e.g. "this complaint is closed").

`show_error` puts a refusal on a WTForms form: beside its field, else beside the view's
`fallback` field, else above the form as an error notice (a flashed message, which the
layout shows at the top of the page, as every form did before).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import flash


class ServiceError(Exception):
    """A refused input or action: `message` for the reader, `field` for the form."""

    def __init__(self, message, field: str | None = None):
        # Kept lazy: it is put into words in the reader's language, inside a request.
        super().__init__(message)
        self.message = message
        self.field = field


def _field(form, name: str | None):
    """The form's field called `name`, or None (no name, or no such field)."""
    if not name:
        return None
    field = getattr(form, name, None)
    # Only a bound field: not a method or attribute of the form that shares the name.
    return field if hasattr(field, "errors") and hasattr(field, "widget") else None


def show_error(
    form, error: ServiceError | Mapping[str | None, object], fallback: str | None = None
) -> None:
    """Show a refusal on `form`: a ServiceError, or a {field name: message} dict (the
    registry's save functions return those). Each message goes beside its field; when
    the field is None or not on this form, beside `fallback` if given, else above the
    form as an error notice."""
    if isinstance(error, ServiceError):
        pairs = [(error.field, error.message)]
    else:
        pairs = list(error.items())
    for name, message in pairs:
        field = _field(form, name) or _field(form, fallback)
        if field is None:
            flash(str(message), "error")
        else:
            field.errors = [*field.errors, message]
