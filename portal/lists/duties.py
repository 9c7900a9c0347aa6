"""Separation of duties on a recipient list: who may approve it, who was at the meeting.

The village head's approval must come from an account that neither drew the working
list from the registry (`ListPeriod.drafted_by_id`) nor changed it (`ListChange.actor_id`,
objection decisions included): one administrator can no longer draw, change, approve
and publish a list alone. The check reads the database inside the approval's write
transaction (services.approve), after the period's row is locked.

The special village meeting's record names attendees who have an account by picking the
account (BPD members use the auditor role; the village head an auditor or administrator
account) besides the typed names of those without one; the staff page shows which is
which.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import literal, select

from portal.accounts.models import User
from portal.database import read
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.lists.models import ListChange, ListPeriod
from portal.service_errors import ServiceError

BPD_ACCOUNT_ROLES = ("auditor",)
HEAD_ACCOUNT_ROLES = ("auditor", "admin")
# Stored as the attendee's role, like the roles staff type (in Indonesian, as the minutes).
BPD_ROLE = "Anggota BPD"
HEAD_ROLE = "Kepala Desa"


class DutyError(ServiceError, ValueError):
    """A refused choice; `field` names the form field the message belongs beside."""


def list_hands(period: ListPeriod) -> set[int]:
    """The accounts that drew or changed the period's working list."""
    hands = set(
        db.session.scalars(
            select(ListChange.actor_id)
            .where(ListChange.period_id == period.id, ListChange.actor_id.is_not(None))
            .distinct()
        )
    )
    drafted = db.session.scalar(select(ListPeriod.drafted_by_id).where(ListPeriod.id == period.id))
    if drafted is not None:
        hands.add(drafted)
    return hands


def approver_conflict(period: ListPeriod, actor):
    """Why `actor` may not approve this list (a message), or None when they may."""
    actor_id = getattr(actor, "id", None)
    if actor_id is None or actor_id in list_hands(period):
        return _l(
            "You drew or changed this list, so another account must approve it: the village "
            "head approves a list prepared by others."
        )
    return None


def _accounts(roles) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role.in_(roles), User.active.is_(True)).order_by(User.name)
        )
    )


def attendee_choices() -> tuple[list, list]:
    """The accounts the meeting form offers as the village head and as BPD members
    (as `head_accounts()` and `bpd_accounts()`): rows of id, name and role, from one
    statement built once (were two of whole accounts, each secret unsealed)."""
    rows = read(db.session, _attendee_choices_statement()).all()
    return (
        [r for r in rows if r.role in HEAD_ACCOUNT_ROLES],
        [r for r in rows if r.role in BPD_ACCOUNT_ROLES],
    )


@cache
def _attendee_choices_statement():
    # The roles each a value of its own (a list would be expanded on every run, and
    # portal.database.read's driver path would not take the statement).
    roles = [literal(role) for role in sorted({*HEAD_ACCOUNT_ROLES, *BPD_ACCOUNT_ROLES})]
    return (
        select(User.id, User.name, User.role)
        .where(User.role.in_(roles), User.active.is_(True))
        .order_by(User.name)
    )


def bpd_accounts() -> list[User]:
    return _accounts(BPD_ACCOUNT_ROLES)


def head_accounts() -> list[User]:
    return _accounts(HEAD_ACCOUNT_ROLES)


def attendee_accounts(
    bpd_ids: list[int] | None, head_id: int | None
) -> list[tuple[str, str, bool, int]]:
    """The picked accounts as attendees (name, role, is BPD, account id).

    Raises DutyError for an account that is not among the choices, or picked twice."""
    bpd_ids = list(dict.fromkeys(bpd_ids or []))
    allowed_bpd = {u.id: u for u in bpd_accounts()}
    allowed_head = {u.id: u for u in head_accounts()}
    if any(i not in allowed_bpd for i in bpd_ids):
        raise DutyError(_l("Choose BPD members from the list."), "bpd_accounts")
    if head_id and head_id not in allowed_head:
        raise DutyError(_l("Choose the village head from the list."), "head_account")
    if head_id and head_id in bpd_ids:
        raise DutyError(
            _l("The village head cannot also be ticked as a BPD member."), "head_account"
        )
    out = [(allowed_bpd[i].name[:120], BPD_ROLE, True, i) for i in bpd_ids]
    if head_id:
        out.insert(0, (allowed_head[head_id].name[:120], HEAD_ROLE, False, head_id))
    return out


def refuse_typed_accounts(attendees_text: str | None) -> None:
    """Attendees who have an account are picked, not typed: a typed name that is the
    name of a BPD member's or the village head's account is refused (DutyError)."""
    known = {" ".join(u.name.split()).casefold(): u.name for u in head_accounts()}
    for line in (attendees_text or "").splitlines():
        name = " ".join(line.partition(";")[0].split()).casefold()
        if name and name in known:
            raise DutyError(
                _l(
                    "%(name)s has an account: tick them above instead of typing the name.",
                    name=known[name],
                ),
                "attendees",
            )
