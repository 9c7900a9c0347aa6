"""Indicators the portal works out from its own records, each with its rule in words.

A measure gives, for a year, a `Figure`: the value (a percentage or a count), and the
numerator and denominator it came from. No figure is shown for a group of fewer than
`MINIMUM_GROUP` households or people (the ballot results' rule), so that nobody is
identified by a chart: the value is None then, with `small` set. The current year is
counted up to today. Registry measures read the registry as it stands (it keeps no
yearly snapshot of need levels), so they have a value for the current year only.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy import bindparam, case, func, select

from portal.complaints import queries as complaints
from portal.csr import queries as csr
from portal.distribution import queries as distribution
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.lists import queries as lists
from portal.models_base import village_today
from portal.monitoring.services import snapshots
from portal.participation import queries as participation
from portal.procurement import queries as procurement
from portal.registry.models import Enrolment, Household
from portal.training import queries as training

MINIMUM_GROUP = 5
POOR = ("sangat_miskin", "miskin")


@dataclass(frozen=True)
class Figure:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    small: bool = False


@dataclass(frozen=True)
class Measure:
    key: str
    name: object
    unit: str
    words: object  # the rule, in words, for the definition page
    compute: Callable[[int], Figure]
    current_only: bool = False


def _bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def _last_day(year: int) -> date:
    today = village_today()
    return today if year == today.year else date(year, 12, 31)


def share(numerator: float, denominator: float) -> Figure:
    """numerator / denominator in per cent, or no figure for a group under five."""
    if denominator < MINIMUM_GROUP:
        return Figure(None, numerator, denominator, small=True)
    return Figure(round(numerator * 100 / denominator, 1), numerator, denominator)


# A page works out many measures at once (`figures_pass`); measures that read the
# same numbers (the three entitlement shares, the two spend shares, the registry's
# counts, the snapshots) read them once in it. Outside a pass each reads its own.
_PASS: ContextVar[dict | None] = ContextVar("monitoring_figures_pass", default=None)


@contextmanager
def figures_pass() -> Iterator[None]:
    token = _PASS.set({})
    try:
        yield
    finally:
        _PASS.reset(token)


def shared(key: tuple, work: Callable[[], object]):
    """`work()`, once per `figures_pass` for the same key."""
    memo = _PASS.get()
    if memo is None:
        return work()
    if key not in memo:
        memo[key] = work()
    return memo[key]


def _enrolled_on(day):
    return select(Enrolment.household_id).where(
        Enrolment.period_start <= day,
        (Enrolment.period_end.is_(None)) | (Enrolment.period_end >= day),
    )


# Built once per process (with its cache key); the day is a parameter.
@cache
def _registry_statement():
    enrolled = Household.id.in_(_enrolled_on(bindparam("day")))
    return select(
        Household.need_level,
        case((enrolled, 1), else_=0).label("enrolled"),
        func.count(Household.id),
    ).group_by(Household.need_level, "enrolled")


def _registry_counts(day: date) -> dict[tuple[str, int], int]:
    """{(need level, enrolled on `day` 1/0): households}, the registry as it stands."""

    def work():
        rows = db.session.execute(_registry_statement(), {"day": day})
        return {(level, int(enrolled)): n for level, enrolled, n in rows}

    return shared(("registry", day), work)


def very_poor_share(year: int) -> Figure:
    counts = _registry_counts(_last_day(village_today().year))
    total = sum(counts.values())
    very_poor = sum(n for (level, _e), n in counts.items() if level == "sangat_miskin")
    return share(very_poor, total)


def coverage(year: int) -> Figure:
    counts = _registry_counts(_last_day(year))
    total = sum(n for (level, _e), n in counts.items() if level in POOR)
    covered = sum(n for (level, e), n in counts.items() if level in POOR and e)
    return share(covered, total)


def leakage(year: int) -> Figure:
    counts = _registry_counts(_last_day(year))
    total = sum(n for (_level, e), n in counts.items() if e)
    not_poor = sum(n for (level, e), n in counts.items() if e and level not in POOR)
    return share(not_poor, total)


def objections_upheld(year: int) -> Figure:
    decided, upheld = lists.objections_between(*_bounds(year))
    return share(upheld, decided)


def _outcomes(year: int) -> tuple[dict[str, int], int]:
    counts = shared(
        ("outcomes", year),
        lambda: distribution.entitlement_outcomes(date(year, 1, 1), date(year, 12, 31)),
    )
    total = sum(n for status, n in counts.items() if status != "by_proxy")
    return counts, total


def collected_full(year: int) -> Figure:
    counts, total = _outcomes(year)
    return share(counts.get("collected", 0), total)


def collected_by_proxy(year: int) -> Figure:
    counts, total = _outcomes(year)
    return share(counts.get("by_proxy", 0), total)


def not_collected(year: int) -> Figure:
    counts, total = _outcomes(year)
    return share(counts.get("not_collected", 0), total)


@cache
def _enrolled_statement():
    """Households enrolled at any time in [start, end] (built once per process)."""
    return select(func.count(func.distinct(Enrolment.household_id))).where(
        Enrolment.period_start <= bindparam("end"),
        (Enrolment.period_end.is_(None)) | (Enrolment.period_end >= bindparam("start")),
    )


def complaints_per_100(year: int) -> Figure:
    filed = complaints.filed_between(*_bounds(year))
    start, end = date(year, 1, 1), _last_day(year)
    households = db.session.scalar(_enrolled_statement(), {"start": start, "end": end}) or 0
    if households < MINIMUM_GROUP:
        return Figure(None, filed, households, small=True)
    return Figure(round(filed * 100 / households, 1), filed, households)


def complaint_days(year: int) -> Figure:
    days = complaints.days_to_close(*_bounds(year))
    if len(days) < MINIMUM_GROUP:
        return Figure(None, None, len(days), small=True)
    return Figure(round(statistics.median(days), 1), None, len(days))


def course_completion(year: int) -> Figure:
    taken, completed = training.places_between(*_bounds(year))
    return share(completed, taken)


def business_started(year: int) -> Figure:
    answers, started = training.business_answers_between(*_bounds(year))
    return share(started, answers)


def csr_delivered(year: int) -> Figure:
    rows = csr.pledge_values_between(*_bounds(year))
    pledged = sum(value for value, _a, _d in rows)
    delivered = sum(value * min(d, a) / a for value, a, d in rows if a)
    if len(rows) < 1 or pledged == 0:
        return Figure(None, delivered, pledged, small=not rows)
    return Figure(round(delivered * 100 / pledged, 1), round(delivered), pledged)


def ballot_turnout(year: int) -> Figure:
    voters, eligible = participation.turnout_between(*_bounds(year))
    return share(voters, eligible)


def _spend_share(year: int, *locations: str) -> Figure:
    spend = shared(("spend", year), lambda: procurement.spend_by_location(year))
    total = sum(spend.values())
    if not total:
        return Figure(None, 0, 0, small=True)
    kept = sum(spend.get(loc, 0) for loc in locations)
    return Figure(round(kept * 100 / total, 1), kept, total)


def spend_in_village(year: int) -> Figure:
    return _spend_share(year, "village")


def spend_in_district(year: int) -> Figure:
    return _spend_share(year, "village", "district")


def plastic_avoided(year: int) -> Figure:
    batches, kg = procurement.plastic_avoided(year)
    if not batches:
        return Figure(None, None, 0, small=True)
    return Figure(kg, None, batches)


def _has_snapshot(year: int) -> bool:
    return shared(("snapshot", year), lambda: snapshots.has_snapshot(year))


def left_very_poor_level(year: int) -> Figure:
    found = snapshots.left_very_poor(
        year, current=year == village_today().year, has_snapshot=_has_snapshot
    )
    if found is None:
        return Figure(None)
    left, then = found
    if then < MINIMUM_GROUP:
        return Figure(None, left, then, small=True)
    return Figure(left, left, then)


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "very_poor_share",
            _l("Households at the very poor level"),
            "%",
            _l(
                "Households in the registry whose need level is “very poor”, divided by all "
                "households in the registry, as it stands today."
            ),
            very_poor_share,
            current_only=True,
        ),
        Measure(
            "coverage",
            _l("Poor households receiving aid (coverage)"),
            "%",
            _l(
                "Households at the poor or very poor level that are enrolled in a village "
                "programme on the last day of the year (today for this year), divided by all "
                "poor and very poor households."
            ),
            coverage,
            current_only=True,
        ),
        Measure(
            "leakage",
            _l("Recipients not poor by the registry's score (leakage)"),
            "%",
            _l(
                "Households enrolled in a village programme on the last day of the year whose "
                "need level is neither poor nor very poor, divided by all enrolled households."
            ),
            leakage,
            current_only=True,
        ),
        Measure(
            "objections_upheld",
            _l("Objections to recipient lists that were upheld"),
            "%",
            _l("Objections decided in the year that were upheld, divided by all decided."),
            objections_upheld,
        ),
        Measure(
            "collected_full",
            _l("Entitlements collected in full"),
            "%",
            _l(
                "Entitlements of the rounds that started in the year, collected in full, "
                "divided by all their entitlements that were not cancelled."
            ),
            collected_full,
        ),
        Measure(
            "collected_by_proxy",
            _l("Entitlements collected by a proxy"),
            "%",
            _l(
                "Handovers to a proxy with a power of attorney (not voided) in the rounds "
                "that started in the year, divided by their entitlements not cancelled."
            ),
            collected_by_proxy,
        ),
        Measure(
            "not_collected",
            _l("Entitlements not collected"),
            "%",
            _l(
                "Entitlements marked not collected when their round closed, divided by all "
                "entitlements not cancelled, of the rounds that started in the year."
            ),
            not_collected,
        ),
        Measure(
            "complaints_per_100",
            _l("Complaints per 100 recipient households"),
            _l("per 100"),
            _l(
                "Complaints filed in the year, times 100, divided by the households enrolled "
                "in a village programme at any time in the year."
            ),
            complaints_per_100,
        ),
        Measure(
            "complaint_days",
            _l("Median days to close a complaint"),
            _l("days"),
            _l("The median of the days from filing to closing, of complaints closed in the year."),
            complaint_days,
        ),
        Measure(
            "course_completion",
            _l("Course places completed"),
            "%",
            _l(
                "Confirmed places in sessions that started in the year whose participant "
                "completed the course, divided by all confirmed places."
            ),
            course_completion,
        ),
        Measure(
            "business_started",
            _l("Participants who started or grew a business"),
            "%",
            _l(
                "Course feedback given in the year that says “I started a business” or “I "
                "grew my business”, divided by all feedback given in the year."
            ),
            business_started,
        ),
        Measure(
            "csr_delivered",
            _l("CSR pledges delivered"),
            "%",
            _l(
                "For pledges made in the year that companies confirmed: their value times the "
                "share delivered, added up, divided by their total value."
            ),
            csr_delivered,
        ),
        Measure(
            "ballot_turnout",
            _l("Turnout of priority ballots"),
            "%",
            _l(
                "Votes in the ballots that closed in the year, divided by those who could "
                "vote in them (as each ballot's results count them)."
            ),
            ballot_turnout,
        ),
        Measure(
            "spend_in_village",
            _l("Procurement spend kept in the village"),
            "%",
            _l(
                "Rupiah of the purchases ordered in the year (a corrected purchase counted "
                "once) from suppliers in the village, divided by all their rupiah."
            ),
            spend_in_village,
        ),
        Measure(
            "spend_in_district",
            _l("Procurement spend kept in the district"),
            "%",
            _l(
                "Rupiah of the purchases ordered in the year from suppliers in the village or "
                "elsewhere in the district, divided by all their rupiah."
            ),
            spend_in_district,
        ),
        Measure(
            "plastic_avoided",
            _l("Single-use plastic avoided"),
            "kg",
            _l(
                "Packages packed in the year in other than plastic, and own bags residents "
                "brought, times the weight of one plastic bag (in the configuration), in kg."
            ),
            plastic_avoided,
        ),
        Measure(
            "left_very_poor",
            _l("Households that left the very poor level since last year"),
            _l("households"),
            _l(
                "Households at the very poor level in last year's snapshot of the registry "
                "that are at another level now (this year) or in the year's snapshot (past "
                "years). No figure without last year's snapshot."
            ),
            left_very_poor_level,
        ),
    )
}


def measure(key: str | None) -> Measure | None:
    return MEASURES.get(key or "")
