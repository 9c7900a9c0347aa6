"""Objections to a published version: filing them and deciding them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.lists.models import ListObjection, ListPeriod, ListVersion, ListVersionRow
from portal.lists.services.common import ListError, _clean
from portal.lists.services.manual_changes import _add, _remove
from portal.lists.services.versions import latest_version
from portal.models_base import utcnow, village_today
from portal.registry.models import Household


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
