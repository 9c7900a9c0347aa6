"""The staff search over households: filters, RT/RW parsing, name prefixes and the paged query."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import lazyload

from portal.database import read
from portal.extensions import db
from portal.models_base import village_today
from portal.numbers import is_whole
from portal.programmes.models import AID_TYPES, Programme
from portal.registry.models import NEED_LEVELS, Enrolment, Household, KKNumber, Person
from portal.registry.services.enrolments import _active
from portal.registry.services.names import normalise_name
from portal.registry.validation import clean_number
from portal.row_pages import CountedPagination, counted_page, paginate_rows

# "RT 3 RW 2", "rt03/rw02", "RT 3", "RW 2" and "3/2".
_RT_RW_LABELLED = re.compile(r"(?:rt\.?\s*(\d{1,3}))?\s*[/,]?\s*(?:rw\.?\s*(\d{1,3}))?")
_RT_RW_SHORT = re.compile(r"(\d{1,3})\s*/\s*(\d{1,3})")
MAX_QUERY = 100
# The first six digits of a NIK or KK number are the region, the same for nearly the whole
# village: a shorter prefix would list everyone (and sort them all on every keystroke).
MIN_NUMBER_PREFIX = 8


@dataclass
class Filters:
    """What the staff search asks for; every part is optional."""

    q: str = ""
    need_level: str | None = None
    aid_type: str | None = None
    rt: int | None = None
    rw: int | None = None
    programme_id: int | None = None


def filters_from_args(args) -> Filters:
    """The search filters from a query string (the list page and the export page share
    them, so an export is exactly the list the operator was looking at). Unknown or
    out-of-range values are ignored."""
    if not args:  # the list as it first opens: nothing to read
        return Filters()

    def number(name: str, high: int = 999) -> int | None:
        raw = (args.get(name) or "").strip()
        return int(raw) if is_whole(raw) and 1 <= int(raw) <= high else None

    level, aid = args.get("tingkat"), args.get("bantuan")
    return Filters(
        q=(args.get("q") or "").strip()[:MAX_QUERY],
        need_level=level if level in NEED_LEVELS else None,
        aid_type=aid if aid in AID_TYPES else None,
        rt=number("rt"),
        rw=number("rw"),
        programme_id=number("program", high=10**9),
    )


def filters_query(filters: Filters) -> dict[str, str | int]:
    """The query-string arguments that give `filters` back (for links)."""
    pairs = {
        "q": filters.q,
        "tingkat": filters.need_level,
        "bantuan": filters.aid_type,
        "rt": filters.rt,
        "rw": filters.rw,
        "program": filters.programme_id,
    }
    return {key: value for key, value in pairs.items() if value}


def parse_rt_rw(q: str) -> tuple[int | None, int | None] | None:
    """(rt, rw) when the search words are an RT/RW, else None."""
    q = q.strip().lower()
    match = _RT_RW_SHORT.fullmatch(q) or _RT_RW_LABELLED.fullmatch(q)
    if match is None or not any(match.groups()):
        return None
    rt, rw = match.groups()
    return (int(rt) if rt else None, int(rw) if rw else None)


# How many words of a canonical name the search looks at: each has an index of its own.
NAME_WORDS_SEARCHED = 4


def name_word_starts(dialect: str) -> list:
    """The canonical name from its first, second, third and fourth word on.

    A word typed in the search matches when one of these starts with it, so "amin"
    finds "siti aminah" through an index (see the migration registry_search, which
    indexes exactly these expressions) instead of reading every person; words from the
    fifth on are not searched. The expressions are literal SQL because an index on an
    expression serves only a query that spells it the same way, without parameters.
    """
    find = "strpos" if dialect == "postgresql" else "instr"
    texts = ["name_norm"]
    for _ in range(NAME_WORDS_SEARCHED - 1):
        texts.append(f"substr({texts[-1]}, {find}({texts[-1]}, ' ') + 1)")
    return [Person.name_norm, *(literal_column(t, String) for t in texts[1:])]


def _prefix(column, value: str):
    # A range, not LIKE: it uses the index on every engine ('~' sorts after a-z and digits).
    return and_(column >= value, column < value + "~")


def search_query(filters: Filters, today: date | None = None) -> Select:
    """The households matching a staff search, in RW/RT order.

    `q` may be a NIK or KK number (exact, or at least 8 leading digits), "RT 3 RW 2"
    or "3/2", or words of a name (each word must start one of the first four words of a
    member's name, compared in the canonical spelling).
    """
    today = today or village_today()
    stmt = select(Household)
    q = (filters.q or "").strip()[:MAX_QUERY]
    rt, rw = filters.rt, filters.rw
    digits = clean_number(q)
    rt_rw = parse_rt_rw(q)
    if rt_rw is not None:
        rt = rt_rw[0] if rt_rw[0] is not None else rt
        rw = rt_rw[1] if rt_rw[1] is not None else rw
    elif is_whole(digits) and len(digits) >= MIN_NUMBER_PREFIX:
        if len(digits) == 16:
            person_hit = select(Person.household_id).where(Person.nik == digits)
            kk_hit = select(KKNumber.household_id).where(KKNumber.kk_number == digits)
            stmt = stmt.where(
                or_(
                    Household.kk_number == digits,
                    Household.id.in_(person_hit),
                    Household.id.in_(kk_hit),
                )
            )
        else:
            person_hit = select(Person.household_id).where(_prefix(Person.nik, digits))
            stmt = stmt.where(
                or_(_prefix(Household.kk_number, digits), Household.id.in_(person_hit))
            )
    elif q:
        words = normalise_name(q).split()[:6]
        if not words:
            # Only titles or symbols: nothing sensible to look for.
            return stmt.where(Household.id.is_(None))
        starts = name_word_starts(db.session.get_bind().dialect.name)
        conds = [or_(*[_prefix(start, w) for start in starts]) for w in words]
        stmt = stmt.where(
            Household.id.in_(
                select(Person.household_id).where(Person.merged_into_id.is_(None), *conds)
            )
        )
    if rt is not None:
        stmt = stmt.where(Household.rt == rt)
    if rw is not None:
        stmt = stmt.where(Household.rw == rw)
    if filters.need_level:
        stmt = stmt.where(Household.need_level == filters.need_level)
    if filters.aid_type:
        stmt = stmt.where(Household.aid_types.contains(f" {filters.aid_type} ", autoescape=True))
    if filters.programme_id:
        stmt = stmt.where(
            Household.id.in_(
                select(Enrolment.household_id).where(
                    Enrolment.programme_id == filters.programme_id, _active(Enrolment, today)
                )
            )
        )
    return stmt.order_by(Household.rw, Household.rt, Household.id)


@dataclass(frozen=True)
class MemberSummary:
    """What the staff search's list shows of a household's members: the head (the
    first member, by id, recorded as head and not merged: `Household.head`) and how
    many live there (alive, not merged)."""

    head_name: str | None = None
    head_status: str | None = None
    living: int = 0


def member_summaries(households) -> dict[int, MemberSummary]:
    """MemberSummary of each household, from plain rows of five member columns in one
    statement (even for none): the list loaded every member as an object for this."""
    ids = [h.id for h in households]
    members: dict[int, list] = {hid: [] for hid in ids}
    for row in db.session.execute(_member_columns(), {"ids": ids}):
        members[row.household_id].append(row)
    out = {}
    for hid, rows in members.items():
        head = next((r for r in rows if r.relation == "head" and r.merged_into_id is None), None)
        living = sum(1 for r in rows if r.status == "alive" and r.merged_into_id is None)
        out[hid] = MemberSummary(head.name if head else None, head.status if head else None, living)
    return out


@cache
def _member_columns():
    """Built once per process (households `ids` as an expanding parameter)."""
    return (
        select(
            Person.household_id, Person.name, Person.relation, Person.status, Person.merged_into_id
        )
        .where(Person.household_id.in_(bindparam("ids", expanding=True)))
        .order_by(Person.id)
    )


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    """What the staff search's list shows of a household (besides its members)."""

    id: int
    kk_number: str | None
    address: str | None
    rt_rw: str
    need_level: str | None
    score: int | None


_LISTED = (
    Household.id,
    Household.kk_number,
    Household.address,
    Household.rt,
    Household.rw,
    Household.need_level,
    Household.score,
)


def _household_row(row) -> HouseholdRow:
    return HouseholdRow(
        row.id, row.kk_number, row.address, Household.rt_rw.fget(row), row.need_level, row.score
    )


def search_households(filters: Filters, page: int = 1, per_page: int = 25):
    """A page of households for the staff search (a Flask-SQLAlchemy Pagination of
    `HouseholdRow`s: the columns the list shows, not whole records); their members'
    names and counts come from `member_summaries`."""
    if _unfiltered(filters):
        # The list as it first opens: its statements are built once (see _every_household).
        stmt, listed, count = _every_household()
    else:
        stmt = search_query(filters)
        listed = stmt.with_only_columns(*_LISTED)
        count = None
    pagination = paginate_rows(
        listed,
        page=page,
        per_page=per_page,
        count=False,
        convert=_household_row,
    )
    if page == 1 and len(pagination.items) < per_page:
        # Everything found fits on the first page: its length is the count. Saves the
        # second query on most searches as the operator types a name.
        pagination.total = len(pagination.items)
    else:
        if count is None:
            found = stmt.options(lazyload("*")).order_by(None).subquery()
            count = select(func.count()).select_from(found)
        pagination.total = db.session.scalar(count)
    return pagination


_NO_HEAD = (None, None)  # a household's head not (yet) found among its rows


def households_page(
    filters: Filters, page: int = 1, per_page: int = 25, programmes: list | None = None
) -> tuple[CountedPagination, dict[int, MemberSummary]]:
    """`search_households` and the `member_summaries` of its items in one statement:
    the page of households (a subquery) outer joined with their members' rows, and for
    the list as it first opens the count as a scalar subquery too (SQLite counts the
    index; the page reads 25 rows). A search counts in a second statement only when its
    first page is full or a later page is asked for, as `search_households` does.

    With a list as `programmes`, the filter menu's programmes are appended to it
    (`programmes_for_filter`'s rows): read in the same statement when no filter is set
    (UNION ALL), else by programmes_for_filter."""
    unfiltered = _unfiltered(filters)
    if unfiltered:
        both = programmes is not None
        stmt = _every_household_page_and_programmes() if both else _every_household_page()
    else:
        stmt = _page_with_members(search_query(filters).with_only_columns(*_LISTED))
        if programmes is not None:
            programmes += programmes_for_filter()
    offset = (page - 1) * per_page
    items: list[HouseholdRow] = []
    heads: dict[int, tuple] = {}
    living: dict[int, int] = {}
    total = None
    # Fetched at once (.all(): one fetch, not some three Python calls a row).
    for row in read(db.session, stmt, {"limit": per_page, "offset": offset}).all():
        if unfiltered and both and row[12]:  # a programme's row (kind 1), not a household's
            programmes += (ProgrammeName(*row[13:16]),)
            continue
        hid = row[0]
        if hid not in living:
            rt, rw = row[3], row[4]
            # Household.rt_rw, written in (not a call a row).
            rt_rw = f"{rt:03d}/–" if rw is None else f"{rt:03d}/{rw:03d}"
            items += (HouseholdRow(hid, row[1], row[2], rt_rw, *row[5:7]),)
            living[hid] = 0
            heads[hid] = _NO_HEAD
            if unfiltered:
                total = row[7]
        name, relation, status = row[-3:] if not unfiltered else row[8:11]
        if status == "alive":
            living[hid] += 1
        if relation == "head" and heads[hid] is _NO_HEAD:
            heads[hid] = (name, status)
    members = {hid: MemberSummary(*heads[hid], count) for hid, count in living.items()}
    if total is None:
        if page == 1 and len(items) < per_page:
            total = len(items)  # everything found fits on the first page
        elif unfiltered:
            total = db.session.scalar(_every_household()[2])
        else:
            found = search_query(filters).options(lazyload("*")).order_by(None).subquery()
            total = db.session.scalar(select(func.count()).select_from(found))
    return counted_page(items, total, page=page, per_page=per_page), members


def _page_with_members(listed: Select, *extra) -> Select:
    """The page (`limit`, `offset` parameters) of `listed` (the _LISTED columns in the
    list's order), each household's row repeated with each of its members not merged
    (their name, relation and status, by id; one row of None for a household without)."""
    found = listed.add_columns(*extra).limit(bindparam("limit")).offset(bindparam("offset"))
    page = found.subquery("page")
    return (
        select(*page.c, Person.name, Person.relation, Person.status)
        .select_from(page)
        .outerjoin(Person, and_(Person.household_id == page.c.id, Person.merged_into_id.is_(None)))
        .order_by(page.c.rw, page.c.rt, page.c.id, Person.id)
    )


class ProgrammeName(NamedTuple):
    """A programme as the filter menu names it (programmes_for_filter's row)."""

    id: int
    name_id: str
    name_en: str | None


@cache
def _every_household_page_and_programmes():
    """`_every_household_page()` with each of its rows' member id and kind (0), and the
    filter menu's programmes as rows of kind 1 (their id and names in the last three
    columns, every other column NULL), in one statement: the households in the list's
    order, then the programmes by name (`_programme_names`)."""
    _stmt, listed, count = _every_household()
    found = listed.add_columns(count.scalar_subquery().label("total"))
    page = found.limit(bindparam("limit")).offset(bindparam("offset")).subquery("page")
    int_, text_ = (lambda: cast(null(), Integer)), (lambda: cast(null(), String))
    households = (
        select(
            *page.c,
            Person.name,
            Person.relation,
            Person.status,
            Person.id.label("pid"),
            literal_column("0", Integer).label("kind"),
            int_().label("prog_id"),
            text_().label("prog_name_id"),
            text_().label("prog_name_en"),
        )
        .select_from(page)
        .outerjoin(Person, and_(Person.household_id == page.c.id, Person.merged_into_id.is_(None)))
    )
    # Every column named as the households' (SQLite matches an ORDER BY name of a
    # compound select in any of its selects: "id" must not be the programme's).
    empty = (int_, text_, text_, int_, int_, text_, int_, int_, text_, text_, text_, int_)
    names = [column.name for column in households.selected_columns]
    programmes = select(
        *(kind().label(name) for kind, name in zip(empty, names, strict=False)),
        literal_column("1", Integer).label("kind"),
        Programme.id.label("prog_id"),
        Programme.name_id.label("prog_name_id"),
        Programme.name_en.label("prog_name_en"),
    )
    order = ("kind", "rw", "rt", "id", "pid", "prog_name_id")
    return union_all(households, programmes).order_by(*(literal_column(c) for c in order))


@cache
def _every_household_page() -> Select:
    """households_page's statement with no filter, the count as a column, built once."""
    _stmt, listed, count = _every_household()
    return _page_with_members(listed, count.scalar_subquery().label("total"))


def _unfiltered(filters: Filters) -> bool:
    """No filter narrows search_query (every household, in RW/RT order)."""
    return not (
        (filters.q or "").strip()
        or filters.rt is not None
        or filters.rw is not None
        or filters.need_level
        or filters.aid_type
        or filters.programme_id
    )


@cache
def _every_household():
    """search_query with no filter, its listed columns and its count, built once."""
    stmt = search_query(Filters(), today=date.min)  # no filter: the day is not used
    found = stmt.options(lazyload("*")).order_by(None).subquery()
    return stmt, stmt.with_only_columns(*_LISTED), select(func.count()).select_from(found)


def programmes_for_filter() -> list:
    """The programmes of the search's filter menu: rows of their id and names (what the
    menu shows), not whole records."""
    return read(db.session, _programme_names()).all()


@cache
def _programme_names():
    return select(Programme.id, Programme.name_id, Programme.name_en).order_by(Programme.name_id)


def household_by_kk(kk: str) -> Household | None:
    """The household that now carries a family card number (for moving a person there)."""
    kk = clean_number(kk)
    if not kk:
        return None
    return db.session.scalar(select(Household).where(Household.kk_number == kk))
