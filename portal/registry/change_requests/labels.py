"""The labels the change-request pages (the resident's and the staff's) read."""

from __future__ import annotations

from datetime import date

from flask import current_app
from markupsafe import Markup

from portal.forms import N_
from portal.i18n import catalogue, current_lang, day
from portal.registry.change_requests.models import KINDS, LATE_AFTER_DAYS, MAX_OPEN, STATUSES
from portal.registry.change_requests.record_rows import RECORD_ROWS
from portal.registry.models import (
    BPS_CRITERIA,
    CIVIL_STATUSES,
    KK_CHANGE_REASONS,
    RELATIONS,
    SEXES,
)
from portal.registry.page_texts import Texts


def iso_day(text: str | None) -> str:
    """A date kept as YYYY-MM-DD in a request's details, as the reader's language writes it."""
    if not text:
        return "–"
    try:
        return day(date.fromisoformat(text))  # as format_date(.., "long"), kept per worker
    except ValueError:
        return text


LABELS = {
    "change_kinds": KINDS,
    "change_statuses": STATUSES,
    "bps_criteria": BPS_CRITERIA,
    "relations": RELATIONS,
    "sexes": SEXES,
    "civil_statuses": CIVIL_STATUSES,
    "kk_reasons": KK_CHANGE_REASONS,
}


def _translated_labels() -> dict[str, dict]:
    """The label tables in the reader's language, translated once per language and app
    (a lazy label is translated again each time a page shows it). Each label is Markup,
    as the lazy label was to Jinja (its __html__ gave the text unescaped); the tables
    hold only fixed labels, nothing about any person."""
    lang = current_lang()
    kept = current_app.extensions.setdefault("change_request_labels", {})
    labels = kept.get(lang)
    if labels is None:
        labels = kept[lang] = {
            name: {key: Markup(str(value)) for key, value in table.items()}  # noqa: S704
            for name, table in LABELS.items()
        }
    return labels


# The fixed texts of the household record beside a request (_record.html) and of the
# staff page of a request, as `texts.<key>` (an attribute costs a template a few Python
# calls, a `_()` some ten); the same msgids, each the catalogue's text as `_()` gave it
# (Markup: not escaped again; none holds a "%", which `_()` would format).
# tests/test_change_request_record_rows.py holds them to `_()`.
TEXTS = {
    "accept": N_("Accept and change the registry"),
    "accept_hint": N_(
        "Accepting changes the registry through its own rules (scores are recomputed) "
        "and tells the resident."
    ),
    "address": N_("Address"),
    "at_the_office": N_("at the village office"),
    "audit_note": N_("Your opening of this record is written to the audit log."),
    "born": N_("Born"),
    "change_requests": N_("Change requests"),
    "criteria": N_("The household's situation (the 14 BPS criteria)"),
    "decide": N_("Decide"),
    "documents": N_("Documents"),
    "holds_today": N_("What the registry holds today"),
    "kk_number": N_("KK number"),
    "members": N_("Members"),
    "name": N_("Name"),
    "nik": N_("NIK"),
    "no": N_("No"),
    "no_documents": N_("No documents were sent."),
    "not_recorded": N_("Not recorded"),
    "not_surveyed": N_("Not surveyed"),
    "photo": N_("photo"),
    "reason": N_("Reason:"),
    "receives_aid": N_("This household receives aid now"),
    "refuse": N_("Refuse"),
    "relation": N_("Relation"),
    "rt_rw": N_("RT/RW"),
    "status": N_("Status"),
    "what_is_asked": N_("What is asked"),
    "yes": N_("Yes"),
}


def texts() -> Texts:
    """TEXTS in the reader's language, translated once per language and app."""
    lang = current_lang()
    kept = current_app.extensions.setdefault("change_request_texts", {})
    found = kept.get(lang)
    if found is None:
        ugettext = catalogue().ugettext
        found = kept[lang] = Texts(
            {key: Markup(ugettext(msgid)) for key, msgid in TEXTS.items()}  # noqa: S704
        )
    return found


def template_labels() -> dict:
    return {
        **_translated_labels(),
        "cr_texts": texts(),
        "max_open": MAX_OPEN,
        "late_after": LATE_AFTER_DAYS,
        "iso_day": iso_day,
        "record_rows": RECORD_ROWS,
    }
