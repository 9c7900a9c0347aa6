"""Rules of the recipient lists: periods, the draft from the registry, manual changes,
the village decision and approval, publishing versions, objections and the self-check.

Views call these; tests call them directly. Every staff change writes an audit entry in
the same transaction (`portal.audit.services.record`). What a published version keeps
is only what the public may see: the masked name, RT/RW and the household id (for the
self-check and objections), never a NIK, KK number, birth date or address.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.audit.services import record, snapshot
from portal.database import write_transaction
from portal.extensions import db
from portal.lists import duties
from portal.lists.models import (
    COMPOSITIONS,
    ListApproval,
    ListAttendee,
    ListChange,
    ListDecision,
    ListEntry,
    ListObjection,
    ListPeriod,
    ListVersion,
    ListVersionRow,
)
from portal.models_base import utcnow, village_today
from portal.numbers import is_whole
from portal.privacy import mask_name
from portal.programmes.models import Programme
from portal.registry import enrolments, scoring
from portal.registry.models import NEED_LEVELS, Household, Person
from portal.registry.services import covered_households, normalise_name

# The village head signs the list: the village head and the BPD use the auditor role, and
# an admin may also be the village head; an operator, who prepares the list, never does.
from portal.roles import OVERSEERS as APPROVERS
from portal.service_errors import ServiceError

PERIOD_FIELDS = (
    "programme_id",
    "title_id",
    "title_en",
    "starts_on",
    "ends_on",
    "budget",
    "amount",
    "benefit_id",
    "benefit_en",
    "rule_need_levels",
    "rule_max_desil",
    "rule_min_members",
    "rule_composition",
    "rule_aid_fit",
    "rule_not_covered",
    "objection_days",
)
# What the village head's approval covers besides the list itself: changing any of these
# on a period whose list was approved calls for a new approval (and, with it, the
# registry's enrolments follow the new dates). The titles are only names.
APPROVED_FIELDS = tuple(f for f in PERIOD_FIELDS if f not in ("title_id", "title_en"))
MAX_REASON = 2000


class ListError(ServiceError, ValueError):
    """A refused action; the message is for the reader, `field` names the form field."""


def _clean(text: str | None) -> str:
    return (text or "").strip()[:MAX_REASON]


def _touch(period: ListPeriod) -> None:
    period.changed_at = utcnow()


# ---------------------------------------------------------------------------- periods


def get_period(period_id: int) -> ListPeriod | None:
    return db.session.get(ListPeriod, period_id)


def list_periods() -> list[ListPeriod]:
    return list(
        db.session.scalars(
            select(ListPeriod)
            .options(selectinload(ListPeriod.programme))
            .order_by(ListPeriod.starts_on.desc(), ListPeriod.id.desc())
        )
    )


def _value(value):
    """A stored value as the approval sees it: an empty text is no text."""
    return None if value == "" else value


def save_period(period: ListPeriod | None, data: dict, *, actor, ip: str | None = None):
    """Create or update a period. Raises ListError for a bad value.

    Changing what an approval covers (programme, dates, budget, what is given, the rules,
    the objection days) marks the list changed, so it needs the village head's approval
    again before its next version is published; that approval moves the registry
    enrolments the list made to the new dates."""
    if db.session.get(Programme, data.get("programme_id") or 0) is None:
        raise ListError(_l("Choose a programme from the list."), "programme_id")
    if data["ends_on"] < data["starts_on"]:
        raise ListError(_l("The period cannot end before it starts."), "ends_on")
    levels = data.get("rule_need_levels") or ""
    if isinstance(levels, list | tuple):
        levels = " ".join(levels)
    if not levels.split() or any(level not in NEED_LEVELS for level in levels.split()):
        raise ListError(_l("Choose at least one need level."), "rule_need_levels")
    data = {
        **data,
        "rule_need_levels": levels,
        "rule_composition": data.get("rule_composition") or "",
    }
    if data["rule_composition"] not in COMPOSITIONS:
        raise ListError(_l("Choose a household composition from the list."), "rule_composition")
    creating = period is None
    before = None if creating else snapshot(period, PERIOD_FIELDS)
    if creating:
        period = ListPeriod(created_by_id=getattr(actor, "id", None))
        db.session.add(period)
    covered = {name: getattr(period, name) for name in APPROVED_FIELDS}
    for name in PERIOD_FIELDS:
        if name in data:
            setattr(period, name, data[name])
    if not creating and any(_value(getattr(period, n)) != _value(v) for n, v in covered.items()):
        _touch(period)
    db.session.flush()
    record(
        "create" if creating else "update",
        "recipient_period",
        period.id,
        actor=actor,
        before=before,
        after=snapshot(period, PERIOD_FIELDS),
        ip=ip,
    )
    db.session.commit()
    return period


# ------------------------------------------------------------------------ draft list


def _living(household: Household) -> list[Person]:
    return [p for p in household.members if p.is_alive_resident]


def recipient_name(household: Household) -> str:
    """Whose name stands on the list: the head, or the oldest living member."""
    head = household.head
    if head is not None and head.is_alive_resident:
        return head.name
    living = _living(household)
    if not living:
        return head.name if head else ""
    return min(living, key=lambda p: (p.birth_date is None, p.birth_date or date.max, p.id)).name


def _fits_composition(period: ListPeriod, members: list[scoring.Member]) -> bool:
    living = [m for m in members if m.alive]
    if not living:
        return False
    if period.rule_min_members and len(living) < period.rule_min_members:
        return False
    kind = period.rule_composition
    ages = [m.age for m in living if m.age is not None]
    if kind == "children":
        return any(a < scoring.CHILD_UNDER for a in ages)
    if kind == "school_age":
        low, high = scoring.SCHOOL_AGE
        return any(low <= a <= high for a in ages)
    if kind == "elderly":
        return any(a >= scoring.ELDER_FROM for a in ages)
    if kind == "disabled":
        return any(m.disabled for m in living)
    return True


def draft_candidates(period: ListPeriod) -> list[Household]:
    """The households the programme's rules propose for the period, in RW/RT order.

    The rules: a need level the period names (registry scoring), the desil at or below
    the period's limit when it has one (an unknown desil does not qualify then), the
    household fits the programme's kind of aid (scoring's aid types), its living members
    match the composition asked for (ages on the first day of the period), and it is not
    already receiving the same kind of aid during the period
    (`registry.services.covered_households`; the enrolments this list's own approval
    made do not count, so an approved list still matches its rules).
    """
    aid_type = period.programme.aid_type
    stmt = select(Household).where(Household.need_level.in_(period.need_levels))
    if period.rule_max_desil:
        stmt = stmt.where(Household.desil.is_not(None), Household.desil <= period.rule_max_desil)
    if period.rule_aid_fit and aid_type != "other":
        stmt = stmt.where(Household.aid_types.like(f"% {aid_type} %"))
    stmt = stmt.options(selectinload(Household.members)).order_by(
        Household.rw, Household.rt, Household.id
    )
    own = db.session.scalars(
        select(ListEntry.enrolment_id).where(
            ListEntry.period_id == period.id, ListEntry.enrolment_id.is_not(None)
        )
    ).all()
    covered = (
        covered_households(aid_type, period.starts_on, period.ends_on, ignore_enrolments=own)
        if period.rule_not_covered
        else set()
    )
    out = []
    for household in db.session.scalars(stmt):
        if household.id in covered:
            continue
        if _fits_composition(period, scoring.members_of(household, period.starts_on)):
            out.append(household)
    return out


def propose_draft(period: ListPeriod, *, actor, ip: str | None = None) -> int:
    """Fill an empty working list from the programme's rules. Returns how many were put on."""
    if db.session.scalar(select(func.count()).where(ListEntry.period_id == period.id)):
        raise ListError(_l("This list already has households; change it one by one."))
    households = draft_candidates(period)
    now = utcnow()
    if households:
        db.session.execute(
            ListEntry.__table__.insert(),
            [
                dict(
                    period_id=period.id,
                    household_id=h.id,
                    active=True,
                    source="rule",
                    added_at=now,
                )
                for h in households
            ],
        )
    period.drafted_by_id = getattr(actor, "id", None)
    _touch(period)
    record(
        "propose_draft",
        "recipient_period",
        period.id,
        actor=actor,
        summary=f"draft list proposed by the programme's rules: {len(households)} households",
        ip=ip,
    )
    db.session.commit()
    return len(households)


