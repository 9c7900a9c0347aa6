"""The labels the change-request pages (the resident's and the staff's) read."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date

from portal.registry.change_requests.models import KINDS, LATE_AFTER_DAYS, MAX_OPEN, STATUSES
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
        return format_date(date.fromisoformat(text), "long")
    except ValueError:
        return text


def template_labels() -> dict:
    return {
        "change_kinds": KINDS,
        "change_statuses": STATUSES,
        "bps_criteria": BPS_CRITERIA,
        "relations": RELATIONS,
        "sexes": SEXES,
        "civil_statuses": CIVIL_STATUSES,
        "kk_reasons": KK_CHANGE_REASONS,
        "max_open": MAX_OPEN,
        "late_after": LATE_AFTER_DAYS,
        "iso_day": iso_day,
    }
