"""Rules of the CSR pledge board. Views and tests call these; none touches `request`.

Every change is one transaction with its audit entry. Status changes and deliveries
run inside `write_transaction` (BEGIN IMMEDIATE on SQLite) and lock the rows they
count (SELECT ... FOR UPDATE on PostgreSQL); a delivery moves the pledge's running sum
with a conditional UPDATE that cannot pass the pledged amount, and a CHECK constraint
refuses it should anything else try.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, case, cast, extract, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import codes
from portal.accounts.models import User
from portal.accounts.services import create_user
from portal.audit.services import record
from portal.csr import uploads
from portal.csr.models import (
    NEED_KINDS,
    PLEDGE_STATUSES,
    RECEIPT_LANGUAGES,
    SECTORS,
    Company,
    Delivery,
    Need,
    Pledge,
    PledgeEvent,
    delivered_value,
)
from portal.database import write_transaction
from portal.extensions import db
from portal.models_base import utcnow, village_today
from portal.public import services as public_services

STAFF_EDITORS = ("operator", "admin")
STAFF_READERS = ("operator", "admin", "auditor")
OWNER = "owner"  # the partner whose company made the pledge

# Statuses that count towards a need's progress, and those staff have confirmed.
COUNTED = ("pledged", "confirmed", "partly_delivered", "delivered", "closed")
CONFIRMED = ("confirmed", "partly_delivered", "delivered", "closed")
DELIVERABLE = ("confirmed", "partly_delivered")

# Every allowed step and who may take it. Steps to (partly) delivered happen only
# through record_delivery, offered → pledged only through accept_offer.
TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("offered", "pledged"): STAFF_EDITORS,
    ("offered", "withdrawn"): (*STAFF_EDITORS, OWNER),
    ("pledged", "confirmed"): STAFF_EDITORS,
    ("pledged", "withdrawn"): (*STAFF_EDITORS, OWNER),
    ("confirmed", "withdrawn"): (*STAFF_EDITORS, OWNER),
    ("confirmed", "partly_delivered"): STAFF_EDITORS,
    ("confirmed", "delivered"): STAFF_EDITORS,
    ("partly_delivered", "partly_delivered"): STAFF_EDITORS,
    ("partly_delivered", "delivered"): STAFF_EDITORS,
    ("partly_delivered", "closed"): STAFF_EDITORS,
    ("delivered", "closed"): STAFF_EDITORS,
}
DELIVERY_STEPS = {"partly_delivered", "delivered"}
MAX_AMOUNT = 10**15  # well inside BIGINT, far above any pledge

# 32 letters and digits without 0/O, 1/I: 16 of them carry 80 random bits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


class CsrError(Exception):
    """A refused request; `message` is for the reader, `field` names the form field."""

    def __init__(self, message, field: str | None = None):
        # Kept lazy: it is put into words in the reader's language, inside a request.
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(CsrError):
    """The person's role (or ownership) does not allow this step."""


# --- codes -------------------------------------------------------------------------


def new_code() -> str:
    """A random, unguessable verification code: XXXX-XXXX-XXXX-XXXX."""
    return codes.new_code(CODE_ALPHABET, CODE_LENGTH)


def normalize_code(text: str | None) -> str | None:
    """A code as typed (spaces, lower case, no dashes) in its stored form, or None."""
    return codes.normalize_code(text, CODE_ALPHABET, CODE_LENGTH)


