"""Forms of the officer's pages at a distribution point (the item quantities are read
per item of the entitlement by the view, as the items differ per round)."""

from __future__ import annotations

from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.distribution.models import COLLECTOR_KINDS
from portal.forms import AmountField, Form, choices
from portal.i18n import lazy_gettext as _l
from portal.uploads import DocumentField, ImageField

TOO_LONG = _l("This is too long.")


class FindForm(Form):
    """Find an invitation by its code, a name or an RT (a GET form)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Code, name or RT"),
        validators=[DataRequired(message=_l("Type a code, a name or an RT.")), Length(max=120)],
        description=_l(
            "The 16 letters of the invitation, e.g. 7KQ2-M9XD-4HBN-P3RT; or a name; or RT 3."
        ),
    )


class HandoverForm(Form):
    collected_by = RadioField(
        _l("Who collected"),
        choices=choices(COLLECTOR_KINDS),
        validators=[DataRequired(message=_l("Say who collected."))],
    )
    proxy_name = StringField(
        _l("Proxy's name"), validators=[Optional(), Length(max=120, message=TOO_LONG)]
    )
    proxy_relation = StringField(
        _l("Relation to the household"), validators=[Optional(), Length(max=60, message=TOO_LONG)]
    )
    proxy_letter = DocumentField(
        _l("Photo of the signed power of attorney (surat kuasa)"),
        description=_l("Needed when a proxy collects. A picture or a PDF."),
    )
    cash_paid = AmountField(_l("Cash paid (rupiah)"), validators=[Optional()])
    partial_reason = TextAreaField(
        _l("Reason, when less than due was handed over"),
        validators=[Optional(), Length(max=1000, message=TOO_LONG)],
    )
    photo = ImageField(
        _l("Photo of the handover (optional)"),
        description=_l("Shown to staff only; location data is removed."),
    )


class VoidForm(Form):
    reason = TextAreaField(
        _l("Reason for the void"),
        validators=[DataRequired(message=_l("Give the reason for the void.")), Length(max=1000)],
    )


class DecideForm(Form):
    outcome = SelectField(
        _l("Decision"),
        choices=choices(
            {
                "rejected": _l("Reject: the household was served once"),
                "accepted": _l("Record it (after the other handover was voided)"),
            }
        ),
    )
    note = TextAreaField(
        _l("Why"),
        validators=[DataRequired(message=_l("Write why you decided so.")), Length(max=1000)],
    )