def entries_query(period: ListPeriod, active: bool = True):
    return (
        select(ListEntry)
        .join(Household, Household.id == ListEntry.household_id)
        .where(ListEntry.period_id == period.id, ListEntry.active.is_(active))
        .options(selectinload(ListEntry.household).selectinload(Household.members))
        .order_by(Household.rw, Household.rt, Household.id)
    )


@dataclass(frozen=True)
class RuleCheck:
    """The working list against the period's rules as they stand now, on the registry as
    it stands now: what a fresh draft would differ by. Nothing is changed here; staff
    change the list one household at a time, each with a written reason."""

    # On the list, but the rules would not propose the household now.
    unmatched: list[ListEntry]
    # Proposed by the rules, not on the list (a household taken off earlier included:
    # `taken_off` holds their ids, so staff see it was a decision).
    missing: list[Household]
    taken_off: frozenset[int]

    @property
    def agrees(self) -> bool:
        return not self.unmatched and not self.missing


def rule_check(period: ListPeriod) -> RuleCheck:
    """Compare the working list with `draft_candidates` (the programme's rules now)."""
    proposed = {h.id: h for h in draft_candidates(period)}
    entries = list(
        db.session.scalars(
            select(ListEntry)
            .where(ListEntry.period_id == period.id)
            .options(selectinload(ListEntry.household).selectinload(Household.members))
        )
    )
    listed = {e.household_id for e in entries if e.active}
    unmatched = sorted(
        (e for e in entries if e.active and e.household_id not in proposed),
        key=lambda e: (e.household.rw or 0, e.household.rt or 0, e.household_id),
    )
    missing = [h for hid, h in proposed.items() if hid not in listed]
    taken_off = frozenset(e.household_id for e in entries if not e.active)
    return RuleCheck(unmatched, missing, taken_off)


