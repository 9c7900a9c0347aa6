"""Indicators: their definition, yearly targets and values (entered or computed), and
the rows the dashboard and the open data show."""

from __future__ import annotations

import re
import time
from collections import namedtuple
from dataclasses import dataclass, field
from functools import cache

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import bindparam, literal_column, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.audit.services import record
from portal.database import read, write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.monitoring.models import DIRECTIONS, Indicator, IndicatorTarget, IndicatorValue
from portal.monitoring.services.common import MonitoringError, clean
from portal.monitoring.services.computed import MEASURES, Figure, figures_pass, measure

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,19}$")
# The portal's own measures, with the village SDGs code where one applies.
DEFAULT_CODES = {
    "very_poor_share": "1.1.1",
    "coverage": "1.3",
    "leakage": "DS-1",
    "objections_upheld": "DS-2",
    "collected_full": "DS-3",
    "collected_by_proxy": "DS-4",
    "not_collected": "DS-5",
    "complaints_per_100": "16.6",
    "complaint_days": "DS-6",
    "course_completion": "4.4",
    "business_started": "8.3",
    "csr_delivered": "17.17",
    "ballot_turnout": "16.7",
    "spend_in_village": "DS-7",
    "spend_in_district": "DS-8",
    "plastic_avoided": "12.5",
    "left_very_poor": "1.1.2",
}


def indicators() -> list[Indicator]:
    return list(
        db.session.scalars(
            select(Indicator)
            .options(selectinload(Indicator.targets), selectinload(Indicator.values))
            .order_by(Indicator.code)
        )
    )


def indicator_list() -> list:
    """Every indicator as a plain row (INDICATOR_COLUMNS), by code, for lists."""
    return db.session.execute(_dashboard_statements()[0]).all()


@cache
def _indicator_statement():
    return select(Indicator).where(Indicator.code == bindparam("code"))


def get_indicator(code: str) -> Indicator | None:
    return db.session.scalar(_indicator_statement(), {"code": code})


def save_indicator(data: dict, *, actor) -> Indicator:
    code = clean(data.get("code"), 20)
    if not CODE.match(code):
        raise MonitoringError(_l("Use letters, digits, dots and dashes, such as 1.3.1."), "code")
    name_id = clean(data.get("name_id"), 200)
    if not name_id:
        raise MonitoringError(_l("Name the indicator in Indonesian."), "name_id")
    direction = data.get("direction") or "up"
    if direction not in DIRECTIONS:
        raise MonitoringError(_l("Choose one of the options."), "direction")
    computed = data.get("computed") or None
    if computed is not None and computed not in MEASURES:
        raise MonitoringError(_l("Choose one of the options."), "computed")
    baseline = data.get("baseline")
    try:
        with write_transaction(db.session):
            indicator = Indicator(
                code=code,
                name_id=name_id,
                name_en=clean(data.get("name_en"), 200) or None,
                unit=clean(data.get("unit"), 20) or "%",
                baseline=baseline,
                baseline_year=data.get("baseline_year"),
                source_id=clean(data.get("source_id"), 200),
                source_en=clean(data.get("source_en"), 200) or None,
                direction=direction,
                computed=computed,
            )
            db.session.add(indicator)
            db.session.flush()
            record(
                "create_indicator", "monitoring_indicator", indicator.id, actor=actor, summary=code
            )
    except IntegrityError:
        raise MonitoringError(
            _l("An indicator with this code or measure exists."), "code"
        ) from None
    return indicator


