"""Registry fields audited on every change, and the stored assessment of a household."""

from __future__ import annotations

from datetime import date

from portal.extensions import db
from portal.models_base import utcnow
from portal.registry import scoring
from portal.registry.models import BPS_COLUMNS, CIVIL_STATUSES, Household

HOUSEHOLD_FIELDS = (
    "kk_number",
    "address",
    "rt",
    "rw",
    "dusun",
    "national_id",
    "desil",
    "notes",
    *BPS_COLUMNS,
)
PERSON_FIELDS = (
    "nik",
    "name",
    "sex",
    "birth_place",
    "birth_date",
    "mother_name",
    "relation",
    "marital_status",
    "disability",
    "occupation",
    "education",
    "status",
    "status_date",
)
AUDIT_PERSON_FIELDS = (*PERSON_FIELDS, "household_id", "merged_into_id")
AUDIT_HOUSEHOLD_FIELDS = (*HOUSEHOLD_FIELDS, "score", "need_level", "aid_types")
NOT_LIVING = tuple(s for s in CIVIL_STATUSES if s != "alive")


def refresh_assessment(household: Household, today: date | None = None) -> scoring.Assessment:
    """Recompute a household's score, need level and aid types and store them."""
    db.session.flush()
    db.session.expire(household, ["members"])
    result = scoring.assess_household(household, today)
    household.score = result.score
    household.need_level = result.need_level
    household.aid_types = " " + " ".join(result.aid_types) + " " if result.aid_types else " "
    household.scored_at = utcnow()
    return result
