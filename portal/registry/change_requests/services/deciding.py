"""The operator's decision: accept (the registry changes through its own services, the
scores are recomputed, and each audit entry of the change names the request) or refuse
with a reason the resident reads. Either way in one transaction with the request's own
audit entry and the message to the resident; a request is decided once (its row is
locked and its status checked under the lock)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.registry.change_requests.models import ChangeRequest
from portal.registry.change_requests.services import messages
from portal.registry.change_requests.services.filing import ChangeRequestError
from portal.registry.models import Household, Person
from portal.registry.services import (
    stage_household,
    stage_move,
    stage_person,
    still_enrolled_messages,
)

DECIDED = _l("This request was decided already.")
GONE = _l("This person is no longer a living member of the household; refuse the request.")


def _raise_first(errors: dict) -> None:
    if errors:
        raise ChangeRequestError(next(iter(errors.values())))


def _member(request: ChangeRequest) -> Person:
    person = db.session.get(Person, request.person_id)
    if person is None or person.household_id != request.household_id:
        raise ChangeRequestError(GONE)
    if not person.is_alive_resident:
        raise ChangeRequestError(GONE)
    return person


def _apply(request: ChangeRequest, household: Household, actor, ip, summary: str) -> list:
    """Carry the request out through the registry's services; returns warnings."""
    d = request.details
    kw = {"actor": actor, "ip": ip, "summary": summary}
    if request.kind == "birth":
        data = {
            "name": d["name"],
            "sex": d["sex"],
            "birth_date": date.fromisoformat(d["birth_date"]),
            "relation": "child",
        }
        on = date.fromisoformat(d["birth_date"])
        _p, errors, _w = stage_person(None, data, household=household, reason="birth", on=on, **kw)
        _raise_first(errors)
    elif request.kind in ("death", "move_out"):
        person = _member(request)
        status = "dead" if request.kind == "death" else "moved"
        data = {"status": status, "status_date": date.fromisoformat(d["date"])}
        _p, errors, _w = stage_person(person, data, **kw)
        _raise_first(errors)
        return still_enrolled_messages(person)
    elif request.kind == "move_in":
        _move_in(d, household, kw)
    elif request.kind == "kk_number":
        _h, errors = stage_household(
            household, {"kk_number": d["kk_number"]}, kk_reason=d["reason"], **kw
        )
        _raise_first(errors)
    else:  # address, situation: household fields as asked
        _h, errors = stage_household(household, dict(d), **kw)
        _raise_first(errors)
    return []


def _move_in(d: dict, household: Household, kw: dict) -> None:
    """Someone already in the registry (by NIK) moves; anyone else is added."""
    on = date.fromisoformat(d["date"])
    known = (
        db.session.scalar(select(Person).where(Person.nik == d["nik"])) if d.get("nik") else None
    )
    if known is not None:
        if known.household_id == household.id:
            raise ChangeRequestError(_l("This person is a member of the household already."))
        if known.merged_into_id is not None:
            raise ChangeRequestError(_l("This NIK belongs to a merged record; check the registry."))
        stage_move(known, household, relation=d["relation"], reason="moved_in", on=on, **kw)
        return
    data = {
        "name": d["name"],
        "nik": d.get("nik") or None,
        "sex": d["sex"],
        "birth_date": date.fromisoformat(d["birth_date"]),
        "relation": d["relation"],
    }
    _p, errors, _w = stage_person(None, data, household=household, reason="moved_in", on=on, **kw)
    _raise_first(errors)


def _locked_open(request_id: int) -> ChangeRequest:
    request = db.session.scalars(
        select(ChangeRequest)
        .where(ChangeRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if request is None:
        raise ChangeRequestError(_l("No such request."))
    if request.status != "open":
        raise ChangeRequestError(DECIDED)
    return request


def _close(request: ChangeRequest, status: str, actor) -> None:
    request.status = status
    request.open_slot = None
    request.decided_at = utcnow()
    request.decided_by_id = getattr(actor, "id", None)


def accept(request_id: int, *, actor, ip: str | None = None) -> list:
    """Accept and carry out a request. Commits; returns warnings for the operator (a
    programme the person is still enrolled in). ChangeRequestError, nothing written,
    when the registry refuses the change or the request was decided already."""
    with write_transaction(db.session):
        request = _locked_open(request_id)
        household = db.session.get(Household, request.household_id)
        summary = f"change request {request.id} ({request.kind}) accepted"
        warnings = _apply(request, household, actor, ip, summary)
        _close(request, "accepted", actor)
        record(
            "change_request_accepted",
            "change_request",
            request.id,
            actor=actor,
            ip=ip,
            summary=f"{summary} for household {request.household_id}",
            before={"status": "open"},
            after={"status": "accepted"},
        )
        messages.tell(request, "accepted")
    return warnings


def refuse(request_id: int, reason: str, *, actor, ip: str | None = None) -> ChangeRequest:
    """Refuse with a reason the resident reads. Commits; ChangeRequestError otherwise."""
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise ChangeRequestError(_l("Please give a reason; the resident reads it."), "reason")
    with write_transaction(db.session):
        request = _locked_open(request_id)
        request.refusal_reason = reason
        _close(request, "refused", actor)
        record(
            "change_request_refused",
            "change_request",
            request.id,
            actor=actor,
            ip=ip,
            summary=f"change request {request.id} ({request.kind}) refused: {reason}",
            before={"status": "open"},
            after={"status": "refused"},
        )
        messages.tell(request, "refused")
    return request
