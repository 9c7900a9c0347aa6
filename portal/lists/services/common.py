"""What every process of the lists shares: the period's fields, the error and two helpers."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.lists.models import ListPeriod, ListVersion
from portal.models_base import utcnow
from portal.service_errors import ServiceError

PERIOD_FIELDS = (
    "programme_id",
    "title_id",
    "title_en",
    "starts_on",
    "ends_on",
    "budget",
    "amount",
    "benefit_id",
    "benefit_en",
    "rule_need_levels",
    "rule_max_desil",
    "rule_min_members",
    "rule_composition",
    "rule_aid_fit",
    "rule_not_covered",
    "objection_days",
)
# What the village head's approval covers besides the list itself: changing any of these
# on a period whose list was approved calls for a new approval (and, with it, the
# registry's enrolments follow the new dates). The titles are only names.
APPROVED_FIELDS = tuple(f for f in PERIOD_FIELDS if f not in ("title_id", "title_en"))
MAX_REASON = 2000


class ListError(ServiceError, ValueError):
    """A refused action; the message is for the reader, `field` names the form field."""


def _clean(text: str | None) -> str:
    return (text or "").strip()[:MAX_REASON]


def _touch(period: ListPeriod) -> None:
    period.changed_at = utcnow()


def newest_version_number():
    """A period's newest version number, as a sub-query correlated to ListPeriod (None
    while nothing is published)."""
    return (
        select(func.max(ListVersion.number))
        .where(ListVersion.period_id == ListPeriod.id)
        .correlate(ListPeriod)
        .scalar_subquery()
    )