def active_count(period: ListPeriod) -> int:
    return db.session.scalar(
        select(func.count()).where(ListEntry.period_id == period.id, ListEntry.active.is_(True))
    )


def changes(period: ListPeriod) -> list[ListChange]:
    return list(
        db.session.scalars(
            select(ListChange)
            .where(ListChange.period_id == period.id)
            .order_by(ListChange.at.desc(), ListChange.id.desc())
        )
    )


def _change(period, household_id, action, reason, actor, objection, ip) -> None:
    db.session.add(
        ListChange(
            period_id=period.id,
            household_id=household_id,
            action=action,
            reason=reason,
            objection_id=getattr(objection, "id", None),
            actor_id=getattr(actor, "id", None),
            actor_name=getattr(actor, "name", None),
        )
    )
    _touch(period)
    record(
        f"list_{action}",
        "recipient_entry",
        f"{period.id}:{household_id}",
        actor=actor,
        summary=reason,
        after={"period_id": period.id, "household_id": household_id, "reason": reason},
        ip=ip,
    )


def add_household(
    period: ListPeriod,
    household_id: int | None,
    reason: str | None,
    *,
    actor,
    objection: ListObjection | None = None,
    ip: str | None = None,
    commit: bool = True,
) -> ListEntry:
    """Put a household on the working list, with a written reason (audited).

    With commit=False the caller's transaction carries the change (objection decisions).
    """
    if not commit:
        return _add(period, household_id, reason, actor, objection, ip)
    try:
        with write_transaction(db.session):
            entry = _add(period, household_id, reason, actor, objection, ip)
    except IntegrityError:
        raise ListError(_l("This household is already on the list."), "household_id") from None
    return entry