# --- progress ------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """How far a need has come: pledged, confirmed and delivered against its target."""

    target: int
    pledged: int = 0
    confirmed: int = 0
    delivered: int = 0
    pledges: int = 0

    def pct(self, value: int) -> int:
        return int(value * 100 // self.target) if self.target else 0

    @property
    def pct_pledged(self) -> int:
        return self.pct(self.pledged)

    @property
    def pct_confirmed(self) -> int:
        return self.pct(self.confirmed)

    @property
    def pct_delivered(self) -> int:
        return self.pct(self.delivered)

    @property
    def over_pledged(self) -> bool:
        return self.pledged > self.target

    @property
    def over_delivered(self) -> bool:
        return self.delivered > self.target

    @property
    def met(self) -> bool:
        return self.delivered >= self.target

    def bar(self, value: int) -> int:
        """The value for a <progress max=target>: never past the end of the bar."""
        return min(value, self.target)

    @property
    def still_needed(self) -> int:
        return max(self.target - self.pledged, 0)


def _effective_amount():
    # A closed pledge counts for what it actually delivered: the rest will not come.
    return case((Pledge.status == "closed", Pledge.delivered), else_=Pledge.amount)


def _delivered_value():
    # In floating point: value x delivered can pass the 64-bit integer range.
    return cast(Pledge.value, Float) * Pledge.delivered / Pledge.amount


def _effective_value():
    return case((Pledge.status == "closed", _delivered_value()), else_=Pledge.value)


def _progress_sums(need_ids: list[int] | None, public: bool) -> dict[int, tuple]:
    """need id -> (pledged, confirmed, delivered, pledges), summed in one query; for
    the given needs, or for every need when `need_ids` is None."""
    amount = _effective_amount()
    stmt = (
        select(
            Pledge.need_id,
            func.coalesce(func.sum(amount), 0),
            func.coalesce(
                func.sum(case((Pledge.status.in_(CONFIRMED), amount), else_=0)),
                0,
            ),
            func.coalesce(func.sum(Pledge.delivered), 0),
            func.count(),
        )
        .join(Company, Company.id == Pledge.company_id)
        .where(Pledge.need_id.is_not(None), Pledge.status.in_(COUNTED))
        .group_by(Pledge.need_id)
    )
    if need_ids is not None:
        stmt = stmt.where(Pledge.need_id.in_(need_ids))
    if public:
        stmt = stmt.where(Company.status == "verified")
    return {
        row[0]: (int(row[1]), int(row[2]), int(row[3]), int(row[4]))
        for row in db.session.execute(stmt)
    }


def progress_for(needs: Iterable[Need], public: bool = True) -> dict[int, Progress]:
    """Progress of each need in one query. `public` counts verified companies only."""
    needs = list(needs)
    if not needs:
        return {}
    rows = _progress_sums([n.id for n in needs], public)
    return {n.id: Progress(n.target, *rows.get(n.id, (0, 0, 0, 0))) for n in needs}


def progress_of(need: Need, public: bool = True) -> Progress:
    """Progress of one need (see progress_for)."""
    return progress_for([need], public)[need.id]


BOARD_PAGE_SIZE = 20
PARTNER_PAGE_SIZE = 20


@dataclass(frozen=True)
class BoardPage:
    """One page of the public board: needs with their progress, and page numbers."""

    items: list[tuple[Need, Progress]]
    page: int
    pages: int
    total: int
    # How many needs are in the other list (met or closed when this is the open list).
    other: int
    done: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def board(
    kind: str | None = None, *, page: int = 1, done: bool = False, per_page: int = BOARD_PAGE_SIZE
) -> BoardPage:
    """One page of the public board: open needs (or, with `done`, needs met or closed).

    Most urgent first: the rank staff give (1 first), then the nearest deadline. A need
    is met when verified companies delivered its target. Three queries whatever the
    number of needs and pledges: the sums per need (one pass over the pledges), the
    few columns that order and sort the needs, and the needs of this page.
    """
    sums = _progress_sums(None, public=True)
    stmt = select(Need.id, Need.rank, Need.deadline, Need.is_open, Need.target).where(
        Need.published.is_(True)
    )
    if kind:
        stmt = stmt.where(Need.kind == kind)
    far = date.max
    open_rows, done_rows = [], []
    for need_id, rank, deadline, is_open, target in db.session.execute(stmt):
        delivered = sums.get(need_id, (0, 0, 0, 0))[2]
        finished = not is_open or delivered >= target
        (done_rows if finished else open_rows).append((rank, deadline or far, need_id))
    rows, other = (done_rows, open_rows) if done else (open_rows, done_rows)
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(1, page), pages)
    ids = [row[2] for row in sorted(rows)[(page - 1) * per_page : page * per_page]]
    needs = {n.id: n for n in db.session.scalars(select(Need).where(Need.id.in_(ids)))}
    items = [(needs[i], Progress(needs[i].target, *sums.get(i, (0, 0, 0, 0)))) for i in ids]
    return BoardPage(items, page, pages, len(rows), len(other), done)


def published_need(need_id: int) -> Need | None:
    """A need shown on the board, or None (drafts look absent)."""
    return db.session.scalars(
        select(Need).where(Need.id == need_id, Need.published.is_(True))
    ).first()


def open_needs() -> list[Need]:
    """Needs a partner may pledge against, most urgent first."""
    return list(
        db.session.scalars(
            select(Need)
            .where(Need.published.is_(True), Need.is_open.is_(True))
            .order_by(Need.rank, Need.deadline, Need.id)
        )
    )


def _public_pledges():
    return (
        select(Pledge)
        .join(Company, Company.id == Pledge.company_id)
        .where(Company.status == "verified", Pledge.status != "offered")
    )


