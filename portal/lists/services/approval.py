"""The village head's approval of the list, and the enrolments it makes in the registry."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.lists import duties
from portal.lists.models import ListApproval, ListEntry, ListPeriod
from portal.lists.services.common import ListError, _clean
from portal.lists.services.decision import latest_decision
from portal.lists.services.rule_checks import active_count
from portal.models_base import utcnow, village_today
from portal.registry import enrolments

# The village head signs the list: the village head and the BPD use the auditor role, and
# an admin may also be the village head; an operator, who prepares the list, never does.
from portal.roles import OVERSEERS as APPROVERS


def latest_approval(period: ListPeriod) -> ListApproval | None:
    return db.session.scalar(
        select(ListApproval)
        .where(ListApproval.period_id == period.id)
        .order_by(ListApproval.at.desc(), ListApproval.id.desc())
        .limit(1)
    )


def approval_holds(period: ListPeriod, approval: ListApproval | None = None) -> bool:
    """True when the latest approval is newer than the last change to the list."""
    approval = approval or latest_approval(period)
    if approval is None:
        return False
    changed = period.changed_at
    if changed is None:
        return True
    at = approval.at
    if at.tzinfo is None and changed.tzinfo is not None:
        changed = changed.replace(tzinfo=None)
    elif at.tzinfo is not None and changed.tzinfo is None:
        at = at.replace(tzinfo=None)
    return at >= changed


def approve(
    period: ListPeriod,
    *,
    actor,
    note: str | None = None,
    ip: str | None = None,
    today: date | None = None,
):
    """The village head approves the list as the meeting decided it.

    Only the approver roles may; the latest meeting must have its quorum and the BPD.
    Every active entry is linked to that decision, and the households on the list are
    enrolled in the programme for the period in the registry (`_enrol_listed`), so that
    the registry's overlap and coverage checks see them. A later change to the list
    needs a new approval before the next version is published.

    One write transaction that first locks the period's row (SQLite: BEGIN IMMEDIATE):
    of two approvals at the same time the second waits, then finds the list approved
    as it stands and is refused.
    """
    if getattr(actor, "role", None) not in APPROVERS:
        raise ListError(_l("Only the village head (auditor or administrator) approves a list."))
    today = today or village_today()
    period_id = period.id
    with write_transaction(db.session):
        db.session.execute(
            select(ListPeriod.id).where(ListPeriod.id == period_id).with_for_update()
        )
        period = db.session.get(ListPeriod, period_id, populate_existing=True)
        decision = latest_decision(period)
        if decision is None:
            raise ListError(_l("Record the special village meeting first."))
        if not decision.quorum_met:
            raise ListError(_l("The meeting did not reach its quorum: it cannot approve the list."))
        if not decision.bpd_present:
            raise ListError(_l("The BPD was not present at the meeting."))
        if (conflict := duties.approver_conflict(period, actor)) is not None:
            raise ListError(conflict, "note")
        count = active_count(period)
        if not count:
            raise ListError(_l("The list is empty."))
        if approval_holds(period):
            raise ListError(_l("This list is already approved as it stands."))
        db.session.execute(
            update(ListEntry)
            .where(ListEntry.period_id == period.id, ListEntry.active.is_(True))
            .values(decision_id=decision.id)
        )
        approval = ListApproval(
            period_id=period.id,
            decision_id=decision.id,
            approved_by_id=getattr(actor, "id", None),
            approver_name=getattr(actor, "name", "") or "",
            approver_role=actor.role,
            households=count,
            note=_clean(note) or None,
            at=utcnow(),
        )
        db.session.add(approval)
        db.session.flush()
        enrolled = _enrol_listed(period, actor, today)
        record(
            "approve_list",
            "recipient_period",
            period.id,
            actor=actor,
            after={
                "decision_id": decision.id,
                "households": count,
                "approval_id": approval.id,
                "enrolments": enrolled,
            },
            ip=ip,
        )
    return approval


def _enrol_listed(period: ListPeriod, actor, today: date) -> dict[str, list[int]]:
    """Make the registry's village enrolments match the approved list (caller's transaction).

    Each active household gets an enrolment in the period's programme from its first to
    its last day, unless the registry already has one for that programme from that day
    (made by hand: it is left as it is). Running it again changes nothing. A household
    taken off the list since an earlier approval loses the enrolment the list made: it
    is removed when the period has not begun, otherwise it ends yesterday. Each change
    goes through the registry (portal/registry/enrolments.py), audited in its shape.
    Returns the household ids per outcome.
    """
    out: dict[str, list[int]] = {"enrolled": [], "reopened": [], "ended": [], "removed": []}
    entries = list(db.session.scalars(select(ListEntry).where(ListEntry.period_id == period.id)))
    linked = enrolments.by_ids(x.enrolment_id for x in entries)
    by_hand = enrolments.households_enrolled_from(period.programme_id, period.starts_on)
    why = f"recipient list {period.id} approved"

    for entry in entries:
        item = linked.get(entry.enrolment_id) if entry.enrolment_id else None
        if entry.active and item is None:
            if entry.household_id in by_hand:
                continue
            item = enrolments.add(
                entry.household_id,
                period.programme_id,
                period.starts_on,
                period.ends_on,
                actor=actor,
                summary=why,
            )
            entry.enrolment_id = item.id
            out["enrolled"].append(entry.household_id)
        elif entry.active:
            if enrolments.set_period(
                item, period.starts_on, period.ends_on, actor=actor, summary=why
            ):
                out["reopened"].append(entry.household_id)
        elif item is not None:
            if today <= item.period_start:
                entry.enrolment_id = None
                db.session.flush()
                enrolments.remove(item, actor=actor, summary=why)
                out["removed"].append(entry.household_id)
            else:
                end = max(item.period_start, min(today - timedelta(days=1), period.ends_on))
                if enrolments.set_period(
                    item, item.period_start, end, actor=actor, action="end", summary=why
                ):
                    out["ended"].append(entry.household_id)
    db.session.flush()
    return {k: v for k, v in out.items() if v}