def _add(period, household_id, reason, actor, objection, ip) -> ListEntry:
    reason = _clean(reason)
    if not reason:
        raise ListError(_l("Write the reason for this change."), "reason")
    household = db.session.get(Household, household_id or 0)
    if household is None:
        raise ListError(_l("There is no household with this number."), "household_id")
    if not _living(household):
        raise ListError(_l("No living resident in this household."), "household_id")
    entry = db.session.scalar(
        select(ListEntry).where(
            ListEntry.period_id == period.id, ListEntry.household_id == household.id
        )
    )
    if entry is not None and entry.active:
        raise ListError(_l("This household is already on the list."), "household_id")
    if entry is None:
        entry = ListEntry(period_id=period.id, household_id=household.id)
        db.session.add(entry)
    entry.active = True
    entry.decision_id = None
    entry.source = "objection" if objection is not None else "staff"
    entry.added_at = utcnow()
    _change(period, household.id, "add", reason, actor, objection, ip)
    db.session.flush()
    return entry


def remove_household(
    period: ListPeriod,
    household_id: int | None,
    reason: str | None,
    *,
    actor,
    objection: ListObjection | None = None,
    ip: str | None = None,
    commit: bool = True,
) -> ListEntry:
    """Take a household off the working list, with a written reason (audited)."""
    if not commit:
        return _remove(period, household_id, reason, actor, objection, ip)
    with write_transaction(db.session):
        return _remove(period, household_id, reason, actor, objection, ip)


def _remove(period, household_id, reason, actor, objection, ip) -> ListEntry:
    reason = _clean(reason)
    if not reason:
        raise ListError(_l("Write the reason for this change."), "reason")
    # A conditional UPDATE: of two removals at once, only one finds the entry active.
    taken = db.session.execute(
        update(ListEntry)
        .where(
            ListEntry.period_id == period.id,
            ListEntry.household_id == (household_id or 0),
            ListEntry.active.is_(True),
        )
        .values(active=False, decision_id=None)
    ).rowcount
    if not taken:
        raise ListError(_l("This household is not on the list."), "household_id")
    _change(period, household_id, "remove", reason, actor, objection, ip)
    return db.session.scalar(
        select(ListEntry).where(
            ListEntry.period_id == period.id, ListEntry.household_id == household_id
        )
    )


# ---------------------------------------------------------------------- the decision


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
    return list(
        db.session.scalars(
            select(ListDecision)
            .where(ListDecision.period_id == period.id)
            .order_by(ListDecision.held_on.desc(), ListDecision.id.desc())
        )
    )


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


# --------------------------------------------------------------------------- versions


def latest_version(period: ListPeriod) -> ListVersion | None:
    return db.session.scalar(
        select(ListVersion)
        .where(ListVersion.period_id == period.id)
        .order_by(ListVersion.number.desc())
        .limit(1)
    )


def get_version(period: ListPeriod, number: int) -> ListVersion | None:
    return db.session.scalar(
        select(ListVersion).where(ListVersion.period_id == period.id, ListVersion.number == number)
    )


def version_rows(version: ListVersion) -> list[ListVersionRow]:
    return list(
        db.session.scalars(
            select(ListVersionRow)
            .where(ListVersionRow.version_id == version.id)
            .order_by(ListVersionRow.rw, ListVersionRow.rt, ListVersionRow.masked_name)
        )
    )