def ensure_computed(*, actor) -> int:
    """Add an indicator for each of the portal's measures that has none; how many."""
    have = set(
        db.session.scalars(select(Indicator.computed).where(Indicator.computed.is_not(None)))
    )
    codes = set(db.session.scalars(select(Indicator.code)))
    added = 0
    for key, m in MEASURES.items():
        if key in have:
            continue
        code = DEFAULT_CODES.get(key, key)
        if code in codes:
            code = f"DS-{key}"[:20]
        with force_locale("id"):
            name_id = str(m.name)
        with force_locale("en"):
            name_en = str(m.name)
            unit = str(m.unit)
        save_indicator(
            dict(
                code=code,
                name_id=name_id,
                name_en=name_en,
                unit=unit,
                source_id="Dihitung portal dari catatannya sendiri",
                source_en="Computed by the portal from its own records",
                direction="down"
                if key in ("very_poor_share", "leakage", "not_collected", "complaint_days")
                else "up",
                computed=key,
            ),
            actor=actor,
        )
        added += 1
    return added


def _year(value) -> int:
    if not isinstance(value, int) or not 2000 <= value <= 2100:
        raise MonitoringError(_l("Enter a year such as 2026."), "year")
    return value


def set_target(indicator_id: int, *, year: int, value: float, actor) -> IndicatorTarget:
    year = _year(year)
    with write_transaction(db.session):
        indicator = db.session.get(Indicator, indicator_id)
        if indicator is None:
            raise MonitoringError(_l("There is no such indicator."))
        target = db.session.scalar(
            select(IndicatorTarget).where(
                IndicatorTarget.indicator_id == indicator_id, IndicatorTarget.year == year
            )
        )
        before = None if target is None else {"value": target.value}
        if target is None:
            target = IndicatorTarget(indicator_id=indicator_id, year=year, value=value)
            db.session.add(target)
        else:
            target.value = value
        record(
            "set_target",
            "monitoring_indicator",
            indicator_id,
            actor=actor,
            before=before,
            after={"year": year, "value": value},
        )
    return target


def record_value(indicator_id: int, *, year: int, value: float, actor, note: str | None = None):
    """The value of an entered indicator for a year: once per year (a unique key); a
    computed indicator takes no typed value."""
    year = _year(year)
    try:
        with write_transaction(db.session):
            indicator = db.session.get(Indicator, indicator_id)
            if indicator is None:
                raise MonitoringError(_l("There is no such indicator."))
            if indicator.computed:
                raise MonitoringError(
                    _l("The portal computes this indicator from its records."), "value"
                )
            row = IndicatorValue(
                indicator_id=indicator_id,
                year=year,
                value=value,
                note=clean(note, 300) or None,
                entered_by_id=getattr(actor, "id", None),
            )
            db.session.add(row)
            db.session.flush()
            record(
                "record_value",
                "monitoring_indicator",
                indicator_id,
                actor=actor,
                after={"year": year, "value": value},
            )
    except IntegrityError:
        raise MonitoringError(_l("This year already has a value."), "year") from None
    return row


@dataclass
class IndicatorRow:
    indicator: object  # a row of INDICATOR_COLUMNS (attributes named as Indicator's)
    years: list[int]
    values: dict[int, Figure] = field(default_factory=dict)
    targets: dict[int, float] = field(default_factory=dict)

    @property
    def latest(self) -> tuple[int, Figure] | None:
        for year in reversed(self.years):
            figure = self.values.get(year)
            if figure is not None and (figure.value is not None or figure.small):
                return year, figure
        return None


def computed_figure(name: str, year: int) -> Figure:
    """A computed indicator's figure for a year, worked out at most once every
    MONITORING_FIGURES_SECONDS per worker (60; 0 works it out every time). Its queries
    read many features' records (about 80 statements for the dashboard): a dashboard,
    an indicator's page or an evaluation shown to someone logged in (whom the page
    cache does not answer) reads the figures kept, at most that old."""
    return computed_figures([(name, year)])[0]


