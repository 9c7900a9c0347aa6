"""Checking that aid arrived: a random sample of the households that collected, asked
by a call or a visit.

The sample is the round's share (`sample_percent`) of the households that collected,
at least `sample_minimum` (all of them when there are fewer), drawn with `secrets`;
one check per entitlement (a unique key) and one sample per round (drawn under the
round's lock). "Not received", or "someone asked for or took a part", files a misuse
complaint through the complaints package in the same transaction; when the household
names a staff member it is routed to the village head and the BPD like every such
complaint. Its tracking code is returned once, for staff to give to the household.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import aliased

from portal.audit.services import record
from portal.complaints import services as complaints
from portal.database import read, write_transaction
from portal.distribution.models import CHECK_METHODS, CHECK_RESULTS, ArrivalCheck, Entitlement
from portal.distribution.services.common import DistributionError, clean, locked_round
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.registry.models import Person

RECEIVED = ("collected", "partly_collected")


def sample_size(collected: int, percent: int, minimum: int) -> int:
    """The share of the households that collected, at least the minimum, at most all."""
    return min(collected, max(math.ceil(collected * percent / 100), minimum))


def draw_sample(round_id: int, *, actor, ip: str | None = None) -> int:
    """Draw the round's sample once it is closed; how many households it holds."""
    with write_transaction(db.session):
        round_ = locked_round(round_id)
        if round_.status not in ("closed", "reconciled"):
            raise DistributionError(_l("Close the round first."))
        if db.session.scalar(select(ArrivalCheck.id).where(ArrivalCheck.round_id == round_id)):
            raise DistributionError(_l("The sample of this round has been drawn already."))
        ids = db.session.scalars(
            select(Entitlement.id)
            .where(Entitlement.round_id == round_id, Entitlement.status.in_(RECEIVED))
            .order_by(Entitlement.id)
        ).all()
        size = sample_size(len(ids), round_.sample_percent, round_.sample_minimum)
        if not size:
            raise DistributionError(_l("No household collected anything in this round."))
        chosen = sorted(secrets.SystemRandom().sample(ids, size))
        actor_id = getattr(actor, "id", None)
        db.session.execute(
            insert(ArrivalCheck),
            [{"round_id": round_id, "entitlement_id": e, "drawn_by_id": actor_id} for e in chosen],
        )
        record(
            "draw_sample",
            "distribution_round",
            round_id,
            actor=actor,
            ip=ip,
            after={"collected": len(ids), "sample": size},
        )
    return size


@dataclass(frozen=True)
class CheckRow:
    """A sampled household as the arrival check's list shows it (plain values)."""

    id: int
    rt: int
    rw: int | None
    collector: str | None  # the collector's name
    result: str | None
    part_taken: bool | None


@cache
def _checks_statement():
    return (
        select(
            ArrivalCheck.id,
            Entitlement.rt,
            Entitlement.rw,
            Person.name,
            ArrivalCheck.result,
            ArrivalCheck.part_taken,
        )
        .join(Entitlement, Entitlement.id == ArrivalCheck.entitlement_id)
        .outerjoin(Person, Person.id == Entitlement.collector_id)
        .where(ArrivalCheck.round_id == bindparam("round_id"))
        .order_by(ArrivalCheck.entitlement_id)
    )


def checks(round_id: int) -> list[CheckRow]:
    """The round's sampled households with the entitlement's RT/RW and the collector's
    name: one query, plain rows."""
    return [
        CheckRow(*row) for row in db.session.execute(_checks_statement(), {"round_id": round_id})
    ]


@cache
def _check_statement():
    collector, alternate = aliased(Person), aliased(Person)
    return (
        select(
            ArrivalCheck.id,
            ArrivalCheck.round_id,
            ArrivalCheck.method,
            ArrivalCheck.result,
            ArrivalCheck.part_taken,
            ArrivalCheck.note,
            ArrivalCheck.complaint_id,
            Entitlement.rt,
            Entitlement.rw,
            Entitlement.status,
            collector.id.label("collector_id"),
            collector.name.label("collector"),
            alternate.id.label("alternate_id"),
            alternate.name.label("alternate"),
        )
        .join(Entitlement, Entitlement.id == ArrivalCheck.entitlement_id)
        .outerjoin(collector, collector.id == Entitlement.collector_id)
        .outerjoin(alternate, alternate.id == Entitlement.alternate_id)
        .where(ArrivalCheck.id == bindparam("check_id"))
    )


