"""Pledges and offers: made, confirmed, withdrawn, accepted; each step checked."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from portal.accounts.models import User
from portal.audit.services import record
from portal.csr.models import NEED_KINDS, PLEDGE_STATUSES, Company, Need, Pledge, PledgeEvent
from portal.csr.services.common import (
    DELIVERY_STEPS,
    MAX_AMOUNT,
    OWNER,
    STAFF_EDITORS,
    TRANSITIONS,
    CsrError,
    NotAllowed,
    new_code,
)
from portal.csr.services.public_board import published_need
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow, village_today


def _require_role(actor, roles) -> None:
    if actor is None or getattr(actor, "role", None) not in roles:
        raise NotAllowed(_l("Your account may not do this."))


def _positive(value, field: str = "amount") -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_AMOUNT:
        raise CsrError(_l("Enter a whole number greater than zero."), field)
    return value


def _event(pledge: Pledge, from_status, to_status, actor, note=None, amount=None) -> PledgeEvent:
    event = PledgeEvent(
        amount=amount,
        pledge_id=pledge.id,
        from_status=from_status,
        to_status=to_status,
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "name", None),
        actor_role=getattr(actor, "role", None),
        note=(note or "").strip()[:1000] or None,
    )
    db.session.add(event)
    return event


def make_pledge(
    company: Company,
    need_id: int,
    *,
    amount: int,
    actor: User,
    value: int | None = None,
    expected_on: date | None = None,
    conditions: str | None = None,
) -> Pledge:
    """A company pledges against a published, open need.

    A company waiting for verification may pledge; the pledge stays off the public
    pages until an admin verifies the company. Over-pledging is allowed (and shown).
    """
    if actor.role != "partner" or company.user_id != actor.id:
        raise NotAllowed(_l("Only the company's own account can pledge for it."))
    if company.status == "rejected":
        raise NotAllowed(_l("This company is not verified and cannot pledge."))
    need = published_need(need_id)
    if need is None or not need.is_open:
        raise CsrError(_l("This need no longer accepts pledges."), "need_id")
    amount = _positive(amount)
    if need.is_money:
        value = amount
    elif value is None:
        value = 0
    elif not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT:
        raise CsrError(_l("Enter an amount in rupiah, or leave it empty."), "value")
    if expected_on is not None and expected_on < village_today() - timedelta(days=1):
        raise CsrError(_l("The date must not be in the past."), "expected_on")
    pledge = Pledge(
        company_id=company.id,
        need_id=need.id,
        kind=need.kind,
        amount=amount,
        value=value,
        expected_on=expected_on,
        conditions=(conditions or "").strip() or None,
        status="pledged",
        created_by_id=actor.id,
    )
    db.session.add(pledge)
    db.session.flush()
    _event(pledge, None, "pledged", actor)
    record(
        "pledge", "csr_pledge", pledge.id, actor=actor, after={"need": need.id, "amount": amount}
    )
    db.session.commit()
    return pledge


def make_offer(
    company: Company,
    *,
    kind: str,
    description: str,
    amount: int,
    unit: str | None,
    actor: User,
    value: int | None = None,
    expected_on: date | None = None,
    conditions: str | None = None,
) -> Pledge:
    """A company offers something the village has not listed; staff may turn it into a
    pledge against a need (accept_offer). Offers are never public."""
    if actor.role != "partner" or company.user_id != actor.id:
        raise NotAllowed(_l("Only the company's own account can make offers for it."))
    if company.status == "rejected":
        raise NotAllowed(_l("This company is not verified and cannot pledge."))
    if kind not in NEED_KINDS:
        raise CsrError(_l("Choose a kind."), "kind")
    if not (description or "").strip():
        raise CsrError(_l("Please describe what you offer."), "description")
    amount = _positive(amount)
    if kind == "money":
        value = amount
    elif value is not None and (not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT):
        raise CsrError(_l("Enter an amount in rupiah, or leave it empty."), "value")
    pledge = Pledge(
        company_id=company.id,
        need_id=None,
        kind=kind,
        amount=amount,
        unit=(unit or "").strip() or None,
        value=value or 0,
        expected_on=expected_on,
        conditions=(conditions or "").strip() or None,
        description=description.strip(),
        status="offered",
        created_by_id=actor.id,
    )
    db.session.add(pledge)
    db.session.flush()
    _event(pledge, None, "offered", actor)
    record("offer", "csr_pledge", pledge.id, actor=actor, after={"kind": kind, "amount": amount})
    db.session.commit()
    return pledge


def _lock_pledge(pledge_id: int) -> Pledge:
    # Lock by id only: FOR UPDATE may not reach the outer joins of the eager loads.
    locked = db.session.execute(
        select(Pledge.id).where(Pledge.id == pledge_id).with_for_update()
    ).scalar()
    if locked is None:
        raise CsrError(_l("This pledge does not exist."))
    pledge = db.session.get(Pledge, pledge_id, populate_existing=True)
    assert pledge is not None
    return pledge


def _check_step(pledge: Pledge, to_status: str, actor) -> None:
    role = getattr(actor, "role", None)
    # Another company's pledge is refused before anything is said about its state.
    if role == "partner" and pledge.company.user_id != actor.id:
        raise NotAllowed(_l("Your account may not do this."))
    if role not in (*STAFF_EDITORS, "partner"):
        raise NotAllowed(_l("Your account may not do this."))
    roles = TRANSITIONS.get((pledge.status, to_status))
    if roles is None:
        raise CsrError(
            _l(
                "A pledge that is “%(status)s” cannot become “%(to)s”.",
                status=PLEDGE_STATUSES[pledge.status],
                to=PLEDGE_STATUSES.get(to_status, to_status),
            )
        )
    if role == "partner" and OWNER not in roles or role != "partner" and role not in roles:
        raise NotAllowed(_l("Your account may not do this."))


def allowed_steps(pledge: Pledge, actor) -> list[str]:
    """The status changes this person may make now (deliveries and offers aside)."""
    steps = []
    for (src, dst), roles in TRANSITIONS.items():
        if src != pledge.status or dst in DELIVERY_STEPS or (src, dst) == ("offered", "pledged"):
            continue
        role = getattr(actor, "role", None)
        if role == "partner":
            if OWNER in roles and pledge.company.user_id == actor.id:
                steps.append(dst)
        elif role in roles:
            steps.append(dst)
    return steps


def change_status(pledge_id: int, to_status: str, *, actor, note: str | None = None) -> Pledge:
    """Move a pledge one step (confirm, withdraw, close), dated and signed.

    Only the steps in TRANSITIONS, only by their roles; a partner only on its own
    pledges. Confirming needs a verified company and issues the receipt code.
    Closing a pledge that is only partly delivered needs a note saying why.
    """
    if to_status in DELIVERY_STEPS:
        raise CsrError(_l("Deliveries are recorded with the delivery form."))
    with write_transaction(db.session()):
        pledge = _lock_pledge(pledge_id)
        if (pledge.status, to_status) == ("offered", "pledged"):
            raise CsrError(_l("Choose the need this offer answers."))
        _check_step(pledge, to_status, actor)
        from_status = pledge.status
        values: dict = {"status": to_status, "updated_at": utcnow()}
        if to_status == "confirmed":
            if not pledge.company.is_verified:
                raise CsrError(_l("The company is not verified yet. Verify the company first."))
            values.update(confirmed_at=utcnow(), receipt_code=new_code())
        if to_status == "closed" and pledge.delivered < pledge.amount and not (note or "").strip():
            raise CsrError(
                _l("Say why this pledge is closed before all of it was delivered."), "note"
            )
        done = db.session.execute(
            update(Pledge)
            .where(Pledge.id == pledge.id, Pledge.status == from_status)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # pragma: no cover - the row lock makes this unreachable
            raise CsrError(_l("Someone else changed this pledge just now. Please try again."))
        _event(pledge, from_status, to_status, actor, note)
        record(
            to_status,
            "csr_pledge",
            pledge.id,
            actor=actor,
            before={"status": from_status},
            after={"status": to_status},
            summary=note,
        )
    db.session.refresh(pledge)
    return pledge


def accept_offer(
    pledge_id: int, need_id: int, *, actor, amount: int | None = None, note: str | None = None
) -> Pledge:
    """Staff turn a company's offer into a pledge against a need (status "pledged")."""
    _require_role(actor, STAFF_EDITORS)
    need = db.session.get(Need, need_id)
    if need is None:
        raise CsrError(_l("Choose a need."), "need_id")
    with write_transaction(db.session()):
        pledge = _lock_pledge(pledge_id)
        _check_step(pledge, "pledged", actor)
        new_amount = _positive(amount if amount is not None else pledge.amount)
        pledge.need_id = need.id
        pledge.kind = need.kind
        pledge.amount = new_amount
        if need.is_money:
            pledge.value = new_amount
        pledge.status = "pledged"
        _event(pledge, "offered", "pledged", actor, note)
        record(
            "accept_offer",
            "csr_pledge",
            pledge.id,
            actor=actor,
            after={"need": need.id, "amount": new_amount},
        )
    return pledge
