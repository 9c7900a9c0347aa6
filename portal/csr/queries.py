"""Read-only CSR data for other features (training's sponsors and the pledges courses
come from). They read it here, never through CSR's tables, and change nothing."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select

from portal.csr.models import Company, Need, Pledge
from portal.database import read
from portal.extensions import db


def pledge(pledge_id: int) -> Pledge | None:
    """A pledge with its company (a course made from a training pledge names it)."""
    return db.session.get(Pledge, pledge_id)


@cache  # built once per process (with its cache key)
def companies_statement():
    """Every partner company, by name (a course's sponsor is one of them): id and name.
    A statement, so that the course form reads it with its other menus in one."""
    return select(Company.id, Company.name).order_by(Company.name)


def verified_companies() -> list[Company]:
    """Companies staff verified, oldest first."""
    return list(
        db.session.scalars(select(Company).where(Company.status == "verified").order_by(Company.id))
    )


def company_names(ids) -> dict[int, str]:
    """{company id: name} for these ids."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    # .all(): dict() of a Result itself would take it for a mapping (it has keys()).
    rows = db.session.execute(select(Company.id, Company.name).where(Company.id.in_(wanted)))
    return dict(rows.all())


def pledge_values_between(start, end) -> list[tuple[int, int, int]]:
    """(value in rupiah, amount pledged, amount delivered) of the pledges made in
    [start, end) that a company stands by (confirmed or further; not offers, not
    withdrawn)."""
    rows = db.session.execute(_pledge_values_statement(), {"start": start, "end": end})
    return [(int(v or 0), int(a or 0), int(d or 0)) for v, a, d in rows]


@cache  # built once per process (with its cache key); the dates are parameters
def _pledge_values_statement():
    return select(Pledge.value, Pledge.amount, Pledge.delivered).where(
        Pledge.created_at >= bindparam("start"),
        Pledge.created_at < bindparam("end"),
        Pledge.status.not_in(("offered", "pledged", "withdrawn")),
    )


def need_titles() -> list[tuple[int, str]]:
    """(id, Indonesian title) of every need, newest first (procurement buys for them)."""
    return list(db.session.execute(select(Need.id, Need.title_id).order_by(Need.id.desc())))


@cache
def _need_title_statement():
    return select(Need.title_id).where(Need.id == bindparam("need_id"))


def need_title(need_id: int) -> str | None:
    """One need's Indonesian title (None for no such need): a purchase's page."""
    return read(db.session, _need_title_statement(), {"need_id": need_id}).scalar()
