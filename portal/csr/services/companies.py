"""Partner companies: registration, verification, logo, their public page."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import bindparam, case, func, literal, select, union_all
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.accounts.passwords import password_problem
from portal.accounts.services import create_user
from portal.audit.services import record
from portal.csr import uploads
from portal.csr.models import (
    RECEIPT_LANGUAGES,
    SECTORS,
    Company,
    Delivery,
    Need,
    Pledge,
    delivered_value,
)
from portal.csr.services.common import COUNTED, STAFF_EDITORS, CsrError, NotAllowed
from portal.csr.services.pledges import _require_role
from portal.csr.services.public_board import PARTNER_PAGE_SIZE
from portal.database import read
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.public import services as public_services
from portal.roles import PARTNERS
from portal.row_pages import counted_page


def company_for_user(user) -> Company | None:
    """The company a logged-in partner account represents, or None (without asking the
    database for any other account: only a partner account registers a company)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "role", None) not in PARTNERS:
        return None
    return db.session.scalars(_company_for_user_statement(), {"user_id": user.id}).first()


@cache  # built once per process (with its cache key); the account as a parameter
def _company_for_user_statement():
    return select(Company).where(Company.user_id == bindparam("user_id"))


def email_taken(email: str) -> bool:
    """True when an account already logs in with this e-mail address (any case)."""
    return bool(
        db.session.scalar(
            select(func.count()).where(func.lower(User.email) == email.strip().lower())
        )
    )


