"""Making a round while it is a draft: its version, dates, cash, points, slots, items."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal, InvalidOperation

from portal.audit.services import record
from portal.database import write_transaction
from portal.distribution.models import (
    UNITS,
    DistributionPoint,
    DistributionRound,
    RoundItem,
    TimeSlot,
    milli,
)
from portal.distribution.services.common import (
    DistributionError,
    checked_round_fields,
    clean,
    draft_round,
)
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.lists import queries as lists

FORMULA_KEYS = ("rice", "oil", "eggs", "mung_beans")


def create_round(
    *,
    version_id: int,
    title_id: str,
    starts_on: date,
    ends_on: date,
    actor,
    title_en: str | None = None,
    cash_amount: int | None = None,
    use_food_formula: bool = False,
    sample_percent: int = 10,
    sample_minimum: int = 30,
) -> DistributionRound:
    """A draft round for a published list version; refused without one."""
    info = lists.version_info(version_id)
    if info is None:
        raise DistributionError(
            _l("Choose an approved, published recipient list for the round."), "version_id"
        )
    title_id = checked_round_fields(
        title_id=title_id,
        starts_on=starts_on,
        ends_on=ends_on,
        cash_amount=cash_amount,
        sample_percent=sample_percent,
        sample_minimum=sample_minimum,
    )
    with write_transaction(db.session):
        round_ = DistributionRound(
            period_id=info.period_id,
            version_id=info.id,
            title_id=title_id,
            title_en=clean(title_en, 200) or None,
            starts_on=starts_on,
            ends_on=ends_on,
            cash_amount=cash_amount or None,
            use_food_formula=use_food_formula,
            sample_percent=sample_percent,
            sample_minimum=sample_minimum,
            created_by_id=getattr(actor, "id", None),
        )
        db.session.add(round_)
        db.session.flush()
        record(
            "create_round",
            "distribution_round",
            round_.id,
            actor=actor,
            summary=title_id,
            after={"version_id": info.id, "cash_amount": cash_amount},
        )
    return round_


def add_point(
    round_id: int,
    *,
    name: str,
    opens_at: time,
    closes_at: time,
    actor,
    address: str = "",
    map_url: str | None = None,
) -> DistributionPoint:
    name = clean(name, 120)
    if not name:
        raise DistributionError(_l("Name the place."), "name")
    if closes_at <= opens_at:
        raise DistributionError(_l("The point must close after it opens."), "closes_at")
    map_url = clean(map_url, 300) or None
    if map_url and not map_url.startswith(("https://", "http://")):
        raise DistributionError(_l("Enter a web address starting with https://."), "map_url")
    with write_transaction(db.session):
        draft_round(round_id)
        point = DistributionPoint(
            round_id=round_id,
            name=name,
            address=clean(address, 200),
            map_url=map_url,
            opens_at=opens_at,
            closes_at=closes_at,
        )
        db.session.add(point)
        db.session.flush()
        record("add_point", "distribution_round", round_id, actor=actor, summary=name)
    return point


def add_slot(
    round_id: int,
    *,
    point_id: int,
    rt: int,
    rw: int | None,
    day: date,
    starts_at: time,
    ends_at: time,
    actor,
) -> TimeSlot:
    """When the households of one RT come to a point (one slot per RT and round)."""
    if not 1 <= rt <= 999 or (rw is not None and not 1 <= rw <= 999):
        raise DistributionError(_l("Enter an RT and RW between 1 and 999."), "rt")
    if ends_at <= starts_at:
        raise DistributionError(_l("The time slot must end after it starts."), "ends_at")
    with write_transaction(db.session):
        round_ = draft_round(round_id)
        point = db.session.get(DistributionPoint, point_id)
        if point is None or point.round_id != round_id:
            raise DistributionError(_l("Choose one of this round's points."), "point_id")
        if not round_.starts_on <= day <= round_.ends_on:
            raise DistributionError(_l("The day must fall within the round's dates."), "day")
        taken = db.session.query(TimeSlot.id).filter_by(round_id=round_id, rt=rt, rw=rw).first()
        if taken:
            raise DistributionError(_l("This RT already has a time slot in this round."), "rt")
        slot = TimeSlot(
            round_id=round_id,
            point_id=point_id,
            rt=rt,
            rw=rw,
            day=day,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        db.session.add(slot)
        db.session.flush()
        record(
            "add_slot",
            "distribution_round",
            round_id,
            actor=actor,
            after={"point_id": point_id, "rt": rt, "rw": rw, "day": day.isoformat()},
        )
    return slot


def parse_quantity(text: str | Decimal | int | float) -> int | None:
    """A quantity as people type it ("2,5" or "2.5") in thousandths, or None."""
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value > 1_000_000:
        return None
    result = milli(value)
    return result if result > 0 else None


def add_item(
    round_id: int,
    *,
    name_id: str,
    unit: str,
    quantity: str | Decimal | int | float,
    actor,
    name_en: str | None = None,
    formula_key: str | None = None,
) -> RoundItem:
    """An item each household gets; with `formula_key` and a round that uses the food
    formula, each household's own quantity from the registry's formula instead."""
    name_id = clean(name_id, 80)
    if not name_id:
        raise DistributionError(_l("Name the item."), "name_id")
    if unit not in UNITS:
        raise DistributionError(_l("Choose a unit."), "unit")
    quantity_milli = parse_quantity(quantity)
    if quantity_milli is None:
        raise DistributionError(_l("Enter a quantity above zero, such as 10 or 2,5."), "quantity")
    if formula_key and formula_key not in FORMULA_KEYS:
        raise DistributionError(_l("Choose an item of the food formula."), "formula_key")
    with write_transaction(db.session):
        round_ = draft_round(round_id)
        item = RoundItem(
            round_id=round_id,
            position=len(round_.items),
            name_id=name_id,
            name_en=clean(name_en, 80) or None,
            unit=unit,
            quantity_milli=quantity_milli,
            formula_key=formula_key or None,
        )
        db.session.add(item)
        db.session.flush()
        record(
            "add_item",
            "distribution_round",
            round_id,
            actor=actor,
            summary=name_id,
            after={"unit": unit, "quantity_milli": quantity_milli, "formula_key": formula_key},
        )
    return item
