"""Receipts to verify, open data (CSV/JSON) and the feed's events."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.csr.models import Company, Delivery, Pledge, PledgeEvent
from portal.csr.services.common import normalize_code
from portal.csr.services.public_board import _public_pledges
from portal.extensions import db


def find_receipt(code: str | None):
    """("pledge", Pledge) or ("delivery", Delivery) for a verification code, or None."""
    code = normalize_code(code)
    if code is None:
        return None
    pledge = db.session.scalars(select(Pledge).where(Pledge.receipt_code == code)).first()
    if pledge is not None:
        return ("pledge", pledge)
    delivery = db.session.scalars(select(Delivery).where(Delivery.receipt_code == code)).first()
    if delivery is not None:
        return ("delivery", delivery)
    return None


# --- open data and feed -----------------------------------------------------------------

PLEDGE_COLUMNS = (
    "pledge_id",
    "company_id",
    "company",
    "need_id",
    "need",
    "kind",
    "amount",
    "unit",
    "value_idr",
    "delivered",
    "status",
    "pledged_on",
    "confirmed_on",
    "expected_on",
)
DELIVERY_COLUMNS = (
    "delivery_id",
    "pledge_id",
    "company_id",
    "company",
    "need_id",
    "need",
    "kind",
    "amount",
    "unit",
    "delivered_on",
    "recorded_on",
)


def _unit(pledge: Pledge) -> str:
    if pledge.kind == "money":
        return "IDR"
    if pledge.need is not None:
        return pledge.need.unit_id or ""
    return pledge.unit or ""


def export_pledges() -> list[dict]:
    """Every public pledge as a flat row (open data; no personal data)."""
    rows = []
    for p in db.session.scalars(_public_pledges().order_by(Pledge.id)):
        rows.append(
            {
                "pledge_id": p.id,
                "company_id": p.company_id,
                "company": p.company.name,
                "need_id": p.need_id,
                "need": p.need.title_id if p.need else None,
                "kind": p.kind,
                "amount": p.amount,
                "unit": _unit(p),
                "value_idr": p.value,
                "delivered": p.delivered,
                "status": p.status,
                "pledged_on": p.created_at.date().isoformat(),
                "confirmed_on": p.confirmed_at.date().isoformat() if p.confirmed_at else None,
                "expected_on": p.expected_on.isoformat() if p.expected_on else None,
            }
        )
    return rows


def export_deliveries() -> list[dict]:
    """Every delivery of a public pledge as a flat row (no attachments, no names)."""
    stmt = (
        select(Delivery)
        .join(Pledge, Pledge.id == Delivery.pledge_id)
        .join(Company, Company.id == Pledge.company_id)
        .where(Company.status == "verified")
        .order_by(Delivery.id)
        .options(joinedload(Delivery.pledge))
    )
    rows = []
    for d in db.session.scalars(stmt):
        p = d.pledge
        rows.append(
            {
                "delivery_id": d.id,
                "pledge_id": p.id,
                "company_id": p.company_id,
                "company": p.company.name,
                "need_id": p.need_id,
                "need": p.need.title_id if p.need else None,
                "kind": p.kind,
                "amount": d.amount,
                "unit": _unit(p),
                "delivered_on": d.delivered_on.isoformat(),
                "recorded_on": d.recorded_at.date().isoformat(),
            }
        )
    return rows


def recent_events(limit: int = 30) -> list[PledgeEvent]:
    """The latest public steps (pledged, confirmed, delivered, closed, withdrawn)."""
    stmt = (
        select(PledgeEvent)
        .join(Pledge, Pledge.id == PledgeEvent.pledge_id)
        .join(Company, Company.id == Pledge.company_id)
        .where(
            Company.status == "verified",
            Pledge.status != "offered",
            PledgeEvent.to_status != "offered",
        )
        .order_by(PledgeEvent.at.desc(), PledgeEvent.id.desc())
        .options(selectinload(PledgeEvent.pledge))
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
