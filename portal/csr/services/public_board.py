"""The public board: needs with their progress, pages of needs, totals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Float, bindparam, case, cast, extract, func, select
from sqlalchemy.orm import joinedload

from portal.csr.models import Company, Need, Pledge
from portal.csr.services.common import CONFIRMED, COUNTED
from portal.database import read
from portal.extensions import db


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


@cache
def _progress_statement(for_needs: bool, public: bool):
    """The sums per need (see _progress_sums), built once per process for each of its
    four shapes: building this statement and its cache key cost more than running it."""
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
    if for_needs:
        stmt = stmt.where(Pledge.need_id.in_(bindparam("need_ids", expanding=True)))
    if public:
        stmt = stmt.where(Company.status == "verified")
    return stmt


def _progress_sums(need_ids: list[int] | None, public: bool) -> dict[int, tuple]:
    """need id -> (pledged, confirmed, delivered, pledges), summed in one query; for
    the given needs, or for every need when `need_ids` is None."""
    stmt = _progress_statement(need_ids is not None, public)
    params = {} if need_ids is None else {"need_ids": list(need_ids)}
    return {
        row[0]: (int(row[1]), int(row[2]), int(row[3]), int(row[4]))
        for row in read(db.session, stmt, params)
    }


def progress_for(needs: Iterable[Need], public: bool = True) -> dict[int, Progress]:
    """Progress of each need in one query. `public` counts verified companies only."""
    needs = list(needs)
    if not needs:
        return {}
    rows = _progress_sums([n.id for n in needs], public)
    return {n.id: Progress(n.target, *rows.get(n.id, (0, 0, 0, 0))) for n in needs}


@cache
def _both_sums():
    """The sums per need of every company and of verified ones side by side (see
    progress_both), of every need: built once per process."""
    amount = _effective_amount()
    confirmed = Pledge.status.in_(CONFIRMED)
    verified = Company.status == "verified"

    def total(value, when=None):
        return func.coalesce(func.sum(value if when is None else case((when, value), else_=0)), 0)

    return (
        select(
            Pledge.need_id,
            total(amount),
            total(amount, confirmed),
            total(Pledge.delivered),
            func.count(),
            total(amount, verified),
            total(amount, verified & confirmed),
            total(Pledge.delivered, verified),
            total(1, verified),
        )
        .join(Company, Company.id == Pledge.company_id)
        .where(Pledge.need_id.is_not(None), Pledge.status.in_(COUNTED))
        .group_by(Pledge.need_id)
    )


@cache
def _both_statement():
    """_both_sums of the needs given (progress_both), built once per process."""
    return _both_sums().where(Pledge.need_id.in_(bindparam("need_ids", expanding=True)))


def needs_with_progress() -> tuple[list, dict[int, Progress], dict[int, Progress]]:
    """Every need, published or not, by rank (at most 1000), as plain rows of the
    columns the staff index shows, with progress_both's two progresses of each: (needs,
    every company's, verified companies'), in one statement."""
    needs = read(db.session, _needs_with_progress_statement()).all()
    every = {n.id: Progress(n.target, *(int(v) for v in n[-8:-4])) for n in needs}
    public = {n.id: Progress(n.target, *(int(v) for v in n[-4:])) for n in needs}
    return needs, every, public


@cache  # built once per process (with its cache key)
def _needs_with_progress_statement():
    sums = _both_sums().subquery()
    need_id, *totals = sums.c
    return (
        select(
            Need.id,
            Need.rank,
            Need.kind,
            Need.title_id,
            Need.title_en,
            Need.unit_id,
            Need.unit_en,
            Need.target,
            Need.published,
            Need.is_open,
            *(func.coalesce(total, 0) for total in totals),
        )
        .outerjoin(sums, need_id == Need.id)
        .order_by(Need.rank, Need.id)
        .limit(1000)
    )


def progress_both(needs: Iterable[Need]) -> tuple[dict[int, Progress], dict[int, Progress]]:
    """progress_for(needs, public=False) and progress_for(needs, public=True) from one
    statement (the staff index shows both)."""
    needs = list(needs)
    if not needs:
        return {}, {}
    rows = {
        row[0]: [int(v) for v in row[1:]]
        for row in read(db.session, _both_statement(), {"need_ids": [n.id for n in needs]})
    }
    zero = [0] * 8
    every = {n.id: Progress(n.target, *rows.get(n.id, zero)[:4]) for n in needs}
    public = {n.id: Progress(n.target, *rows.get(n.id, zero)[4:]) for n in needs}
    return every, public


def progress_of(need: Need, public: bool = True) -> Progress:
    """Progress of one need (see progress_for)."""
    return progress_for([need], public)[need.id]


def need_with_progress(need_id: int, public: bool = True) -> tuple[Need, Progress] | None:
    """The need (any, published or not) and its progress_of(need, public), or None for
    no such need: one statement, the sums joined to the need."""
    row = db.session.execute(_need_with_progress_statement(public), {"need_id": need_id}).first()
    if row is None:
        return None
    need = row[0]
    return need, Progress(need.target, *(int(value) for value in row[1:]))


@cache  # built once per process for each shape (with its cache key)
def _need_with_progress_statement(public: bool):
    sums = (
        _progress_statement(False, public).where(Pledge.need_id == bindparam("need_id")).subquery()
    )
    return (
        select(Need, *(func.coalesce(column, 0) for column in list(sums.c)[1:]))
        .outerjoin(sums, sums.c[0] == Need.id)
        .where(Need.id == bindparam("need_id"))
    )


def progress_from(need: Need, pledges: Iterable[Pledge]) -> Progress:
    """progress_of(need) worked out from its public pledges (public_pledges_for_need,
    already read for the need's page) instead of another statement: the same sums."""
    pledged = confirmed = delivered = count = 0
    for p in pledges:
        if p.status not in COUNTED:
            continue
        amount = p.delivered if p.status == "closed" else p.amount
        pledged += amount
        confirmed += amount if p.status in CONFIRMED else 0
        delivered += p.delivered
        count += 1
    return Progress(need.target, pledged, confirmed, delivered, count)


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
    is met when verified companies delivered its target. One statement whatever the
    number of needs and pledges: every published need's few shown columns (plain rows:
    a village has some dozens) with its sums (one pass over the pledges).
    """
    far = date.max
    open_rows, done_rows = [], []
    params = {"kind": kind} if kind else {}
    for row in read(db.session, _board_statement(bool(kind)), params):
        finished = not row.is_open or row.delivered >= row.target
        (done_rows if finished else open_rows).append((row.rank, row.deadline or far, row.id, row))
    rows, other = (done_rows, open_rows) if done else (open_rows, done_rows)
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(1, page), pages)
    shown = [row[3] for row in sorted(rows)[(page - 1) * per_page : page * per_page]]
    items = [
        (n, Progress(n.target, int(n.pledged), int(n.confirmed), int(n.delivered), n.pledges))
        for n in shown
    ]
    return BoardPage(items, page, pages, len(rows), len(other), done)


@cache  # built once per process for each shape (with its cache key); the kind a parameter
def _board_statement(of_kind: bool):
    """Published needs (of one kind): the columns the board shows and orders by, and
    the sums of verified companies' pledges (see _progress_sums), 0 without any."""
    sums = _progress_statement(False, True).subquery()
    need_id, pledged, confirmed, delivered, pledges = sums.c
    stmt = (
        select(
            Need.id,
            Need.rank,
            Need.deadline,
            Need.is_open,
            Need.target,
            Need.kind,
            Need.title_id,
            Need.title_en,
            Need.unit_id,
            Need.unit_en,
            func.coalesce(pledged, 0).label("pledged"),
            func.coalesce(confirmed, 0).label("confirmed"),
            func.coalesce(delivered, 0).label("delivered"),
            func.coalesce(pledges, 0).label("pledges"),
        )
        .outerjoin(sums, need_id == Need.id)
        .where(Need.published.is_(True))
    )
    if of_kind:
        stmt = stmt.where(Need.kind == bindparam("kind"))
    return stmt


