"""Forms of the roster import and the list export."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from portal.forms import Form
from portal.i18n import lazy_gettext as _l
from portal.registry.models import NATIONAL_PROGRAMMES


def programme_choices() -> list[tuple[str, object]]:
    return [("", _l("Recognise it from the file"))] + [
        (code, label) for code, (_kind, label) in NATIONAL_PROGRAMMES.items()
    ]


class UploadForm(Form):
    file = FileField(
        _l("Spreadsheet file"),
        validators=[FileRequired(message=_l("Choose the file to import."))],
        description=_l(
            "Excel (.xlsx, .xls) or CSV, as exported from SIAK, OpenSID or the welfare data, "
            "without editing it. Nothing is saved before you confirm the preview."
        ),
        render_kw={"accept": ".xlsx,.xls,.csv,text/csv"},
    )
    programme = SelectField(
        _l("National programme (aid lists only)"),
        choices=programme_choices,
        default="",
        description=_l(
            "For an OpenSID aid-participant file whose programme name the portal does not "
            "recognise."
        ),
    )
