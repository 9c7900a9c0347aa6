"""Filing a change request: what is asked is checked against the household it is
about, the documents by their content, and the household's open requests counted
under a lock (with the slot's UNIQUE constraint as the backstop).

A resident only ever files for the household their verified account lives in now
(`resident_household`); nothing they post names a household. A member named by a
death or a move out must be a living member of that household, so no form can reach
another household's people.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.registry.change_requests import hooks
from portal.registry.change_requests.models import (
    KINDS,
    MAX_OPEN,
    PERSON_KINDS,
    ChangeDocument,
    ChangeRequest,
)
from portal.registry.change_requests.services import documents, messages
from portal.registry.models import (
    BPS_COLUMNS,
    KK_CHANGE_REASONS,
    RELATIONS,
    SEXES,
    Household,
    Membership,
)
from portal.registry.residents import household_id_for
from portal.registry.validation import check_kk, check_nik, clean_number
from portal.service_errors import ServiceError

REQUIRED = _l("Please fill in this field.")
TOO_MANY = _l(
    "Your household already has %(n)d requests waiting for the village office. Please "
    "wait until one of them is decided.",
    n=MAX_OPEN,
)
NOT_A_MEMBER = _l("Choose a living member of your household.")
IN_FUTURE = _l("The date cannot be in the future.")


class ChangeRequestError(ServiceError):
    """A change request refused (the message says why; the field where)."""


def resident_household(user) -> Household | None:
    """The household a verified resident lives in now (None: not verified, or no open
    membership in the registry)."""
    household_id = household_id_for(user)
    return db.session.get(Household, household_id) if household_id else None


def resident_household_with_members(user) -> Household | None:
    """`resident_household` with the household's members loaded: one statement (the
    household found through the resident's open membership, its members joined), not
    three (the membership, the household, then its members when the page reads them)."""
    if not user.is_verified or user.person_id is None:
        return None
    found = db.session.scalars(_resident_household_statement(), {"person_id": user.person_id})
    return found.unique().first()


@cache
def _resident_household_statement():
    # At most one open membership a person (uq_household_membership_open).
    return (
        select(Household)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.person_id == bindparam("person_id"), Membership.end_date.is_(None))
        .options(joinedload(Household.members))
    )


def household_account(household: Household):
    """The verified account of a living member (the head's first) that a request filed
    at the office belongs to, so the resident follows it too; None when there is none."""
    members = sorted(living_members(household), key=lambda p: (p.relation != "head", p.id))
    ids = [p.id for p in members]
    if not ids:
        return None
    accounts = {
        u.person_id: u
        for u in db.session.scalars(
            select(User).where(
                User.person_id.in_(ids),
                User.verification_status == "verified",
                User.deleted_at.is_(None),
            )
        )
    }
    return next((accounts[i] for i in ids if i in accounts), None)


def living_members(household: Household) -> list:
    return [p for p in household.members if p.is_alive_resident]


def _day(value, field: str, not_before: date | None = None) -> str:
    if not isinstance(value, date):
        raise ChangeRequestError(REQUIRED, field)
    if value > village_today():
        raise ChangeRequestError(IN_FUTURE, field)
    if not_before and value < not_before:
        raise ChangeRequestError(_l("The date is before this person was born."), field)
    return value.isoformat()


def _text(value, field: str, required: bool = False, limit: int = 120) -> str:
    text = " ".join(str(value or "").split())[:limit]
    if required and not text:
        raise ChangeRequestError(REQUIRED, field)
    return text


def _choice(value, allowed, field: str) -> str:
    if value not in allowed:
        raise ChangeRequestError(REQUIRED, field)
    return value


def _member(household: Household, value) -> object:
    for person in living_members(household):
        if person.id == value:
            return person
    raise ChangeRequestError(NOT_A_MEMBER, "person_id")


def _birth(household, data) -> dict:
    return {
        "name": _text(data.get("name"), "name", required=True),
        "sex": _choice(data.get("sex"), SEXES, "sex"),
        "birth_date": _day(data.get("birth_date"), "birth_date"),
        "birth_certificate": _text(data.get("birth_certificate"), "birth_certificate", limit=40),
    }


def _death(household, data) -> dict:
    person = _member(household, data.get("person_id"))
    return {
        "person_id": person.id,
        "date": _day(data.get("date"), "date", person.birth_date),
        "certificate": _text(data.get("certificate"), "certificate", limit=80),
    }


def _move_out(household, data) -> dict:
    person = _member(household, data.get("person_id"))
    return {
        "person_id": person.id,
        "date": _day(data.get("date"), "date", person.birth_date),
        "destination": _text(data.get("destination"), "destination"),
    }


def _move_in(household, data) -> dict:
    birth = data.get("birth_date")
    sex = _choice(data.get("sex"), SEXES, "sex")
    nik = clean_number(data.get("nik"))
    if nik:
        errors = check_nik(nik, birth if isinstance(birth, date) else None, sex).errors
        if errors:
            raise ChangeRequestError(errors[0], "nik")
    relations = [r for r in RELATIONS if r != "head"]
    return {
        "name": _text(data.get("name"), "name", required=True),
        "nik": nik,
        "sex": sex,
        "birth_date": _day(birth, "birth_date"),
        "relation": _choice(data.get("relation"), relations, "relation"),
        "date": _day(data.get("date"), "date"),
    }


def _kk_number(household, data) -> dict:
    kk = clean_number(data.get("kk_number"))
    if not kk:
        raise ChangeRequestError(REQUIRED, "kk_number")
    errors = check_kk(kk)
    if errors:
        raise ChangeRequestError(errors[0], "kk_number")
    if kk == household.kk_number:
        raise ChangeRequestError(_l("The registry holds this number already."), "kk_number")
    reasons = [r for r in KK_CHANGE_REASONS if r not in ("first", "import")]
    return {"kk_number": kk, "reason": _choice(data.get("reason"), reasons, "reason")}


def _address(household, data) -> dict:
    asked = {
        "address": _text(data.get("address"), "address", required=True, limit=200),
        "rt": data.get("rt"),
        "rw": data.get("rw"),
    }
    for field in ("rt", "rw"):
        value = asked[field]
        if value is None and field == "rw":
            continue
        if not isinstance(value, int) or not 1 <= value <= 999:
            raise ChangeRequestError(_l("Enter a number from 1 to 999."), field)
    if all(asked[f] == getattr(household, f) for f in asked):
        raise ChangeRequestError(_l("This is the address the registry holds already."), "address")
    return asked


def _situation(household, data) -> dict:
    changed = {
        column: bool(data[column])
        for column in BPS_COLUMNS
        if column in data
        and data[column] is not None
        and data[column] != getattr(household, column)
    }
    if not changed:
        raise ChangeRequestError(
            _l("Change at least one answer: these are the answers the registry holds.")
        )
    return changed


CHECKS = {
    "birth": _birth,
    "death": _death,
    "move_in": _move_in,
    "move_out": _move_out,
    "kk_number": _kk_number,
    "address": _address,
    "situation": _situation,
}


def check_details(household: Household, kind: str, data: dict) -> dict:
    """The asked values, checked and made plain (dates as text): ChangeRequestError
    beside the field otherwise."""
    if kind not in KINDS:
        raise ChangeRequestError(_l("Choose what should change."))
    return CHECKS[kind](household, data)


def aid_concerns(household_id: int, kind: str, person_id: int | None) -> list[hooks.Concern]:
    """What the features say about a death or a move out (nothing for other kinds)."""
    if kind not in PERSON_KINDS:
        return []
    return hooks.concerns_for(household_id, person_id)


def _free_slot(household_id: int) -> int:
    """Under the household's lock: the lowest slot no open request holds."""
    taken = set(
        db.session.scalars(
            select(ChangeRequest.open_slot).where(
                ChangeRequest.household_id == household_id, ChangeRequest.status == "open"
            )
        )
    )
    free = [slot for slot in range(1, MAX_OPEN + 1) if slot not in taken]
    if not free:
        raise ChangeRequestError(TOO_MANY)
    return free[0]


def open_count(household_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(
            ChangeRequest.household_id == household_id, ChangeRequest.status == "open"
        )
    )


def file_request(
    household: Household,
    kind: str,
    data: dict,
    *,
    resident,
    filed_by,
    files: list[bytes] = (),
    note: str = "",
    ip: str | None = None,
) -> ChangeRequest:
    """File a request about `household` (the resident's own, or one an operator serves
    at the office). Checks everything before writing; commits once; audited. Raises
    ChangeRequestError (or UploadError) with the field, and writes nothing then."""
    details = check_details(household, kind, data)
    cleaned = documents.clean_all(list(files))
    person_id = details.get("person_id")
    concerns = aid_concerns(household.id, kind, person_id)
    household_id = household.id
    names = documents.store_all(cleaned)
    try:
        with write_transaction(db.session):
            # The household's row is the lock the count is taken under (SQLite's write
            # lock is taken at BEGIN already).
            db.session.execute(
                select(Household.id).where(Household.id == household_id).with_for_update()
            )
            request = ChangeRequest(
                household_id=household_id,
                kind=kind,
                person_id=person_id,
                details=details,
                note=(note or "").strip()[:2000],
                status="open",
                open_slot=_free_slot(household_id),
                resident_id=getattr(resident, "id", None),
                filed_by_id=getattr(filed_by, "id", None),
                at_office=resident is None or getattr(filed_by, "id", None) != resident.id,
                aid_warning=bool(concerns),
            )
            db.session.add(request)
            for name, clean in zip(names, cleaned, strict=True):
                request.documents.append(
                    ChangeDocument(file_name=name, mimetype=clean.mimetype, size=len(clean.data))
                )
            db.session.flush()
            record(
                "change_request_filed",
                "change_request",
                request.id,
                actor=filed_by,
                ip=ip,
                summary=f"change request {request.id} ({kind}) for household {household_id}"
                + (" at the office" if request.at_office else "")
                + "".join(f"; warning: {c.audit}" for c in concerns),
                after={"kind": kind, "documents": len(names), "person_id": person_id},
            )
            messages.tell(request, "filed")
    except IntegrityError:
        # Another request took the last slot at the same moment (the backstop).
        documents.remove_all(names)
        raise ChangeRequestError(TOO_MANY) from None
    except BaseException:
        documents.remove_all(names)
        raise
    return request