def check_row(check_id: int):
    """One check as its page shows it, a plain row: the check's columns with its
    entitlement's RT/RW and status and the collector's and alternate's ids and names
    (None without one); None for no such check."""
    return db.session.execute(_check_statement(), {"check_id": check_id}).first()


# The complaint's text is stored in the village's language (Indonesian), as residents
# write theirs; it is data, not a page's wording.
STORED_RESULTS = {
    "received_full": "diterima lengkap",
    "not_received": "tidak diterima",
    "problems": "diterima dengan masalah",
}


def _description(round_, result: str, part_taken: bool, note: str) -> str:
    what = STORED_RESULTS[result]
    text = f"Cek penerimaan {round_.title_id} (#{round_.id}): {what}."
    if part_taken:
        text += " Ada yang meminta atau mengambil sebagian bantuan."
    return f"{text} {note}".strip()


def record_check(
    check_id: int,
    *,
    method: str,
    result: str,
    part_taken: bool,
    actor,
    note: str = "",
    named_staff_id: int | None = None,
    named_staff_text: str | None = None,
    ip: str | None = None,
) -> str | None:
    """Record the call or visit of one sampled household, once. Returns the tracking
    code of the complaint it filed, or None."""
    if method not in CHECK_METHODS:
        raise DistributionError(_l("Choose a call or a visit."), "method")
    if result not in CHECK_RESULTS:
        raise DistributionError(_l("Choose what the household said."), "result")
    note = clean(note)
    check = db.session.get(ArrivalCheck, check_id)
    if check is None:
        raise DistributionError(_l("There is no such check."))
    code = None
    with write_transaction(db.session):
        round_ = locked_round(check.round_id)
        complaint_id = None
        if result == "not_received" or part_taken:
            entitlement = db.session.get(Entitlement, check.entitlement_id)
            complaint, code = complaints.add_complaint(
                category="misuse",
                description=_description(round_, result, part_taken, note),
                rt=str(entitlement.rt),
                rw=str(entitlement.rw) if entitlement.rw else None,
                named_staff_id=named_staff_id,
                named_staff_text=named_staff_text,
            )
            complaint_id = complaint.id
        changed = db.session.execute(
            update(ArrivalCheck)
            .where(ArrivalCheck.id == check_id, ArrivalCheck.result.is_(None))
            .values(
                method=method,
                result=result,
                part_taken=part_taken,
                note=note or None,
                complaint_id=complaint_id,
                checked_at=utcnow(),
                checked_by_id=getattr(actor, "id", None),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            raise DistributionError(_l("This household's check has been recorded already."))
        record(
            "record_arrival_check",
            "distribution_round",
            round_.id,
            actor=actor,
            ip=ip,
            after={
                "check_id": check_id,
                "method": method,
                "result": result,
                "part_taken": part_taken,
                "complaint_id": complaint_id,
            },
        )
    db.session.expire_all()
    return code


@dataclass
class SampleSummary:
    drawn: int
    checked: int
    results: dict[str, int]
    part_taken: int
    complaints: int


@cache
def _summary_statement():
    return (
        select(
            ArrivalCheck.result,
            func.count(),
            func.count().filter(ArrivalCheck.part_taken.is_(True)),
            func.count(ArrivalCheck.complaint_id),
        )
        .where(ArrivalCheck.round_id == bindparam("round_id"))
        .group_by(ArrivalCheck.result)
    )


def sample_summary(round_id: int) -> SampleSummary:
    """The sample's results as counts (one statement: per result, summed here)."""
    rows = read(db.session, _summary_statement(), {"round_id": round_id}).all()
    results = {r: n for r, n, _p, _c in rows if r is not None}
    return SampleSummary(
        drawn=sum(n for _r, n, _p, _c in rows),
        checked=sum(results.values()),
        results=results,
        part_taken=sum(int(p or 0) for _r, _n, p, _c in rows),
        complaints=sum(int(c or 0) for _r, _n, _p, c in rows),
    )