def version_page(version: ListVersion, page: int, per_page: int) -> list[ListVersionRow]:
    """One page of a version's rows, in board order (only that page is loaded)."""
    return list(
        db.session.scalars(
            select(ListVersionRow)
            .where(ListVersionRow.version_id == version.id)
            .order_by(ListVersionRow.rw, ListVersionRow.rt, ListVersionRow.masked_name)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )


def _reported_objections(period: ListPeriod) -> set[int]:
    seen: set[int] = set()
    for (summary,) in db.session.execute(
        select(ListVersion.summary).where(ListVersion.period_id == period.id)
    ):
        seen.update(item["id"] for item in (summary or {}).get("objections", []))
    return seen


def publish(
    period: ListPeriod, *, actor, today: date | None = None, ip: str | None = None
) -> ListVersion:
    """Publish the approved list as its next version (kept for ever, append-only).

    The summary says what changed since the previous version (counts and masked names)
    and the outcome of each objection decided since then (number, kind, outcome; never
    who objected). The objection period runs `objection_days` from today.
    """
    today = today or village_today()
    try:
        return _publish(period, actor, today, ip)
    except IntegrityError:
        # The unique (period, number) is the backstop for two publishings at once.
        raise ListError(_l("This approved list is already published.")) from None


def _publish(period: ListPeriod, actor, today: date, ip: str | None) -> ListVersion:
    with write_transaction(db.session):
        # PostgreSQL: the second of two publishings waits here for the first to commit
        # (SQLite: BEGIN IMMEDIATE already serialises them).
        db.session.execute(
            select(ListPeriod.id).where(ListPeriod.id == period.id).with_for_update()
        )
        approval = latest_approval(period)
        if approval is None or not approval_holds(period, approval):
            raise ListError(_l("The village head has not approved the list as it stands."))
        previous = latest_version(period)
        if previous is not None and previous.approval_id == approval.id:
            raise ListError(_l("This approved list is already published."))
        entries = list(db.session.scalars(entries_query(period)))
        before = {}
        if previous is not None:
            before = {r.household_id: r.masked_name for r in version_rows(previous)}
        rows = []
        for entry in entries:
            name = recipient_name(entry.household)
            rows.append(
                dict(
                    household_id=entry.household_id,
                    masked_name=mask_name(name)[:120],
                    full_name=name[:120],
                    rt=entry.household.rt,
                    rw=entry.household.rw,
                )
            )
        now_ids = {r["household_id"] for r in rows}
        added = sorted(r["masked_name"] for r in rows if r["household_id"] not in before)
        removed = sorted(name for hid, name in before.items() if hid not in now_ids)
        reported = _reported_objections(period)
        decided = list(
            db.session.scalars(
                select(ListObjection)
                .where(ListObjection.period_id == period.id, ListObjection.status != "open")
                .order_by(ListObjection.id)
            )
        )
        outcomes = [
            {"id": o.id, "kind": o.kind, "status": o.status}
            for o in decided
            if o.id not in reported
        ]
        counts = Counter(f"{o['kind']}_{o['status']}" for o in outcomes)
        still_open = db.session.scalar(
            select(func.count()).where(
                ListObjection.period_id == period.id, ListObjection.status == "open"
            )
        )
        summary = {
            "previous": previous.number if previous else None,
            "added": len(added) if previous else 0,
            "removed": len(removed),
            "added_names": added if previous else [],
            "removed_names": removed,
            "objections": outcomes,
            "objection_counts": {
                "upheld": sum(1 for o in outcomes if o["status"] == "upheld"),
                "rejected": sum(1 for o in outcomes if o["status"] == "rejected"),
                **dict(counts),
            },
            "objections_open": still_open,
        }
        version = ListVersion(
            period_id=period.id,
            number=(previous.number + 1) if previous else 1,
            decision_id=approval.decision_id,
            approval_id=approval.id,
            published_by_id=getattr(actor, "id", None),
            published_at=utcnow(),
            objection_until=today + timedelta(days=period.objection_days),
            households=len(rows),
            summary=summary,
        )
        db.session.add(version)
        db.session.flush()
        if rows:
            for row in rows:
                row["version_id"] = version.id
            db.session.execute(ListVersionRow.__table__.insert(), rows)
        record(
            "publish_list",
            "recipient_version",
            version.id,
            actor=actor,
            after={"period_id": period.id, "number": version.number, "households": len(rows)},
            ip=ip,
        )
    return version


@dataclass(frozen=True)
class PlaceTotal:
    rt: int
    rw: int | None
    households: int
    amount: int | None

    @property
    def rt_rw(self) -> str:
        if self.rw is None:
            return f"{self.rt:03d}/–"
        return f"{self.rt:03d}/{self.rw:03d}"


def totals(version: ListVersion, amount: int | None) -> list[PlaceTotal]:
    """Households (and cash, when the period has an amount) per RT/RW."""
    rows = db.session.execute(
        select(ListVersionRow.rt, ListVersionRow.rw, func.count())
        .where(ListVersionRow.version_id == version.id)
        .group_by(ListVersionRow.rw, ListVersionRow.rt)
        .order_by(ListVersionRow.rw, ListVersionRow.rt)
    )
    return [PlaceTotal(rt, rw, n, n * amount if amount is not None else None) for rt, rw, n in rows]


def published_periods() -> list[tuple[ListPeriod, ListVersion]]:
    """Every period with a published version, newest first, with its latest version."""
    latest = (
        select(ListVersion.period_id, func.max(ListVersion.number).label("n"))
        .group_by(ListVersion.period_id)
        .subquery()
    )
    stmt = (
        select(ListPeriod, ListVersion)
        .join(latest, latest.c.period_id == ListPeriod.id)
        .join(
            ListVersion,
            (ListVersion.period_id == ListPeriod.id) & (ListVersion.number == latest.c.n),
        )
        .options(selectinload(ListPeriod.programme))
        .order_by(ListPeriod.starts_on.desc(), ListPeriod.id.desc())
    )
    return [(p, v) for p, v in db.session.execute(stmt)]


def current_lists(today: date | None = None) -> list[tuple[ListPeriod, ListVersion]]:
    """Published periods that have not ended."""
    today = today or village_today()
    return [(p, v) for p, v in published_periods() if p.ends_on >= today]


# ------------------------------------------------------------------------- objections


def objections_open(version: ListVersion, today: date | None = None) -> bool:
    return (today or village_today()) <= version.objection_until


def file_objection(
    version: ListVersion,
    kind: str,
    reason: str | None,
    *,
    row_id: int | None = None,
    subject_name: str | None = None,
    rt: int | None = None,
    rw: int | None = None,
    today: date | None = None,
) -> ListObjection:
    """An objection from anyone (no account). Refused once the objection period closed.

    Nothing about the objector is stored; the reply is the objection's number.
    """
    today = today or village_today()
    latest = latest_version(version.period)
    if latest is None or latest.id != version.id:
        raise ListError(_l("This version of the list has been replaced; object to the latest."))
    if not objections_open(version, today):
        raise ListError(_l("The objection period for this list has closed."))
    reason = _clean(reason)
    if not reason:
        raise ListError(_l("Write why you object."), "reason")
    objection = ListObjection(
        period_id=version.period_id, version_id=version.id, kind=kind, reason=reason
    )
    if kind == "remove":
        row = db.session.get(ListVersionRow, row_id or 0)
        if row is None or row.version_id != version.id:
            raise ListError(_l("Choose a household from the list."), "row_id")
        objection.row_id = row.id
    elif kind == "include":
        subject_name = _clean(subject_name)[:120]
        if not subject_name:
            raise ListError(_l("Write the name of the head of the household."), "subject_name")
        if rt is None:
            raise ListError(_l("Give the household's RT."), "rt")
        objection.subject_name, objection.rt, objection.rw = subject_name, rt, rw
    else:
        raise ListError(_l("Choose what your objection is about."), "kind")
    db.session.add(objection)
    db.session.commit()
    return objection


def period_objections(period: ListPeriod, status: str | None = None) -> list[ListObjection]:
    stmt = (
        select(ListObjection)
        .where(ListObjection.period_id == period.id)
        .options(selectinload(ListObjection.row), selectinload(ListObjection.version))
        .order_by(ListObjection.id)
    )
    if status:
        stmt = stmt.where(ListObjection.status == status)
    return list(db.session.scalars(stmt))


def decide_objection(
    objection: ListObjection,
    status: str,
    reason: str | None,
    *,
    actor,
    household_id: int | None = None,
    ip: str | None = None,
) -> ListObjection:
    """Uphold or reject an objection, with a reason. Upholding changes the working list
    (the household is taken off, or the household staff name is put on), which then
    needs the village head's approval before the next version."""
    if objection.status != "open":
        raise ListError(_l("This objection has already been decided."))
    if status not in ("upheld", "rejected"):
        raise ListError(_l("Choose a decision."), "status")
    reason = _clean(reason)
    if not reason:
        raise ListError(_l("Write the reason for the decision."), "reason")
    period = db.session.get(ListPeriod, objection.period_id)
    label = f"objection #{objection.id} upheld: {reason}"
    actor_id = getattr(actor, "id", None)
    if status == "upheld" and objection.kind == "remove":
        household_id = objection.row.household_id
    elif status == "upheld" and db.session.get(Household, household_id or 0) is None:
        raise ListError(_l("There is no household with this number."), "household_id")
    with write_transaction(db.session):
        # Once only, in the database: the first decision claims the open objection; a second
        # one at the same time finds it no longer open.
        claimed = db.session.execute(
            update(ListObjection)
            .where(ListObjection.id == objection.id, ListObjection.status == "open")
            .values(
                status=status,
                decision_reason=reason,
                decided_by_id=actor_id,
                decided_at=utcnow(),
                household_id=household_id if status == "upheld" else None,
            )
        ).rowcount
        if not claimed:
            raise ListError(_l("This objection has already been decided."))
        if status == "upheld" and objection.kind == "remove":
            _remove(period, household_id, label, actor, objection, ip)
        elif status == "upheld":
            _add(period, household_id, label, actor, objection, ip)
        record(
            "decide_objection",
            "recipient_objection",
            objection.id,
            actor=actor,
            after={"status": status, "reason": reason, "household_id": household_id},
            ip=ip,
        )
    db.session.refresh(objection)
    return objection


# ------------------------------------------------------------------------- self-check


@dataclass(frozen=True)
class Due:
    period: ListPeriod
    version: ListVersion


def self_check(nik: str, name: str, today: date | None = None) -> list[Due]:
    """The current published lists that include the household of the person with this
    NIK and name. Empty when there is none, when the NIK is unknown, and when the name
    does not match: the caller must answer all three the same way.

    Nothing is logged or audited here: the NIK never leaves this function.
    """
    nik = "".join(ch for ch in (nik or "") if is_whole(ch))
    if len(nik) != 16 or not normalise_name(name):
        return []
    person = db.session.scalar(
        select(Person).where(Person.nik == nik, Person.merged_into_id.is_(None))
    )
    if person is None or person.household_id is None or person.status != "alive":
        return []
    if person.name_norm != normalise_name(name):
        return []
    out = []
    for period, version in current_lists(today):
        found = db.session.scalar(
            select(ListVersionRow.id).where(
                ListVersionRow.version_id == version.id,
                ListVersionRow.household_id == person.household_id,
            )
        )
        if found:
            out.append(Due(period, version))
    return out


def open_for_objection(today: date | None = None) -> list[tuple[ListPeriod, ListVersion]]:
    today = today or village_today()
    return [(p, v) for p, v in current_lists(today) if objections_open(v, today)]
