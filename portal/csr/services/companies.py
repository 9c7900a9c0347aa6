"""Partner companies: registration, verification, logo, their public page."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import bindparam, case, func, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload, selectinload

from portal.accounts.models import User
from portal.accounts.passwords import password_problem
from portal.accounts.services import create_user
from portal.audit.services import record
from portal.csr import uploads
from portal.csr.models import RECEIPT_LANGUAGES, SECTORS, Company, Pledge, delivered_value
from portal.csr.services.common import COUNTED, STAFF_EDITORS, CsrError, NotAllowed
from portal.csr.services.pledges import _require_role
from portal.csr.services.public_board import PARTNER_PAGE_SIZE
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.public import services as public_services
from portal.roles import PARTNERS


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


def list_companies(status: str | None = None) -> list[Company]:
    """Companies for staff, those waiting for verification first."""
    stmt = select(Company).order_by(
        case((Company.status == "pending", 0), else_=1), Company.created_at.desc()
    )
    if status:
        stmt = stmt.where(Company.status == status)
    return list(db.session.scalars(stmt.limit(1000)))


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
    counts = dict(db.session.execute(_overview_statement()).all())
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


@cache
def _company_pledges(public: bool, deliveries: bool = True):
    """A company's pledges, newest first (offers only when not `public`; with their
    deliveries when asked), how many, and the four columns `company_summary` sums of
    each: built once per process, the company as a parameter."""
    where = [Pledge.company_id == bindparam("company_id")]
    if public:
        where.append(Pledge.status != "offered")
    # The company is the one given (in the session): not joined to every pledge.
    options = [lazyload(Pledge.company)]
    if deliveries:
        options.append(selectinload(Pledge.deliveries))
    rows = (
        select(Pledge)
        .where(*where)
        .options(*options)
        .order_by(Pledge.created_at.desc(), Pledge.id.desc())
    )
    summed = select(Pledge.status, Pledge.value, Pledge.delivered, Pledge.amount).where(*where)
    return rows, select(func.count()).select_from(Pledge).where(*where), summed


def company_pledges_page(
    company: Company,
    *,
    public: bool,
    page: int,
    per_page: int = PARTNER_PAGE_SIZE,
    deliveries: bool = True,
):
    """One page of what a company pledged, newest first (offers only for itself and
    staff; each pledge's deliveries loaded unless `deliveries` is false): a
    Flask-SQLAlchemy Pagination, empty past the end."""
    rows, count, _summed = _company_pledges(public, deliveries)
    params = {"company_id": company.id}
    pagination = db.paginate(
        rows.params(params), page=page, per_page=per_page, error_out=False, count=False
    )
    pagination.total = db.session.scalar(count, params)
    return pagination


def company_pledges_and_totals(
    company: Company,
    *,
    public: bool,
    page: int,
    per_page: int = PARTNER_PAGE_SIZE,
    deliveries: bool = True,
):
    """`company_pledges_page` and `company_totals` in two statements (and the
    deliveries'): how many pledges and their sums from one read of four columns."""
    rows, _count, summed = _company_pledges(public, deliveries)
    params = {"company_id": company.id}
    pagination = db.paginate(
        rows.params(params), page=page, per_page=per_page, error_out=False, count=False
    )
    # Every pledge the page counts (all but offers when public): COUNTED are among them.
    found = db.session.execute(summed, params).all()
    pagination.total = len(found)
    return pagination, company_summary(found)


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
