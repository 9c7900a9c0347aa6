"""Read-only distribution data for other features: the rounds, points and items a
purchase may be for (procurement), and how entitlements ended, as counts, never a
household (the monitoring dashboard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import bindparam, func, select

from portal.database import read
from portal.distribution.models import (
    DistributionPoint,
    DistributionRound,
    Entitlement,
    Handover,
    HandoverVoid,
    RoundItem,
)
from portal.distribution.services.common import normalize_entitlement_code
from portal.extensions import db


def entitlement_outcomes(first: date, last: date) -> dict[str, int]:
    """Entitlements of the rounds starting in [first, last] (not cancelled ones, nor
    cancelled rounds) by status, and how many were collected by a proxy (a live,
    unvoided handover)."""
    rounds = select(DistributionRound.id).where(
        DistributionRound.starts_on >= first,
        DistributionRound.starts_on <= last,
        DistributionRound.status != "cancelled",
    )
    counts = dict(
        db.session.execute(
            select(Entitlement.status, func.count(Entitlement.id))
            .where(Entitlement.round_id.in_(rounds), Entitlement.status != "cancelled")
            .group_by(Entitlement.status)
        ).all()
    )
    proxy = db.session.scalar(
        select(func.count(Handover.id))
        .outerjoin(HandoverVoid, HandoverVoid.handover_id == Handover.id)
        .where(
            Handover.round_id.in_(rounds),
            Handover.collected_by == "proxy",
            HandoverVoid.id.is_(None),
        )
    )
    counts["by_proxy"] = int(proxy or 0)
    return counts


# Rounds a purchase may still buy for (not reconciled, not cancelled).
OPEN_ROUNDS = ("draft", "approved", "open", "closed")


@dataclass(frozen=True)
class RoundRow:
    id: int
    title_id: str
    title_en: str | None
    starts_on: object
    status: str

    def title(self, lang: str) -> str:
        return (self.title_en if lang == "en" and self.title_en else self.title_id) or ""


@cache
def _rounds_statement(by_status: bool):
    t = DistributionRound.__table__
    stmt = select(t.c.id, t.c.title_id, t.c.title_en, t.c.starts_on, t.c.status).order_by(
        t.c.starts_on.desc(), t.c.id.desc()
    )
    if by_status:
        stmt = stmt.where(t.c.status.in_(bindparam("statuses", expanding=True)))
    return stmt


def rounds(statuses=None) -> list[RoundRow]:
    """Distribution rounds, latest first (optionally of some statuses)."""
    values = {"statuses": list(statuses)} if statuses else {}
    return [RoundRow(*row) for row in read(db.session, _rounds_statement(bool(statuses)), values)]


@cache
def _round_rows_statements():
    t = DistributionRound.__table__
    columns = (t.c.id, t.c.title_id, t.c.title_en, t.c.starts_on, t.c.status)
    one = select(*columns).where(t.c.id == bindparam("round_id"))
    many = select(*columns).where(t.c.id.in_(bindparam("ids", expanding=True)))
    return one, many


def round_row(round_id: int, run=None) -> RoundRow | None:
    """The round's RoundRow, or None; `run`: a page's services.common.reader, for a page
    that reads more on the same connection."""
    statement, values = _round_rows_statements()[0], {"round_id": round_id}
    row = (read(db.session, statement, values) if run is None else run(statement, values)).first()
    return RoundRow(*row) if row else None


def round_rows(ids: list[int]) -> dict[int, RoundRow]:
    """{id: RoundRow} of these rounds (those that exist), in one statement."""
    if not ids:
        return {}
    rows = read(db.session, _round_rows_statements()[1], {"ids": list(ids)})
    return {row[0]: RoundRow(*row) for row in rows}


def round_points(round_id: int) -> list[tuple[int, str]]:
    t = DistributionPoint.__table__
    return list(
        db.session.execute(
            select(t.c.id, t.c.name).where(t.c.round_id == round_id).order_by(t.c.id)
        )
    )


def round_items(round_id: int) -> list[tuple[int, str, str]]:
    """(id, Indonesian name, unit) of a round's items."""
    t = RoundItem.__table__
    return list(
        db.session.execute(
            select(t.c.id, t.c.name_id, t.c.unit)
            .where(t.c.round_id == round_id)
            .order_by(t.c.position, t.c.id)
        )
    )


@dataclass(frozen=True)
class InvitationRow:
    """An invitation found by its code, without the household: enough to let its holder
    answer the round's survey once (the entitlement's id names the invitation)."""

    entitlement_id: int
    round_id: int
    rt: int
    rw: int | None
    status: str


def invitation_by_code(text: str | None) -> InvitationRow | None:
    """The invitation a typed code names (as printed, any case, with or without
    dashes), or None."""
    code = normalize_entitlement_code(text)
    if code is None:
        return None
    t = Entitlement.__table__
    row = db.session.execute(
        select(t.c.id, t.c.round_id, t.c.rt, t.c.rw, t.c.status).where(t.c.code == code)
    ).first()
    return InvitationRow(*row) if row else None


def invitation_in_rounds(rounds, household_id: int, params: dict) -> int | None:
    """The id of a household's invitation in the first (by id) of `rounds` that invited
    it, or None, in one statement: `rounds` is a statement selecting round ids, built
    once per process by the caller, its values in `params`."""
    values = {**params, "household_id": household_id}
    return read(db.session, _invitation_in_rounds_statement(rounds), values).scalar()


@cache  # built once per process for each statement of rounds; values bound
def _invitation_in_rounds_statement(rounds):
    t = Entitlement.__table__
    return (
        select(t.c.id)
        .where(t.c.household_id == bindparam("household_id"), t.c.round_id.in_(rounds))
        .order_by(t.c.round_id)
        .limit(1)
    )
