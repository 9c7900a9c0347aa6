"""Closing a round and reconciling it.

Closing marks every entitlement still due "not collected". The reconciliation shows,
per item and point, received + moved in - moved out - handed over - returned - damaged
- lost = on hand, and cash budgeted against cash paid; staff then mark the round
reconciled (the figures go into the audit entry). A not-collected entitlement is
either cancelled with a reason or carried over to a follow-up round (`carry.py`);
households whose collector died or moved away, or that have no living member left,
are flagged so that nobody carries aid over to a person who is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import aliased

from portal.audit.services import record
from portal.database import read, write_transaction
from portal.distribution.models import (
    DistributionRound,
    Entitlement,
    Handover,
)
from portal.distribution.services.common import (
    DistributionError,
    check_move,
    clean,
    locked_round,
)
from portal.distribution.services.ledger import Balance, balances, live_handovers
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.registry.models import Person

GONE = ("dead", "moved")


@dataclass
class Reconciliation:
    """A round's figures: the ledger per item and point, cash, entitlements by status."""

    balances: list[Balance]
    cash_budgeted: int
    cash_paid: int
    statuses: dict[str, int]

    @property
    def cash_left(self) -> int:
        return self.cash_budgeted - self.cash_paid

    @property
    def households(self) -> int:
        return sum(self.statuses.values())

    def per_item(self) -> dict[int, Balance]:
        """The ledger summed over the points, per item."""
        totals: dict[int, Balance] = {}
        for b in self.balances:
            total = totals.setdefault(b.item_id, Balance(0, b.item_id))
            for name in (
                "received",
                "moved_in",
                "moved_out",
                "handed_over",
                "returned",
                "damaged",
                "lost",
                "due",
            ):
                setattr(total, name, getattr(total, name) + getattr(b, name))
        return totals

    def as_dict(self) -> dict:
        return {
            "cash_budgeted": self.cash_budgeted,
            "cash_paid": self.cash_paid,
            "statuses": self.statuses,
            "stock": [
                {
                    "point_id": b.point_id,
                    "item_id": b.item_id,
                    "received": b.received,
                    "handed_over": b.handed_over,
                    "on_hand": b.on_hand,
                }
                for b in self.balances
            ],
        }


# The figures' statement is built once per process (the round as a parameter). The cash
# paid rides along as a sub-query, the same on every status's row: a handover is of an
# entitlement of the round, so a round without entitlements paid nothing.
@cache
def _figures_statement():
    paid = (
        select(func.coalesce(func.sum(Handover.cash_paid), 0))
        .where(Handover.round_id == bindparam("round_id"), live_handovers())
        .scalar_subquery()
    )
    return (
        select(
            Entitlement.status,
            func.count(),
            func.coalesce(func.sum(Entitlement.cash_due), 0),
            paid,
        )
        .where(Entitlement.round_id == bindparam("round_id"))
        .group_by(Entitlement.status)
    )


def reconciliation(
    round_id: int, *, with_due: bool = True, names: dict | None = None
) -> Reconciliation:
    """The round's figures as they are now (the ledger's `due` only `with_due`); a page
    that holds the round's `ledger_names` passes them (their keys are the balances'
    points and items, two statements fewer)."""
    statuses, budgeted, paid = {}, 0, 0
    for status, count, cash_due, round_paid in read(
        db.session, _figures_statement(), {"round_id": round_id}
    ):
        statuses[status] = count
        paid = round_paid
        if status != "cancelled":
            budgeted += int(cash_due or 0)
    ids = (
        {}
        if names is None
        else {"point_ids": list(names["points"]), "item_ids": list(names["items"])}
    )
    return Reconciliation(
        balances(round_id, with_due=with_due, **ids), budgeted, int(paid or 0), statuses
    )


