"""A round's points, items and approvals as plain rows, in the round's relationships'
order: what the staff round page lists (the three were lazy loads of the round, each
row an ORM object with every column)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, select

from portal.distribution.models import DistributionPoint, RoundApproval, RoundItem
from portal.extensions import db


@dataclass(frozen=True, slots=True)
class RoundParts:
    points: list
    items: list
    approvals: list


@cache
def _statements():
    round_id = bindparam("round_id")
    points = (
        select(
            DistributionPoint.id,
            DistributionPoint.name,
            DistributionPoint.address,
            DistributionPoint.map_url,
            DistributionPoint.opens_at,
            DistributionPoint.closes_at,
        )
        .where(DistributionPoint.round_id == round_id)
        .order_by(DistributionPoint.id)
    )
    items = (
        select(
            RoundItem.id,
            RoundItem.name_id,
            RoundItem.name_en,
            RoundItem.unit,
            RoundItem.quantity_milli,
            RoundItem.formula_key,
        )
        .where(RoundItem.round_id == round_id)
        .order_by(RoundItem.position, RoundItem.id)
    )
    approvals = (
        select(
            RoundApproval.approved_at,
            RoundApproval.added,
            RoundApproval.cancelled,
            RoundApproval.reason,
        )
        .where(RoundApproval.round_id == round_id)
        .order_by(RoundApproval.number)
    )
    return points, items, approvals


def points_and_items(round_id: int) -> tuple[list, list]:
    """The round's points (id, name, address, map_url, opens_at, closes_at) by id and
    its items (id, name_id, name_en, unit, quantity_milli, formula_key) by position."""
    points, items, _approvals = _statements()
    values = {"round_id": round_id}
    return db.session.execute(points, values).all(), db.session.execute(items, values).all()


def round_parts(round_id: int) -> RoundParts:
    """The points and items, and the approvals (approved_at, added, cancelled, reason)
    by number."""
    points, items = points_and_items(round_id)
    approvals = db.session.execute(_statements()[2], {"round_id": round_id}).all()
    return RoundParts(points=points, items=items, approvals=approvals)
