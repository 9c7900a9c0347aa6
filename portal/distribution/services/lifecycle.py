"""A round's life after its making: editing the draft, removing a draft's points, slots
and items, opening an approved round, cancelling one before it opens."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, update

from portal.audit.services import record
from portal.database import write_transaction
from portal.distribution.models import (
    DistributionPoint,
    DistributionRound,
    Entitlement,
    RoundItem,
    TimeSlot,
)
from portal.distribution.services.common import (
    DistributionError,
    check_move,
    checked_round_fields,
    clean,
    draft_round,
    locked_round,
)
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow


def update_round(
    round_id: int,
    *,
    title_id: str,
    starts_on: date,
    ends_on: date,
    actor,
    title_en: str | None = None,
    cash_amount: int | None = None,
    use_food_formula: bool = False,
    notes_id: str = "",
    notes_en: str | None = None,
    sample_percent: int = 10,
    sample_minimum: int = 30,
) -> DistributionRound:
    """Change a draft's title, dates, cash, formula, notes and sample size."""
    title_id = checked_round_fields(
        title_id=title_id,
        starts_on=starts_on,
        ends_on=ends_on,
        cash_amount=cash_amount,
        sample_percent=sample_percent,
        sample_minimum=sample_minimum,
    )
    with write_transaction(db.session):
        round_ = draft_round(round_id)
        outside = [s for p in round_.points for s in p.slots if not starts_on <= s.day <= ends_on]
        if outside:
            raise DistributionError(
                _l("Some time slots fall outside these dates; change or remove them first."),
                "ends_on",
            )
        before = {"title_id": round_.title_id, "cash_amount": round_.cash_amount}
        round_.title_id = title_id
        round_.title_en = clean(title_en, 200) or None
        round_.starts_on, round_.ends_on = starts_on, ends_on
        round_.cash_amount = cash_amount or None
        round_.use_food_formula = use_food_formula
        round_.notes_id = (notes_id or "").strip()[:4000]
        round_.notes_en = (notes_en or "").strip()[:4000] or None
        round_.sample_percent, round_.sample_minimum = sample_percent, sample_minimum
        record(
            "update_round",
            "distribution_round",
            round_.id,
            actor=actor,
            summary=title_id,
            before=before,
            after={"title_id": title_id, "cash_amount": round_.cash_amount},
        )
    return round_


def remove_part(round_id: int, kind: str, part_id: int, *, actor) -> None:
    """Remove a draft's point (with its slots), slot or item."""
    model = {"point": DistributionPoint, "slot": TimeSlot, "item": RoundItem}.get(kind)
    if model is None:
        raise DistributionError(_l("There is nothing of that kind to remove."))
    with write_transaction(db.session):
        draft_round(round_id)
        part = db.session.get(model, part_id)
        if part is None or part.round_id != round_id:
            raise DistributionError(_l("This round has no such part."))
        if kind == "point":
            db.session.execute(delete(TimeSlot).where(TimeSlot.point_id == part_id))
        db.session.delete(part)
        record(
            "remove_round_part",
            "distribution_round",
            round_id,
            actor=actor,
            after={"kind": kind, "id": part_id},
        )


def open_round(round_id: int, *, actor, ip: str | None = None) -> DistributionRound:
    """Open an approved round: the points may hand over from now on."""
    with write_transaction(db.session):
        round_ = locked_round(round_id)
        check_move(round_, "open")
        round_.status = "open"
        round_.opened_at = utcnow()
        record("open_round", "distribution_round", round_.id, actor=actor, ip=ip)
    return round_


def cancel_round(round_id: int, *, reason: str, actor, ip: str | None = None) -> DistributionRound:
    """Cancel a draft or approved round (never once open), with the reason; its
    entitlements are cancelled with the same reason."""
    reason = clean(reason)
    if not reason:
        raise DistributionError(_l("Give the reason for the change."), "reason")
    with write_transaction(db.session):
        round_ = locked_round(round_id)
        check_move(round_, "cancelled")
        round_.status = "cancelled"
        round_.cancelled_at = utcnow()
        round_.cancel_reason = reason
        cancelled = db.session.execute(
            update(Entitlement)
            .where(Entitlement.round_id == round_.id, Entitlement.status == "due")
            .values(status="cancelled", cancel_reason=reason)
        ).rowcount
        record(
            "cancel_round",
            "distribution_round",
            round_.id,
            actor=actor,
            ip=ip,
            summary=reason,
            after={"entitlements_cancelled": cancelled},
        )
    return round_
