"""The village head's approval of a round: one entitlement per household of the list.

The first approval snapshots, for every household on the round's list version, who
collects (the head, else the oldest living adult), an alternate (another adult,
a spouse first), the point and time slot of its RT, the cash due and each item due
(the registry's food formula where the round uses it). A later version of the list
(after an objection) changes the round only through an amendment: a further approval
with its reason, which adds the households new on that version and cancels the due
entitlements of those no longer on it. The database refuses an entitlement for a
household that is not on its approval's version (composite keys, migration 0021).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import load_only, selectinload

from portal.audit.services import record
from portal.database import write_transaction
from portal.distribution.models import (
    DistributionRound,
    Entitlement,
    EntitlementLine,
    RoundApproval,
)
from portal.distribution.services.carry import carried, carry_snapshot
from portal.distribution.services.common import (
    DistributionError,
    check_move,
    clean,
    locked_round,
    new_entitlement_code,
)
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.lists import queries as lists
from portal.models_base import village_today
from portal.registry.models import Household, Person
from portal.registry.scoring import food_entitlement, members_of
from portal.roles import OVERSEERS as APPROVERS

ADULT_AGE = 17  # the age at which a KTP is issued
CHUNK = 500


@dataclass(frozen=True)
class Collectors:
    collector_id: int | None
    alternate_id: int | None


def collectors(household: Household, today) -> Collectors:
    """Who collects for a household: the living head, else its oldest living adult; the
    alternate another living adult, a spouse before the others."""
    living = [p for p in household.members if p.is_alive_resident]
    adults = [p for p in living if (p.age_on(today) or 0) >= ADULT_AGE]
    head = next((p for p in living if p.relation == "head"), None)
    if head is None and adults:
        head = min(adults, key=lambda p: p.birth_date)
    others = [p for p in adults if head is None or p.id != head.id]
    others.sort(key=lambda p: (p.relation not in ("wife", "husband"), p.birth_date))
    return Collectors(head.id if head else None, others[0].id if others else None)


_MEMBER_FIELDS = (
    Person.id,
    Person.household_id,
    Person.status,
    Person.merged_into_id,
    Person.birth_date,
    Person.relation,
    Person.disability,
)


def _households(ids: list[int]) -> dict[int, Household]:
    found: dict[int, Household] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = (
            select(Household)
            .where(Household.id.in_(chunk))
            # Only what choosing the collectors and the food formula read: whole rows
            # of 2,000 households and their members cost seconds (bench/distribution.py).
            .options(
                load_only(Household.id),
                selectinload(Household.members).load_only(*_MEMBER_FIELDS),
            )
        )
        found.update({h.id: h for h in db.session.scalars(query)})
    return found


def _due_lines(round_: DistributionRound, household: Household, today) -> dict[int, int]:
    """item id -> thousandths due to this household."""
    food = {}
    if round_.use_food_formula:
        food = {
            line.key: int(round(line.quantity * 1000))
            for line in food_entitlement(members_of(household, today))
        }
    due = {}
    for item in round_.items:
        if round_.use_food_formula and item.formula_key:
            if food.get(item.formula_key):
                due[item.id] = food[item.formula_key]
        else:
            due[item.id] = item.quantity_milli
    return due


def _snapshot(round_: DistributionRound, approval: RoundApproval, listed) -> int:
    """Insert the entitlements (and their lines) of `listed` households; their number."""
    today = village_today()
    households = _households([row.household_id for row in listed])
    slots = {(s.rw, s.rt): s for p in round_.points for s in p.slots}
    only_point = round_.points[0].id if len(round_.points) == 1 else None
    rows, lines_by_household = [], {}
    for row in listed:
        household = households[row.household_id]
        who = collectors(household, today)
        slot = slots.get((row.rw, row.rt))
        rows.append(
            {
                "round_id": round_.id,
                "approval_id": approval.id,
                "version_id": approval.version_id,
                "household_id": row.household_id,
                "code": new_entitlement_code(),
                "collector_id": who.collector_id,
                "alternate_id": who.alternate_id,
                "point_id": slot.point_id if slot else only_point,
                "slot_id": slot.id if slot else None,
                "rt": row.rt,
                "rw": row.rw,
                "cash_due": round_.cash_amount or 0,
                "status": "due",
            }
        )
        lines_by_household[row.household_id] = _due_lines(round_, household, today)
    if not rows:
        return 0
    # Core executemany (one call), then one SELECT of the new ids: the ORM's bulk INSERT
    # ... RETURNING of 2,000 rows costs several times more (bench/distribution.py).
    db.session.execute(Entitlement.__table__.insert(), rows)
    ids = db.session.execute(
        select(Entitlement.id, Entitlement.household_id).where(
            Entitlement.approval_id == approval.id
        )
    ).all()
    line_rows = [
        {
            "entitlement_id": entitlement_id,
            "round_id": round_.id,
            "item_id": item_id,
            "due_milli": due,
            "delivered_milli": 0,
        }
        for entitlement_id, household_id in ids
        for item_id, due in lines_by_household[household_id].items()
    ]
    if line_rows:
        db.session.execute(EntitlementLine.__table__.insert(), line_rows)
    return len(rows)


def _check_approver(actor) -> None:
    if getattr(actor, "role", None) not in APPROVERS:
        raise DistributionError(
            _l("Only the village head (auditor or administrator) approves a round.")
        )


def approve(round_id: int, *, actor, ip: str | None = None) -> RoundApproval:
    """Approve a draft round: snapshot one entitlement per listed household."""
    _check_approver(actor)
    with write_transaction(db.session):
        round_ = locked_round(round_id)
        check_move(round_, "approved")
        if not round_.points:
            raise DistributionError(_l("Add at least one distribution point first."))
        if not round_.items and not round_.cash_amount:
            raise DistributionError(_l("Say what each household receives: cash or items."))
        listed = lists.listed_households(round_.version_id)
        if not listed:
            raise DistributionError(_l("The round's recipient list has no households."))
        # A follow-up round carries over only what the round it follows did not hand out.
        carry = carried(round_, listed) if round_.follows_round_id else None
        approval = RoundApproval(
            round_id=round_.id,
            period_id=round_.period_id,
            version_id=round_.version_id,
            number=1,
            added=len(listed if carry is None else carry),
            approved_by_id=getattr(actor, "id", None),
        )
        db.session.add(approval)
        db.session.flush()
        if carry is None:
            added = _snapshot(round_, approval, listed)
        else:
            added = carry_snapshot(round_, approval, carry, collectors)
        round_.status = "approved"
        record(
            "approve_round",
            "distribution_round",
            round_.id,
            actor=actor,
            ip=ip,
            summary=f"{added} households",
            after={"version_id": round_.version_id, "entitlements": added},
        )
    return approval


def amend(
    round_id: int, *, version_id: int, reason: str, actor, ip: str | None = None
) -> RoundApproval:
    """Move an approved or open round to a later version of its list, with the reason:
    households new on it get an entitlement, due ones no longer on it are cancelled
    (collected ones stay as they are, and are counted in the audit entry)."""
    _check_approver(actor)
    reason = clean(reason)
    if not reason:
        raise DistributionError(_l("Give the reason for the change."), "reason")
    with write_transaction(db.session):
        round_ = locked_round(round_id)
        if round_.status not in ("approved", "open"):
            raise DistributionError(_l("Only an approved or open round can be amended."))
        info = lists.version_info(version_id)
        current = lists.version_info(round_.version_id)
        if info is None or info.period_id != round_.period_id or info.number <= current.number:
            raise DistributionError(
                _l("Choose a later published version of the round's list."), "version_id"
            )
        listed = lists.listed_households(version_id)
        on_list = {row.household_id for row in listed}
        have = dict(
            db.session.execute(
                select(Entitlement.household_id, Entitlement.status).where(
                    Entitlement.round_id == round_.id
                )
            ).all()
        )
        new_rows = [row for row in listed if row.household_id not in have]
        gone_due = [h for h, status in have.items() if h not in on_list and status == "due"]
        gone_handled = [h for h, status in have.items() if h not in on_list and status != "due"]
        number = db.session.scalar(
            select(func.max(RoundApproval.number)).where(RoundApproval.round_id == round_.id)
        )
        approval = RoundApproval(
            round_id=round_.id,
            period_id=round_.period_id,
            version_id=version_id,
            number=(number or 0) + 1,
            reason=reason,
            added=len(new_rows),
            cancelled=len(gone_due),
            approved_by_id=getattr(actor, "id", None),
        )
        db.session.add(approval)
        db.session.flush()
        _snapshot(round_, approval, new_rows)
        if gone_due:
            db.session.execute(
                update(Entitlement)
                .where(
                    Entitlement.round_id == round_.id,
                    Entitlement.household_id.in_(gone_due),
                    Entitlement.status == "due",
                )
                .values(
                    status="cancelled", cancel_reason=reason, cancelled_by_approval_id=approval.id
                )
            )
        round_.version_id = version_id
        record(
            "amend_round",
            "distribution_round",
            round_.id,
            actor=actor,
            ip=ip,
            summary=reason,
            after={
                "version_id": version_id,
                "added": len(new_rows),
                "cancelled": len(gone_due),
                "handled_not_listed": len(gone_handled),
            },
        )
    return approval