def published_need(need_id: int, *, with_links: bool = False) -> Need | None:
    """A need shown on the board, or None (drafts look absent); `with_links`: with its
    programme and ballot in the same statement (the need's page shows them)."""
    return db.session.scalars(_published_need_statement(with_links), {"need_id": need_id}).first()


@cache  # built once per process (with its cache key); the need as a parameter
def _published_need_statement(with_links: bool):
    stmt = select(Need).where(Need.id == bindparam("need_id"), Need.published.is_(True))
    if with_links:
        stmt = stmt.options(joinedload(Need.programme), joinedload(Need.ballot))
    return stmt


def open_needs(limit: int | None = None) -> list:
    """Needs a partner may pledge against, most urgent first (the first `limit`), as
    plain rows: id, kind, title_id and title_en (what a list of them links and names)."""
    if limit is None:
        return db.session.execute(_open_needs_statement(False)).all()
    return db.session.execute(_open_needs_statement(True), {"limit": limit}).all()


@cache  # built once per process (with its cache key)
def _open_needs_statement(limited: bool):
    stmt = (
        select(Need.id, Need.kind, Need.title_id, Need.title_en)
        .where(Need.published.is_(True), Need.is_open.is_(True))
        .order_by(Need.rank, Need.deadline, Need.id)
    )
    return stmt.limit(bindparam("limit")) if limited else stmt