def computed_figures(wanted: list[tuple[str, int]]) -> list[Figure]:
    """`computed_figure` for each (measure, year), the missing ones worked out in one
    pass (`figures_pass`: a page's measures share their sub-queries)."""
    ttl = current_app.config.get("MONITORING_FIGURES_SECONDS", 60)
    kept = current_app.extensions.setdefault("monitoring_figures", {})
    now = time.monotonic()
    out: list[Figure | None] = []
    missing = []
    for i, key in enumerate(wanted):
        hit = kept.get(key) if ttl > 0 else None
        if hit is not None and now - hit[0] < ttl:
            out.append(hit[1])
        else:
            out.append(None)
            missing.append(i)
    if missing:
        with figures_pass():
            for i in missing:
                name, year = wanted[i]
                figure = out[i] = measure(name).compute(year)
                if ttl > 0:
                    kept[(name, year)] = (time.monotonic(), figure)
    return out  # type: ignore[return-value]


INDICATOR_COLUMNS = (
    Indicator.id,
    Indicator.code,
    Indicator.name_id,
    Indicator.name_en,
    Indicator.unit,
    Indicator.baseline,
    Indicator.baseline_year,
    Indicator.source_id,
    Indicator.source_en,
    Indicator.direction,
    Indicator.computed,
)


# An indicator's part of the dashboard's joined rows, by the names of Indicator's columns.
IndicatorColumns = namedtuple("IndicatorColumns", [c.key for c in INDICATOR_COLUMNS])


# Built once per process (their cache keys with them); the years are a parameter.
@cache
def _dashboard_statements():
    """Every indicator by code (for lists); and every indicator with its targets and
    its entered values of the years (a bound list) outer joined, by code and year (the
    dashboard's one statement)."""
    listed = select(*INDICATOR_COLUMNS).order_by(Indicator.code)
    targets = select(
        literal_column("1").label("target"),
        IndicatorTarget.indicator_id,
        IndicatorTarget.year,
        IndicatorTarget.value,
    )
    entered = select(
        literal_column("0").label("target"),
        IndicatorValue.indicator_id,
        IndicatorValue.year,
        IndicatorValue.value,
    ).where(IndicatorValue.year.in_(bindparam("years", expanding=True)))
    numbers = union_all(targets, entered).subquery()
    joined = (
        select(*INDICATOR_COLUMNS, numbers.c.target, numbers.c.year, numbers.c.value)
        .outerjoin(numbers, numbers.c.indicator_id == Indicator.id)
        .order_by(Indicator.code, Indicator.id, numbers.c.year, numbers.c.target)
    )
    return listed, joined


def dashboard_rows(
    years: list[int] | None = None,
    indicator_id: int | None = None,
    this_year: int | None = None,
) -> list[IndicatorRow]:
    """Every indicator (or the one of `indicator_id`) with its value per year (computed
    ones as `computed_figure` keeps them) and its targets; plain rows, one statement.
    `this_year`: the village's year, when the caller has read the clock already."""
    if this_year is None:
        this_year = village_today().year
    years = years or [this_year - 1, this_year]
    width = len(INDICATOR_COLUMNS)
    rows: list[IndicatorRow] = []
    measured = []  # (row, its measure) of the computed ones
    row = None
    entered_too = False
    for found in read(db.session, _dashboard_statements()[1], {"years": years}):
        if row is None or row.indicator.id != found[0]:
            row = None
            if indicator_id is not None and found[0] != indicator_id:
                continue
            row = IndicatorRow(IndicatorColumns._make(found[:width]), years)
            rows.append(row)
            m = MEASURES.get(row.indicator.computed or "")  # measure(), without its call
            entered_too = m is None
            if m is not None:
                measured.append((row, m))
        is_target, year, value = found[width:]
        if is_target is None:  # an indicator without targets or values
            continue
        if is_target:
            row.targets[year] = value
        elif entered_too:
            row.values[year] = Figure(value)
    wanted = []
    for row, m in measured:
        for year in years:
            if not m.current_only or year == this_year:
                wanted.append((row, year))
    found = computed_figures([(row.indicator.computed, year) for row, year in wanted])
    for (row, year), figure in zip(wanted, found, strict=True):
        row.values[year] = figure
    return rows
