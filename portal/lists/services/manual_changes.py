"""Manual changes to the working list: adding and removing a household, each with a reason."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.lists.models import ListChange, ListEntry, ListObjection, ListPeriod
from portal.lists.services.common import ListError, _clean, _touch
from portal.lists.services.draft import _living
from portal.models_base import utcnow
from portal.registry.models import Household


def changes(period: ListPeriod, limit: int | None = None) -> list[ListChange]:
    """The period's changes, newest first (the `limit` newest)."""
    return list(
        db.session.scalars(
            select(ListChange)
            .where(ListChange.period_id == period.id)
            .order_by(ListChange.at.desc(), ListChange.id.desc())
            .limit(limit)
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
