"""The admin's list of accounts (/staf/pengguna) read in one statement of plain columns.

The page showed `lifecycle.managed_accounts()` (whole User objects, their sealed second
factor secret decrypted on load) and `second_factor.recovery_codes_left_for` (a second
statement): some 1,400 Python calls for a few accounts. This reads the columns the list
shows, whether a secret is set (not the secret) and each account's unused recovery
codes (a correlated count), past the ORM (`portal.database.read`). The rows answer the
attributes `staff_rows` and `lockout.is_paused` read of a User, with the same values.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, func, select

from portal.accounts.lifecycle import MANAGED_ROLES
from portal.accounts.models import RecoveryCode, User
from portal.database import read
from portal.extensions import db
from portal.roles import SECOND_FACTOR_ROLES


class StaffRow:
    """One account of the list: what `staff_rows` and `lockout.is_paused` read."""

    __slots__ = (
        "id",
        "name",
        "username",
        "email",
        "role",
        "active",
        "totp_secret",
        "totp_enabled_at",
        "totp_locked_at",
        "login_blocked_until",
        "codes_left",
    )

    def __init__(self, row) -> None:
        (
            self.id,
            self.name,
            self.username,
            self.email,
            self.role,
            self.active,
            secret_set,
            self.totp_enabled_at,
            self.totp_locked_at,
            self.login_blocked_until,
            self.codes_left,
        ) = row
        # Only whether there is one: the list never shows the secret itself.
        self.totp_secret = True if secret_set else None

    @property
    def is_staff(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None and self.totp_enabled_at is not None


@cache
def _statement() -> Select:
    codes_left = (
        select(func.count())
        .where(RecoveryCode.user_id == User.id, RecoveryCode.used_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )
    return (
        select(
            User.id,
            User.name,
            User.username,
            User.email,
            User.role,
            User.active,
            User.totp_secret.is_not(None),
            User.totp_enabled_at,
            User.totp_locked_at,
            User.login_blocked_until,
            codes_left,
        )
        .where(User.role.in_(MANAGED_ROLES), User.deleted_at.is_(None))
        .order_by(User.role, User.name)
    )


def staff_list() -> tuple[list[StaffRow], dict[int, int]]:
    """Every account that is not a resident's, by role and name (as
    `lifecycle.managed_accounts`), and the unused recovery codes of each staff member
    among them (as `second_factor.recovery_codes_left_for`)."""
    accounts = [StaffRow(row) for row in read(db.session, _statement())]
    left = {a.id: a.codes_left for a in accounts if a.is_staff}
    return accounts, left