def public_pledges_for_need(need: Need) -> list[Pledge]:
    """Pledges the public may see on a need's page (verified companies, no offers)."""
    return list(
        db.session.scalars(
            _public_pledges()
            .where(Pledge.need_id == need.id)
            .order_by(Pledge.created_at.desc(), Pledge.id.desc())
        )
    )


def totals() -> dict[str, list]:
    """Rupiah totals of public pledges per partner, per kind and per year.

    Each row is (label key, pledged value, delivered value); withdrawn pledges and
    offers do not count, closed ones count for what they delivered. One aggregated
    query (one pass over the pledges, grouped by company, kind and year: a few hundred
    rows at most), added up here into the three tables.
    """
    year = extract("year", Pledge.created_at)
    rows = db.session.execute(
        select(
            Company.id,
            Company.name,
            Pledge.kind,
            year,
            func.coalesce(func.sum(_effective_value()), 0),
            func.coalesce(func.sum(_delivered_value()), 0),
        )
        .join(Company, Company.id == Pledge.company_id)
        .where(Company.status == "verified", Pledge.status.in_(COUNTED))
        .group_by(Company.id, Company.name, Pledge.kind, year)
    ).all()
    partners: dict[tuple, list] = {}
    kinds: dict[str, list] = {}
    years: dict[int, list] = {}
    for company_id, name, kind, when, pledged, delivered in rows:
        for table, key in ((partners, (company_id, name)), (kinds, kind), (years, int(when))):
            sums = table.setdefault(key, [0.0, 0.0])
            sums[0] += pledged
            sums[1] += delivered
    return {
        "partners": sorted(
            ((k[0], k[1], round(v[0]), round(v[1])) for k, v in partners.items()),
            key=lambda r: (-r[2], r[1]),
        ),
        "kinds": sorted((k, round(v[0]), round(v[1])) for k, v in kinds.items()),
        "years": sorted(((k, round(v[0]), round(v[1])) for k, v in years.items()), reverse=True),
    }


# --- needs (staff) -------------------------------------------------------------------

NEED_FIELDS = (
    "kind",
    "title_id",
    "title_en",
    "description_id",
    "description_en",
    "unit_id",
    "unit_en",
    "target",
    "programme_id",
    "ballot_id",
    "priority_id",
    "priority_en",
    "deadline",
    "rank",
    "is_open",
)

OPTIONAL_TEXTS = {"title_en", "description_en", "unit_id", "unit_en", "priority_id", "priority_en"}


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def save_need(need: Need | None, data: dict, *, actor: User) -> Need:
    """Create (need=None) or update a need from plain values; drafts until published."""
    _require_role(actor, STAFF_EDITORS)
    if data.get("kind") not in NEED_KINDS:
        raise CsrError(_l("Choose a kind."), "kind")
    target = data.get("target")
    if not isinstance(target, int) or not 0 < target <= MAX_AMOUNT:
        raise CsrError(_l("Enter a target greater than zero."), "target")
    creating = need is None
    if creating:
        need = Need(created_by_id=actor.id)
        db.session.add(need)
    before = None if creating else {f: _plain(getattr(need, f)) for f in NEED_FIELDS}
    for name in NEED_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str):
            # Empty optional texts are stored as "none", so the fallback note shows.
            value = value.strip() or (None if name in OPTIONAL_TEXTS else "")
        setattr(need, name, value)
    db.session.flush()
    record(
        "create" if creating else "update",
        "csr_need",
        need.id,
        actor=actor,
        before=before,
        after={f: _plain(getattr(need, f)) for f in NEED_FIELDS},
    )
    db.session.commit()
    return need


def set_need_published(need: Need, value: bool, *, actor: User) -> None:
    """Show a need on the board, or take it off (its pledges stay)."""
    _require_role(actor, STAFF_EDITORS)
    was = need.published
    need.set_published(value)
    if was != value:
        record("publish" if value else "unpublish", "csr_need", need.id, actor=actor)
    db.session.commit()


def list_needs() -> list[Need]:
    """Every need, published or not, by rank (staff pages)."""
    return list(db.session.scalars(select(Need).order_by(Need.rank, Need.id).limit(1000)))


# --- companies -------------------------------------------------------------------------


