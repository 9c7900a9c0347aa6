"""The staff's list of a round's entitlements, searched by RT/RW and status."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.distribution.models import Entitlement
from portal.extensions import db

PER_PAGE = 50


def entitlement_page(
    round_id: int,
    *,
    rt: int | None = None,
    rw: int | None = None,
    status: str | None = None,
    page: int = 1,
):
    """One page of a round's entitlements in RW/RT order, with collector and lines."""
    query = (
        select(Entitlement)
        .where(Entitlement.round_id == round_id)
        .options(
            selectinload(Entitlement.collector),
            selectinload(Entitlement.alternate),
            selectinload(Entitlement.lines),
        )
        .order_by(Entitlement.rw, Entitlement.rt, Entitlement.id)
    )
    if rt is not None:
        query = query.where(Entitlement.rt == rt)
    if rw is not None:
        query = query.where(Entitlement.rw == rw)
    if status:
        query = query.where(Entitlement.status == status)
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def round_places(round_id: int) -> list[tuple[int | None, int]]:
    """The (rw, rt) pairs of a round's entitlements, in order."""
    return [
        (rw, rt)
        for rw, rt in db.session.execute(
            select(Entitlement.rw, Entitlement.rt)
            .where(Entitlement.round_id == round_id)
            .distinct()
            .order_by(Entitlement.rw, Entitlement.rt)
        )
    ]