def close_round(round_id: int, *, actor, ip: str | None = None) -> int:
    """Close an open round: every entitlement still due becomes "not collected"; how
    many did."""
    with write_transaction(db.session):
        round_ = locked_round(round_id)
        check_move(round_, "closed")
        result = db.session.execute(
            update(Entitlement)
            .where(Entitlement.round_id == round_id, Entitlement.status == "due")
            .values(status="not_collected", updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        round_.status = "closed"
        round_.closed_at = utcnow()
        record(
            "close_round",
            "distribution_round",
            round_id,
            actor=actor,
            ip=ip,
            after={"not_collected": result.rowcount},
        )
    return result.rowcount


def mark_reconciled(round_id: int, *, actor, note: str = "", ip: str | None = None) -> None:
    """Mark a closed round reconciled; the figures at that moment go into the audit log."""
    with write_transaction(db.session):
        round_ = locked_round(round_id)
        check_move(round_, "reconciled")
        figures = reconciliation(round_id)
        round_.status = "reconciled"
        round_.reconciled_at = utcnow()
        record(
            "reconcile_round",
            "distribution_round",
            round_id,
            actor=actor,
            ip=ip,
            summary=clean(note, 200) or None,
            after=figures.as_dict(),
        )


@dataclass
class NotCollected:
    """A not-collected entitlement as the closing page lists it (plain values: a round
    may leave hundreds)."""

    id: int
    rt: int
    rw: int | None
    collector_name: str | None
    flags: list[str]
    followed: bool


FLAG_LABELS = {
    "household_gone": _l("No living member of the household lives here any more"),
    "collector_dead": _l("The collector has died"),
    "collector_moved": _l("The collector moved away"),
    "alternate_dead": _l("The alternate has died"),
    "alternate_moved": _l("The alternate moved away"),
}


@cache
def _not_collected_statement():
    collector, alternate, member = aliased(Person), aliased(Person), aliased(Person)
    # Whether the household has a living member (alive and not merged:
    # is_alive_resident), asked of its members by household (the plan takes the
    # index on household_id: SQLite, without statistics, might otherwise take the
    # index on status and read every living person of the registry).
    lived_in = (
        exists()
        .where(
            member.household_id == Entitlement.household_id,
            member.status == "alive",
            member.merged_into_id.is_(None),
        )
        .correlate(Entitlement)
    )
    # Whether a follow-up round carries it (the unique index on follows_id).
    follower = aliased(Entitlement)
    followed = exists().where(follower.follows_id == Entitlement.id).correlate(Entitlement)
    return (
        select(
            Entitlement.id,
            Entitlement.rt,
            Entitlement.rw,
            lived_in,
            collector.name,
            collector.status,
            alternate.status,
            followed,
        )
        .outerjoin(collector, collector.id == Entitlement.collector_id)
        .outerjoin(alternate, alternate.id == Entitlement.alternate_id)
        .where(Entitlement.round_id == bindparam("round_id"), Entitlement.status == "not_collected")
        .order_by(Entitlement.rw, Entitlement.rt, Entitlement.id)
    )


def not_collected(round_id: int) -> list[NotCollected]:
    """The round's not-collected entitlements with the registry's flags (a household
    with no living member living there, a collector or alternate who died or moved) and
    whether a follow-up round already carries them. One query, plain rows."""
    rows = read(db.session, _not_collected_statement(), {"round_id": round_id})
    out = []
    for eid, rt, rw, lived_in, name, collector_status, alternate_status, followed in rows:
        flags = [] if lived_in else ["household_gone"]
        for role, status in (("collector", collector_status), ("alternate", alternate_status)):
            if status in GONE:
                flags.append(f"{role}_{status}")
        out.append(NotCollected(eid, rt, rw, name, flags, bool(followed)))
    return out


def cancel_entitlement(entitlement_id: int, *, reason: str, actor, ip: str | None = None) -> None:
    """Cancel a not-collected entitlement of a closed round, with the reason."""
    reason = clean(reason)
    if not reason:
        raise DistributionError(_l("Give the reason."), "reason")
    entitlement = db.session.get(Entitlement, entitlement_id)
    if entitlement is None:
        raise DistributionError(_l("There is no such entitlement."))
    with write_transaction(db.session):
        round_ = locked_round(entitlement.round_id)
        if round_.status not in ("closed", "reconciled"):
            raise DistributionError(_l("Close the round first."))
        followed = db.session.scalar(
            select(Entitlement.id).where(Entitlement.follows_id == entitlement_id)
        )
        changed = db.session.execute(
            update(Entitlement)
            .where(Entitlement.id == entitlement_id, Entitlement.status == "not_collected")
            .values(status="cancelled", cancel_reason=reason, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if followed or not changed:
            raise DistributionError(
                _l("Only a not-collected entitlement that was not carried over can be cancelled.")
            )
        record(
            "cancel_entitlement",
            "distribution_entitlement",
            entitlement_id,
            actor=actor,
            ip=ip,
            summary=reason,
            after={"round_id": round_.id},
        )
    db.session.expire_all()


def round_or_none(round_id: int) -> DistributionRound | None:
    return db.session.get(DistributionRound, round_id)
