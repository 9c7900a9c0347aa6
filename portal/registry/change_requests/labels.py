"""The labels the change-request pages (the resident's and the staff's) read."""

from __future__ import annotations

from datetime import date

from flask import current_app
from markupsafe import Markup

from portal.i18n import current_lang, day
from portal.registry.change_requests.models import KINDS, LATE_AFTER_DAYS, MAX_OPEN, STATUSES
from portal.registry.change_requests.record_rows import RECORD_ROWS
from portal.registry.models import (
    BPS_CRITERIA,
    CIVIL_STATUSES,
    KK_CHANGE_REASONS,
    RELATIONS,
    SEXES,
)


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


def template_labels() -> dict:
    return {
        **_translated_labels(),
        "max_open": MAX_OPEN,
        "late_after": LATE_AFTER_DAYS,
        "iso_day": iso_day,
        "record_rows": RECORD_ROWS,
    }
