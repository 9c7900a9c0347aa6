"""Roles, the refusal every rule raises, and what a voter is (verified, where they live)."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from portal.accounts.models import User
from portal.database import read
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.registry.models import Household, Membership
from portal.service_errors import ServiceError

AREA_MINIMUM = 5  # votes an RT/RW needs before its own figures are shown
PAGE_SIZE = 20


class ParticipationError(ServiceError):
    """A refused request; `message` is for the reader (lazy, put into words in their
    language), `field` names the form field it belongs beside."""


NOT_VERIFIED = _l(
    "Only verified residents of the village can take part. Verify your account first."
)


def _insert(session):
    """The dialect's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite)."""
    name = session.get_bind().dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert


def _require_verified(user: User) -> None:
    if user is None or user.role != "resident" or not user.is_verified:
        raise ParticipationError(NOT_VERIFIED)


def area_for(user: User) -> tuple[int | None, int | None, int | None]:
    """(household id, RT, RW) of a verified resident now, or Nones. One query: the
    same open membership `household_id_for` reads, joined to its household."""
    if not user.is_verified or user.person_id is None:
        return None, None, None
    # Plain columns: past the ORM's execution path (portal.database.read).
    row = read(db.session, _area_statement(), {"person_id": user.person_id}).first()
    return (row.id, row.rt, row.rw) if row is not None else (None, None, None)


@functools.cache  # built once per process (with its cache key); the person a parameter
def _area_statement():
    return (
        select(Household.id, Household.rt, Household.rw)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.person_id == bindparam("person_id"), Membership.end_date.is_(None))
    )


def owns_transaction(rule):
    """A write rule that leaves nothing behind when it refuses: on ParticipationError
    the session is rolled back here, so views never roll back (one transaction owner)."""

    @functools.wraps(rule)
    def run(*args, **kwargs):
        try:
            return rule(*args, **kwargs)
        except ParticipationError:
            db.session.rollback()
            raise

    return run