def _public_pledges():
    return (
        select(Pledge)
        .join(Company, Company.id == Pledge.company_id)
        .where(Company.status == "verified", Pledge.status != "offered")
    )


class _CompanyName:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class NeedPledge:
    """A pledge as a need's public page lists it (plain columns, not an ORM object): its
    company's name as `company.name`, and the need it was read for as `need`."""

    __slots__ = (
        "amount",
        "company",
        "company_id",
        "created_at",
        "delivered",
        "id",
        "kind",
        "need",
        "need_id",
        "status",
        "unit",
    )

    def __init__(self, need, row):
        (
            self.id,
            self.company_id,
            self.need_id,
            self.kind,
            self.amount,
            self.unit,
            self.delivered,
            self.status,
            self.created_at,
            name,
        ) = row
        self.company = _CompanyName(name)
        self.need = need


def public_pledges_for_need(need: Need) -> list[NeedPledge]:
    """Pledges the public may see on a need's page (verified companies, no offers),
    newest first, read as plain columns."""
    rows = read(db.session, _need_pledges_statement(), {"need_id": need.id})
    return [NeedPledge(need, row) for row in rows]


@cache  # built once per process (with its cache key); the need as a parameter
def _need_pledges_statement():
    return (
        select(
            Pledge.id,
            Pledge.company_id,
            Pledge.need_id,
            Pledge.kind,
            Pledge.amount,
            Pledge.unit,
            Pledge.delivered,
            Pledge.status,
            Pledge.created_at,
            Company.name,
        )
        .join(Company, Company.id == Pledge.company_id)
        .where(
            Company.status == "verified",
            Pledge.status != "offered",
            Pledge.need_id == bindparam("need_id"),
        )
        .order_by(Pledge.created_at.desc(), Pledge.id.desc())
    )


@cache
def _totals_statement():
    """The statement of `totals` (no argument: built once per process)."""
    year = extract("year", Pledge.created_at)
    return (
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
    )


def totals() -> dict[str, list]:
    """Rupiah totals of public pledges per partner, per kind and per year.

    Each row is (label key, pledged value, delivered value); withdrawn pledges and
    offers do not count, closed ones count for what they delivered. One aggregated
    query (one pass over the pledges, grouped by company, kind and year: a few hundred
    rows at most), added up here into the three tables.
    """
    rows = read(db.session, _totals_statement()).all()
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