def company_for_user(user) -> Company | None:
    """The company a logged-in partner account represents, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalars(select(Company).where(Company.user_id == user.id)).first()


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
    if len(password) < 10:
        raise CsrError(_l("Use at least 10 characters."), "password")
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


def _company_pledges(company: Company, *, public: bool):
    stmt = (
        select(Pledge)
        .where(Pledge.company_id == company.id)
        .options(selectinload(Pledge.deliveries))
    )
    if public:
        stmt = stmt.where(Pledge.status != "offered")
    return stmt.order_by(Pledge.created_at.desc(), Pledge.id.desc())


def company_pledges_page(
    company: Company, *, public: bool, page: int, per_page: int = PARTNER_PAGE_SIZE
):
    """One page of what a company pledged, newest first (offers only for itself and
    staff): a Flask-SQLAlchemy Pagination, empty past the end."""
    return db.paginate(
        _company_pledges(company, public=public), page=page, per_page=per_page, error_out=False
    )


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


# --- pledges ---------------------------------------------------------------------------


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


def record_delivery(
    pledge_id: int,
    *,
    amount: int,
    delivered_on: date,
    actor,
    note: str | None = None,
    attachment: uploads.CleanImage | None = None,
    beyond_target: bool = False,
) -> Delivery:
    """Staff record a (partial) delivery against a confirmed pledge.

    Deliveries add up: the pledge's running sum moves by a conditional UPDATE that
    cannot pass the pledged amount, so concurrent deliveries never exceed it. A
    delivery that would take the need past its target (possible when it was
    over-pledged) is refused unless staff confirm it with `beyond_target`, so a typing
    mistake cannot show a need as more than 100% delivered.
    """
    _require_role(actor, STAFF_EDITORS)
    amount = _positive(amount)
    if delivered_on is None or delivered_on > village_today() + timedelta(days=1):
        raise CsrError(_l("The delivery date must not be in the future."), "delivered_on")
    stored = uploads.store(attachment, "deliveries") if attachment else None
    try:
        with write_transaction(db.session()):
            need_id = db.session.scalar(select(Pledge.need_id).where(Pledge.id == pledge_id))
            if need_id is None:
                raise CsrError(_l("Only a confirmed pledge can receive deliveries."))
            # One writer per need at a time (BEGIN IMMEDIATE already does it on SQLite).
            need = db.session.execute(
                select(Need.id, Need.target).where(Need.id == need_id).with_for_update()
            ).one()
            pledge = _lock_pledge(pledge_id)
            if pledge.status not in DELIVERABLE:
                raise CsrError(_l("Only a confirmed pledge can receive deliveries."))
            if not beyond_target:
                so_far = db.session.scalar(
                    select(func.coalesce(func.sum(Pledge.delivered), 0)).where(
                        Pledge.need_id == need_id
                    )
                )
                if so_far + amount > need.target:
                    raise CsrError(
                        _l(
                            "This delivery would take the need past its target (%(target)s; "
                            "%(done)s delivered so far). Check the amount, or tick the box "
                            "if the village really received more than it needed.",
                            target=f"{need.target:,}",
                            done=f"{so_far:,}",
                        ),
                        "amount",
                    )
            moved = db.session.execute(
                update(Pledge)
                .where(
                    Pledge.id == pledge_id,
                    Pledge.status.in_(DELIVERABLE),
                    Pledge.delivered + amount <= Pledge.amount,
                )
                .values(delivered=Pledge.delivered + amount, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount != 1:
                remaining = db.session.scalar(
                    select(Pledge.amount - Pledge.delivered).where(Pledge.id == pledge_id)
                )
                raise CsrError(
                    _l(
                        "That is more than this pledge still has to deliver (%(n)s).",
                        n=f"{remaining:,}",
                    ),
                    "amount",
                )
            total = db.session.scalar(select(Pledge.delivered).where(Pledge.id == pledge_id))
            from_status = pledge.status
            to_status = "delivered" if total >= pledge.amount else "partly_delivered"
            if to_status != from_status:
                db.session.execute(
                    update(Pledge)
                    .where(Pledge.id == pledge_id)
                    .values(status=to_status)
                    .execution_options(synchronize_session=False)
                )
            delivery = Delivery(
                pledge_id=pledge_id,
                amount=amount,
                delivered_on=delivered_on,
                note=(note or "").strip()[:1000] or None,
                attachment_file=stored,
                recorded_by_id=actor.id,
                recorded_by_name=actor.name,
                beyond_target=bool(beyond_target),
                receipt_code=new_code(),
            )
            db.session.add(delivery)
            _event(pledge, from_status, to_status, actor, note, amount=amount)
            record(
                "deliver",
                "csr_pledge",
                pledge_id,
                actor=actor,
                after={"amount": amount, "delivered": total, "status": to_status},
            )
    except BaseException:
        uploads.remove("deliveries", stored)
        raise
    db.session.refresh(pledge)
    return delivery


def own_pledge(company: Company | None, pledge_id: int) -> Pledge | None:
    """A pledge of this company, or None (another company's pledge looks absent)."""
    if company is None:
        return None
    return db.session.scalars(
        select(Pledge).where(Pledge.id == pledge_id, Pledge.company_id == company.id)
    ).first()


def staff_pledges(status: str | None = None) -> list[Pledge]:
    """Pledges and offers for staff, latest change first, optionally of one status."""
    stmt = select(Pledge).order_by(Pledge.updated_at.desc(), Pledge.id.desc())
    if status:
        stmt = stmt.where(Pledge.status == status)
    return list(db.session.scalars(stmt.limit(500)))


def status_counts() -> dict[str, int]:
    """How many pledges are in each status (staff overview)."""
    return dict(
        db.session.execute(select(Pledge.status, func.count()).group_by(Pledge.status)).all()
    )


# --- receipts and verification -----------------------------------------------------------


def find_receipt(code: str | None):
    """("pledge", Pledge) or ("delivery", Delivery) for a verification code, or None."""
    code = normalize_code(code)
    if code is None:
        return None
    pledge = db.session.scalars(select(Pledge).where(Pledge.receipt_code == code)).first()
    if pledge is not None:
        return ("pledge", pledge)
    delivery = db.session.scalars(select(Delivery).where(Delivery.receipt_code == code)).first()
    if delivery is not None:
        return ("delivery", delivery)
    return None


# --- open data and feed -----------------------------------------------------------------

PLEDGE_COLUMNS = (
    "pledge_id",
    "company_id",
    "company",
    "need_id",
    "need",
    "kind",
    "amount",
    "unit",
    "value_idr",
    "delivered",
    "status",
    "pledged_on",
    "confirmed_on",
    "expected_on",
)
DELIVERY_COLUMNS = (
    "delivery_id",
    "pledge_id",
    "company_id",
    "company",
    "need_id",
    "need",
    "kind",
    "amount",
    "unit",
    "delivered_on",
    "recorded_on",
)


def _unit(pledge: Pledge) -> str:
    if pledge.kind == "money":
        return "IDR"
    if pledge.need is not None:
        return pledge.need.unit_id or ""
    return pledge.unit or ""


def export_pledges() -> list[dict]:
    """Every public pledge as a flat row (open data; no personal data)."""
    rows = []
    for p in db.session.scalars(_public_pledges().order_by(Pledge.id)):
        rows.append(
            {
                "pledge_id": p.id,
                "company_id": p.company_id,
                "company": p.company.name,
                "need_id": p.need_id,
                "need": p.need.title_id if p.need else None,
                "kind": p.kind,
                "amount": p.amount,
                "unit": _unit(p),
                "value_idr": p.value,
                "delivered": p.delivered,
                "status": p.status,
                "pledged_on": p.created_at.date().isoformat(),
                "confirmed_on": p.confirmed_at.date().isoformat() if p.confirmed_at else None,
                "expected_on": p.expected_on.isoformat() if p.expected_on else None,
            }
        )
    return rows


def export_deliveries() -> list[dict]:
    """Every delivery of a public pledge as a flat row (no attachments, no names)."""
    stmt = (
        select(Delivery)
        .join(Pledge, Pledge.id == Delivery.pledge_id)
        .join(Company, Company.id == Pledge.company_id)
        .where(Company.status == "verified")
        .order_by(Delivery.id)
    )
    rows = []
    for d in db.session.scalars(stmt):
        p = d.pledge
        rows.append(
            {
                "delivery_id": d.id,
                "pledge_id": p.id,
                "company_id": p.company_id,
                "company": p.company.name,
                "need_id": p.need_id,
                "need": p.need.title_id if p.need else None,
                "kind": p.kind,
                "amount": d.amount,
                "unit": _unit(p),
                "delivered_on": d.delivered_on.isoformat(),
                "recorded_on": d.recorded_at.date().isoformat(),
            }
        )
    return rows


def recent_events(limit: int = 30) -> list[PledgeEvent]:
    """The latest public steps (pledged, confirmed, delivered, closed, withdrawn)."""
    stmt = (
        select(PledgeEvent)
        .join(Pledge, Pledge.id == PledgeEvent.pledge_id)
        .join(Company, Company.id == Pledge.company_id)
        .where(
            Company.status == "verified",
            Pledge.status != "offered",
            PledgeEvent.to_status != "offered",
        )
        .order_by(PledgeEvent.at.desc(), PledgeEvent.id.desc())
        .options(selectinload(PledgeEvent.pledge))
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
