"""Carrying not-collected aid over to a follow-up round.

Staff make a follow-up round of a closed round (`create_follow_up`: a draft for the
same list version with the same points, items and RT slots on its own dates). Its
approval by the village head (`approval.approve`) then snapshots, instead of the whole
list, one entitlement per household whose entitlement in the earlier round is still
"not collected" (not cancelled, not carried before): the new entitlement names the one
it follows (`follows_id`, unique, so the same aid is carried over once) and is due what
was not handed over.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import selectinload

from portal.audit.services import record
from portal.database import write_transaction
from portal.distribution.models import (
    DistributionPoint,
    DistributionRound,
    Entitlement,
    EntitlementLine,
    RoundItem,
    TimeSlot,
)
from portal.distribution.services.common import (
    DistributionError,
    clean,
    locked_round,
    new_entitlement_code,
)
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.registry.models import Household


@cache
def _follow_up_statement():
    return select(
        DistributionRound.id,
        DistributionRound.title_id,
        DistributionRound.title_en,
        DistributionRound.status,
    ).where(
        DistributionRound.follows_round_id == bindparam("round_id"),
        DistributionRound.status != "cancelled",
    )


def live_follow_up(round_id: int):
    """The follow-up round of a round, unless it was cancelled: a plain row (id,
    title_id, title_en, status), what the closing page shows; None without one."""
    return db.session.execute(_follow_up_statement(), {"round_id": round_id}).first()


def _to_carry(source_id: int):
    followed = select(Entitlement.follows_id).where(Entitlement.follows_id.is_not(None))
    return (
        select(Entitlement)
        .where(
            Entitlement.round_id == source_id,
            Entitlement.status == "not_collected",
            Entitlement.id.not_in(followed),
        )
        .options(selectinload(Entitlement.lines))
        .order_by(Entitlement.id)
    )


def _copy_layout(source: DistributionRound, target: DistributionRound) -> None:
    span = (target.ends_on - target.starts_on).days
    for point in source.points:
        copy = DistributionPoint(
            round_id=target.id,
            name=point.name,
            address=point.address,
            map_url=point.map_url,
            opens_at=point.opens_at,
            closes_at=point.closes_at,
        )
        db.session.add(copy)
        db.session.flush()
        for slot in point.slots:
            offset = min(max((slot.day - source.starts_on).days, 0), span)
            db.session.add(
                TimeSlot(
                    round_id=target.id,
                    point_id=copy.id,
                    rt=slot.rt,
                    rw=slot.rw,
                    day=target.starts_on + timedelta(days=offset),
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                )
            )
    for item in source.items:
        db.session.add(
            RoundItem(
                round_id=target.id,
                position=item.position,
                name_id=item.name_id,
                name_en=item.name_en,
                unit=item.unit,
                quantity_milli=item.quantity_milli,
                formula_key=item.formula_key,
            )
        )


def create_follow_up(
    round_id: int,
    *,
    title_id: str,
    starts_on: date,
    ends_on: date,
    actor,
    title_en: str | None = None,
    ip: str | None = None,
) -> DistributionRound:
    """A draft follow-up round of a closed round, for its not-collected households."""
    title_id = clean(title_id, 200)
    if not title_id:
        raise DistributionError(_l("Give the round a title in Indonesian."), "title_id")
    if ends_on < starts_on:
        raise DistributionError(_l("The last day cannot be before the first."), "ends_on")
    with write_transaction(db.session):
        source = locked_round(round_id)
        if source.status not in ("closed", "reconciled"):
            raise DistributionError(_l("Close the round first."))
        if starts_on <= source.ends_on:
            raise DistributionError(
                _l("The follow-up must start after the round it follows."), "starts_on"
            )
        if live_follow_up(round_id) is not None:
            raise DistributionError(_l("This round already has a follow-up round."))
        if db.session.scalar(_to_carry(round_id).limit(1)) is None:
            raise DistributionError(_l("No not-collected aid is left to carry over."))
        target = DistributionRound(
            period_id=source.period_id,
            version_id=source.version_id,
            title_id=title_id,
            title_en=clean(title_en, 200) or None,
            starts_on=starts_on,
            ends_on=ends_on,
            cash_amount=source.cash_amount,
            use_food_formula=False,
            sample_percent=source.sample_percent,
            sample_minimum=source.sample_minimum,
            follows_round_id=source.id,
            created_by_id=getattr(actor, "id", None),
        )
        db.session.add(target)
        db.session.flush()
        _copy_layout(source, target)
        record(
            "create_follow_up",
            "distribution_round",
            target.id,
            actor=actor,
            ip=ip,
            summary=title_id,
            after={"follows_round_id": source.id},
        )
    return target


def carried(round_, listed) -> list:
    """(earlier entitlement, list row) of each household a follow-up round carries over:
    still not collected in the round it follows, and on the round's list version."""
    on_list = {row.household_id: row for row in listed}
    olds = db.session.scalars(_to_carry(round_.follows_round_id)).all()
    pairs = [(old, on_list[old.household_id]) for old in olds if old.household_id in on_list]
    if not pairs:
        raise DistributionError(_l("No not-collected aid is left to carry over."))
    return pairs


def carry_snapshot(round_, approval, pairs, collectors) -> int:
    """The entitlements of a follow-up round's approval, one per pair of `carried`,
    each due what the earlier one did not hand over. `collectors` is approval's choice
    of who collects."""
    source = db.session.get(DistributionRound, round_.follows_round_id)
    points = dict(zip((p.id for p in source.points), (p.id for p in round_.points), strict=False))
    items = {i.position: i.id for i in round_.items}
    source_items = {i.id: i.position for i in source.items}
    slots = {(s.rw, s.rt): s for p in round_.points for s in p.slots}
    today = village_today()
    count = 0
    for old, row in pairs:
        household = db.session.get(
            Household, old.household_id, options=[selectinload(Household.members)]
        )
        who = collectors(household, today)
        slot = slots.get((row.rw, row.rt))
        new_id = db.session.execute(
            insert(Entitlement)
            .values(
                round_id=round_.id,
                approval_id=approval.id,
                version_id=approval.version_id,
                household_id=old.household_id,
                code=new_entitlement_code(),
                collector_id=who.collector_id,
                alternate_id=who.alternate_id,
                point_id=slot.point_id if slot else points.get(old.point_id),
                slot_id=slot.id if slot else None,
                rt=row.rt,
                rw=row.rw,
                cash_due=max(old.cash_due - old.cash_paid, 0),
                status="due",
                follows_id=old.id,
            )
            .returning(Entitlement.id)
        ).scalar_one()
        lines = [
            {
                "entitlement_id": new_id,
                "round_id": round_.id,
                "item_id": items[source_items[line.item_id]],
                "due_milli": line.due_milli - line.delivered_milli,
                "delivered_milli": 0,
            }
            for line in old.lines
            if line.due_milli > line.delivered_milli and source_items.get(line.item_id) in items
        ]
        if lines:
            db.session.execute(insert(EntitlementLine), lines)
        count += 1
    return count
