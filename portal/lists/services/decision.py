"""The special village meeting's decision on the list, with its attendees."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from portal.audit.services import record
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.lists.models import ListAttendee, ListDecision, ListPeriod
from portal.lists.services.common import ListError


def parse_attendees(text: str) -> list[tuple[str, str, bool]]:
    """One attendee per line, "Name; role". A role naming the BPD marks a BPD member."""
    out = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, _sep, role = line.partition(";")
        name, role = name.strip()[:120], role.strip()[:120]
        if not name or not role:
            raise ListError(
                _l("Write each attendee on a line of their own as “Name; role”."), "attendees"
            )
        out.append((name, role, "bpd" in role.lower()))
    return out


def record_decision(
    period: ListPeriod,
    data: dict,
    attendees_text: str,
    *,
    actor,
    scan: tuple[str, str] | None = None,
    ip: str | None = None,
    accounts: list[tuple[str, str, bool, int]] = (),
) -> ListDecision:
    """Record the special village meeting (Musyawarah Desa Khusus) of a period.

    `scan` is (stored file name, mimetype) of the checked upload. The BPD must be among
    the named attendees: the BPD holds this meeting. `accounts` are attendees picked
    as accounts (`duties.attendee_accounts`: name, role, is BPD, account id).
    """
    attendees = [*accounts, *((n, r, b, None) for n, r, b in parse_attendees(attendees_text))]
    if not attendees:
        raise ListError(_l("Name the attendees and their roles."), "attendees")
    if not any(a[2] for a in attendees):
        raise ListError(
            _l("The BPD holds this meeting: name at least one BPD member among the attendees."),
            "attendees",
        )
    if data["attendees_count"] < len(attendees):
        raise ListError(
            _l("The number present cannot be smaller than the named attendees."),
            "attendees_count",
        )
    decision = ListDecision(
        period_id=period.id,
        held_on=data["held_on"],
        place=data["place"].strip(),
        attendees_count=data["attendees_count"],
        quorum_required=data["quorum_required"],
        decisions=data["decisions"].strip(),
        minutes=data["minutes"].strip(),
        scan_file=scan[0] if scan else None,
        scan_mimetype=scan[1] if scan else None,
        recorded_by_id=getattr(actor, "id", None),
        attendees=[ListAttendee(name=n, role=r, is_bpd=b, user_id=u) for n, r, b, u in attendees],
    )
    db.session.add(decision)
    db.session.flush()
    record(
        "record_decision",
        "recipient_decision",
        decision.id,
        actor=actor,
        after={
            "period_id": period.id,
            "held_on": decision.held_on,
            "place": decision.place,
            "attendees_count": decision.attendees_count,
            "quorum_required": decision.quorum_required,
            "bpd_present": True,
            "attendee_accounts": [a[3] for a in accounts],
            "scan": bool(scan),
        },
        ip=ip,
    )
    db.session.commit()
    return decision


def latest_decision(period: ListPeriod) -> ListDecision | None:
    return db.session.scalar(
        select(ListDecision)
        .where(ListDecision.period_id == period.id)
        .order_by(ListDecision.held_on.desc(), ListDecision.id.desc())
        .limit(1)
    )


def decisions(period: ListPeriod) -> list[ListDecision]:
    """The period's meetings, newest first, with their named attendees (the period page
    lists them under each meeting: one statement for all, not one a meeting)."""
    return list(db.session.scalars(_decisions_statement(), {"period_id": period.id}))


@cache
def _decisions_statement():
    return (
        select(ListDecision)
        .where(ListDecision.period_id == bindparam("period_id"))
        .options(selectinload(ListDecision.attendees))
        .order_by(ListDecision.held_on.desc(), ListDecision.id.desc())
    )