def register_company(
    *,
    name: str,
    sector: str,
    contact_name: str,
    email: str,
    password: str,
    locale: str = "id",
    contact_phone: str | None = None,
    website: str | None = None,
    description: str | None = None,
    logo: uploads.CleanImage | None = None,
    ip: str | None = None,
) -> Company:
    """Register a company and its representative's account (role "partner").

    The company waits for an admin's verification; until then nothing it pledges is
    public. Raises CsrError(field="email") when the address already has an account.
    """
    email = email.strip().lower()
    if sector not in SECTORS:
        raise CsrError(_l("Choose a sector."), "sector")
    if locale not in RECEIPT_LANGUAGES:
        raise CsrError(_l("Choose a language."), "locale")
    problem = password_problem(password)
    if problem is not None:
        raise CsrError(problem, "password")
    if email_taken(email):
        raise CsrError(_l("This e-mail address already has an account. Log in instead."), "email")
    logo_file = uploads.store(logo, "logos") if logo else None
    try:
        user = create_user(
            name=contact_name.strip(), role="partner", password=password, email=email
        )
        user.locale = locale
        db.session.flush()
        company = Company(
            user_id=user.id,
            name=name.strip(),
            sector=sector,
            contact_name=contact_name.strip(),
            contact_phone=(contact_phone or "").strip() or None,
            website=(website or "").strip() or None,
            description=(description or "").strip() or None,
            locale=locale,
            logo_file=logo_file,
            status="pending",
        )
        db.session.add(company)
        db.session.flush()
        record(
            "register",
            "csr_company",
            company.id,
            actor=user,
            summary=company.name,
            ip=ip,
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        uploads.remove("logos", logo_file)
        raise CsrError(
            _l("This e-mail address already has an account. Log in instead."), "email"
        ) from None
    except BaseException:
        db.session.rollback()
        uploads.remove("logos", logo_file)
        raise
    return company


def set_logo(company: Company, logo: uploads.CleanImage, *, actor: User) -> None:
    """Replace a company's logo (its own representative or staff)."""
    if not (actor.role in STAFF_EDITORS or company.user_id == actor.id):
        raise NotAllowed(_l("You may not change this company."))
    old = company.logo_file
    company.logo_file = uploads.store(logo, "logos")
    record("update_logo", "csr_company", company.id, actor=actor)
    db.session.commit()
    uploads.remove("logos", old)


def list_companies(status: str | None = None) -> list:
    """Companies for staff, those waiting for verification first (at most 1000): plain
    rows of what the staff list shows (id, name, sector, contact_name, status,
    created_at), read past the ORM."""
    params = {"status": status} if status else None
    return read(db.session, _list_companies_statement(bool(status)), params).all()


@cache  # built once per process for each shape (with its cache key)
def _list_companies_statement(of_status: bool):
    stmt = select(
        Company.id,
        Company.name,
        Company.sector,
        Company.contact_name,
        Company.status,
        Company.created_at,
    ).order_by(case((Company.status == "pending", 0), else_=1), Company.created_at.desc())
    if of_status:
        stmt = stmt.where(Company.status == bindparam("status"))
    return stmt.limit(1000)


@cache
def _count_statement():
    return select(func.count()).select_from(Company).where(Company.status == bindparam("status"))


def count_companies(status: str) -> int:
    """How many companies have `status` (the statement built once per process)."""
    return db.session.scalar(_count_statement(), {"status": status})


# The key of the waiting companies' count in _overview_statement's rows: never a pledge
# status (the table CHECKs those).
_WAITING = "company:pending"


@cache  # built once per process (with its cache key)
def _overview_statement():
    pledges = select(Pledge.status, func.count()).group_by(Pledge.status)
    waiting = (
        select(literal(_WAITING), func.count())
        .select_from(Company)
        .where(Company.status == "pending")
    )
    return union_all(pledges, waiting)


def overview_counts() -> tuple[dict[str, int], int]:
    """The staff index's counts in one statement: pledges per status (as
    `status_counts`) and the companies waiting for verification."""
    counts = dict(read(db.session, _overview_statement()).all())
    return counts, counts.pop(_WAITING, 0)


def verify_company(
    company: Company, *, actor: User, list_in_directory: bool = False, note: str | None = None
) -> None:
    """An admin verifies a company: from now on its pledges are public.

    With `list_in_directory` it also gets a published entry in the partner directory.
    """
    _require_role(actor, ("admin",))
    before = company.status
    company.status = "verified"
    company.status_note = (note or "").strip() or None
    company.verified_at = utcnow()
    company.verified_by_id = actor.id
    if list_in_directory and company.directory_partner_id is None:
        company.directory_partner_id = public_services.add_directory_entry(
            kind="company",
            name=company.name,
            description=company.description or company.name,
            website=company.website,
            contact=company.contact_name,
        )
    record(
        "verify",
        "csr_company",
        company.id,
        actor=actor,
        before={"status": before},
        after={"status": "verified", "directory": bool(company.directory_partner_id)},
    )
    db.session.commit()


def reject_company(company: Company, *, actor: User, note: str | None = None) -> None:
    """An admin refuses (or withdraws) verification: the company's pledges leave the
    public pages, nothing is deleted, and its directory entry is unpublished."""
    _require_role(actor, ("admin",))
    before = company.status
    company.status = "rejected"
    company.status_note = (note or "").strip() or None
    if company.directory_partner_id:
        public_services.unpublish_directory_entry(company.directory_partner_id)
    record(
        "reject",
        "csr_company",
        company.id,
        actor=actor,
        before={"status": before},
        after={"status": "rejected"},
        summary=company.status_note,
    )
    db.session.commit()


def public_company(company_id: int) -> Company | None:
    """A verified company (its public page), or None."""
    company = db.session.get(Company, company_id)
    return company if company is not None and company.is_verified else None


class NeedLine:
    """What a company's pledge list shows of a pledge's need (a plain row's columns)."""

    __slots__ = ("id", "kind", "target", "title_en", "title_id", "unit_en", "unit_id")

    def __init__(self, id, kind, title_id, title_en, unit_id, unit_en, target=None):  # noqa: A002
        self.id, self.kind = id, kind
        self.title_id, self.title_en = title_id, title_en
        self.unit_id, self.unit_en = unit_id, unit_en
        self.target = target


class DeliveryLine:
    """A delivery as the public partner page lists it."""

    __slots__ = ("amount", "delivered_on", "id")

    def __init__(self, id, amount, delivered_on):  # noqa: A002
        self.id, self.amount, self.delivered_on = id, amount, delivered_on


class PledgeLine:
    """A pledge as a company's pages list it (read as plain columns, not an ORM object):
    the attributes the pages and `csr.rows` read, its need (a NeedLine or None) and, when
    asked for, its deliveries (or its company, a CompanyTag, on the staff list)."""

    __slots__ = (
        "amount",
        "company",
        "company_id",
        "created_at",
        "deliveries",
        "delivered",
        "description",
        "id",
        "kind",
        "need",
        "need_id",
        "status",
        "unit",
        "value",
    )

    def __init__(self, row):
        (
            self.id,
            self.company_id,
            self.need_id,
            self.kind,
            self.amount,
            self.unit,
            self.value,
            self.delivered,
            self.description,
            self.status,
            self.created_at,
        ) = row[:11]
        self.need = NeedLine(self.need_id, *row[11:16]) if self.need_id is not None else None
        self.deliveries = []
        self.company = None


PLEDGE_LINE_COLUMNS = (
    Pledge.id,
    Pledge.company_id,
    Pledge.need_id,
    Pledge.kind,
    Pledge.amount,
    Pledge.unit,
    Pledge.value,
    Pledge.delivered,
    Pledge.description,
    Pledge.status,
    Pledge.created_at,
    Need.kind,
    Need.title_id,
    Need.title_en,
    Need.unit_id,
    Need.unit_en,
)


@cache
def _company_pledges(public: bool, deliveries: bool = True):
    """A company's pledges as plain columns with their need's, newest first (offers only
    when not `public`), and with each delivery's (one row a delivery, in order) when
    asked: built once per process, the company as a parameter."""
    where = [Pledge.company_id == bindparam("company_id")]
    if public:
        where.append(Pledge.status != "offered")
    columns = PLEDGE_LINE_COLUMNS
    if deliveries:
        columns = (*columns, Delivery.id, Delivery.amount, Delivery.delivered_on)
    stmt = select(*columns).outerjoin(Need, Need.id == Pledge.need_id)
    if deliveries:
        stmt = stmt.outerjoin(Delivery, Delivery.pledge_id == Pledge.id)
    order = [Pledge.created_at.desc(), Pledge.id.desc()]
    if deliveries:
        order.append(Delivery.id)
    return stmt.where(*where).order_by(*order)


@cache
def _company_pledges_counted(public: bool):
    """One page of `_company_pledges(public, False)` with how many there are in all (a
    window count), the page's size and offset as parameters."""
    stmt = _company_pledges(public, False)
    return (
        stmt.add_columns(func.count().over()).limit(bindparam("limit")).offset(bindparam("offset"))
    )


def _pledge_lines(rows, deliveries: bool) -> list[PledgeLine]:
    lines: list[PledgeLine] = []
    last = None
    for row in rows:
        if last is None or row[0] != last.id:
            last = PledgeLine(row)
            lines.append(last)
        if deliveries and row[16] is not None:
            last.deliveries.append(DeliveryLine(*row[16:19]))
    return lines


def company_pledges_page(
    company: Company,
    *,
    public: bool,
    page: int,
    per_page: int = PARTNER_PAGE_SIZE,
    deliveries: bool = True,
):
    """One page of what a company pledged, newest first (offers only for itself and
    staff; each pledge's deliveries when `deliveries`): a Pagination of PledgeLines,
    empty past the end. Without deliveries, the page and how many in one statement."""
    if deliveries:
        found, _summary = company_pledges_and_totals(
            company, public=public, page=page, per_page=per_page
        )
        return found
    params = {"company_id": company.id, "limit": per_page, "offset": (page - 1) * per_page}
    rows = read(db.session, _company_pledges_counted(public), params).all()
    total = rows[0][-1] if rows else _count_past_the_end(company, public, page)
    return counted_page(_pledge_lines(rows, False), total, page=page, per_page=per_page)


def _count_past_the_end(company: Company, public: bool, page: int) -> int:
    """How many pledges a page past the end (or of none) stands beyond."""
    if page == 1:
        return 0
    where = [Pledge.company_id == company.id]
    if public:
        where.append(Pledge.status != "offered")
    return db.session.scalar(select(func.count()).select_from(Pledge).where(*where))


def company_pledges_and_totals(
    company: Company,
    *,
    public: bool,
    page: int,
    per_page: int = PARTNER_PAGE_SIZE,
    deliveries: bool = True,
):
    """`company_pledges_page` and `company_totals` in one statement: every pledge the
    page counts (all but offers when public) as plain columns with its need's (and its
    deliveries'), the page cut from them and the sums over all of them."""
    rows = read(db.session, _company_pledges(public, deliveries), {"company_id": company.id})
    lines = _pledge_lines(rows, deliveries)
    start = (page - 1) * per_page
    pagination = counted_page(
        lines[start : start + per_page], len(lines), page=page, per_page=per_page
    )
    # COUNTED are among the pledges read.
    return pagination, company_summary(lines)


def company_summary(pledges: Iterable) -> dict[str, int]:
    """Rupiah pledged and delivered over one company's pledges (objects or rows with
    status, value, delivered and amount)."""
    pledged = delivered = 0
    for p in pledges:
        if p.status not in COUNTED:
            continue
        done = delivered_value(p.value, p.delivered, p.amount)
        pledged += done if p.status == "closed" else p.value
        delivered += done
    return {"pledged": pledged, "delivered": delivered}


def company_totals(company: Company) -> dict[str, int]:
    """`company_summary` over all of a company's pledges, read as four columns a pledge
    (for a page that shows only some of them)."""
    rows = db.session.execute(
        select(Pledge.status, Pledge.value, Pledge.delivered, Pledge.amount).where(
            Pledge.company_id == company.id, Pledge.status.in_(COUNTED)
        )
    )
    return company_summary(rows)
