"""Accounts that are not residents' own: an administrator switches them off and on and
changes their role, at /staf/pengguna.

Rules, without `request`:
- an administrator never switches off or changes the role of their own account
  (another administrator does it), and the last active administrator can be neither
  switched off nor given another role: the check runs inside one write transaction
  that locks every active administrator's row, so two administrators demoting each
  other at once cannot leave the village with none;
- a role change is only between the roles of accounts made by the village office or a
  company's sign-up (partner, trainer, operator, admin, auditor), never to or from
  "resident" (a resident's account hangs on the registry);
- switching off or changing the role rotates the session token: every open session of
  that account ends at its next request (the loader refuses an inactive account and
  an old token); switching on again does not bring old sessions back;
- every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User, new_session_token
from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.service_errors import ServiceError

# Roles an administrator may give (and take) on /staf/pengguna.
MANAGED_ROLES = ("partner", "trainer", "operator", "admin", "auditor", "officer")


class LifecycleError(ServiceError):
    """A refusal with a message for the administrator."""


NOT_YOURSELF = _l("You cannot change your own account here. Ask another administrator.")
LAST_ADMIN = _l(
    "This is the last active administrator. Make another account an administrator first."
)


def managed_accounts() -> list[User]:
    """Every account that is not a resident's, by role and name (the admin's list)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_(MANAGED_ROLES), User.deleted_at.is_(None))
            .order_by(User.role, User.name)
        )
    )


def _other_active_admins(session, user_id: int) -> int:
    # FOR UPDATE (PostgreSQL): the rows of the active administrators stay locked until
    # the commit, so a second change that would also remove one waits and then counts
    # again. On SQLite write_transaction() took the database's write lock already.
    rows = session.scalars(
        select(User.id).where(User.role == "admin", User.active.is_(True)).with_for_update()
    ).all()
    return sum(1 for row in rows if row != user_id)


def _load(session, user_id: int) -> User:
    user = session.get(User, user_id, populate_existing=True)
    if user is None or user.role not in MANAGED_ROLES or user.deleted_at is not None:
        raise LifecycleError(_l("No such account."))
    return user


def set_active(user_id: int, active: bool, *, actor: User, ip: str | None = None) -> User:
    """Switch an account off (its sessions end) or on again. Commits."""
    if user_id == actor.id:
        raise LifecycleError(NOT_YOURSELF)
    with write_transaction(db.session) as session:
        user = _load(session, user_id)
        if user.active == active:
            return user
        if not active and user.role == "admin" and _other_active_admins(session, user.id) < 1:
            raise LifecycleError(LAST_ADMIN)
        user.active = active
        user.session_token = new_session_token()
        record(
            "account_activated" if active else "account_deactivated",
            "user",
            user.id,
            actor=actor,
            summary=f"{user.username or user.email or user.id} ({user.role})",
            before={"active": not active},
            after={"active": active},
            ip=ip,
        )
    return user


def change_role(user_id: int, role: str, *, actor: User, ip: str | None = None) -> User:
    """Give an account another role; its sessions end. Commits."""
    if role not in MANAGED_ROLES:
        raise LifecycleError(_l("Choose a role."))
    if user_id == actor.id:
        raise LifecycleError(NOT_YOURSELF)
    with write_transaction(db.session) as session:
        user = _load(session, user_id)
        if user.role == role:
            return user
        if user.role == "admin" and user.active and _other_active_admins(session, user.id) < 1:
            raise LifecycleError(LAST_ADMIN)
        before = user.role
        user.role = role
        user.session_token = new_session_token()
        record(
            "account_role_changed",
            "user",
            user.id,
            actor=actor,
            summary=f"{user.username or user.email or user.id}: {before} -> {role}",
            before={"role": before},
            after={"role": role},
            ip=ip,
        )
    return user
