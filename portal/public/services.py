"""Reading and writing public content. Views call these; tests call them directly."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from sqlalchemy import Integer, Select, bindparam, false, func, or_, select

from portal.extensions import db
from portal.models_base import utcnow
from portal.programmes.models import Programme
from portal.public.models import Announcement, Meeting, Partner
from portal.row_pages import counted_page

MAX_QUERY = 100


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def announcements_query(q: str = "", category: str | None = None) -> Select:
    """Published announcements, pinned first then newest, filtered by words and category.

    Every word must appear in the title or the body, in either language.
    """
    stmt = select(Announcement).where(Announcement.published.is_(True))
    if category:
        stmt = stmt.where(Announcement.category == category)
    for word in q.split()[:8]:
        pattern = f"%{_escape_like(word)}%"
        stmt = stmt.where(
            or_(
                Announcement.title_id.ilike(pattern, escape="\\"),
                Announcement.title_en.ilike(pattern, escape="\\"),
                Announcement.body_id.ilike(pattern, escape="\\"),
                Announcement.body_en.ilike(pattern, escape="\\"),
            )
        )
    return stmt.order_by(
        Announcement.pinned.desc(), Announcement.published_at.desc(), Announcement.id.desc()
    )


def search_announcements(q: str, category: str | None, page: int, per_page: int):
    """A page of announcements (a Pagination), and their number counted in the same
    statement (a second one only for a page past the end, which has none)."""
    values = {"limit": per_page, "offset": (page - 1) * per_page}
    if q.split():
        stmt = _counted_page(announcements_query(q, category))
    else:  # no words: the statement is kept, the category a parameter
        stmt = _announcements_page(category is not None)
        if category is not None:
            values["category"] = category
    rows = db.session.execute(stmt, values).all()
    if rows:
        total = rows[0][1]
    else:
        total = db.session.scalar(
            select(func.count()).select_from(announcements_query(q, category).subquery())
        )
    return counted_page([row[0] for row in rows], total, page=page, per_page=per_page)


def _counted_page(stmt: Select) -> Select:
    """`stmt`'s page (limit and offset bound), each row with the number of all (total)."""
    total = func.count().over().label("total")
    return stmt.add_columns(total).limit(bindparam("limit")).offset(bindparam("offset"))


@functools.cache
def _announcements_page(of_category: bool) -> Select:
    stmt = announcements_query()
    if of_category:
        stmt = stmt.where(Announcement.category == bindparam("category"))
    return _counted_page(stmt)


def latest_announcements(limit: int = 5) -> list[Announcement]:
    return list(db.session.scalars(_latest_announcements(), {"limit": limit}))


# The home page's statements, built once (building and cache-keying a statement cost
# more than running it); their values are bound parameters.
@functools.cache
def _latest_announcements() -> Select:
    return announcements_query().limit(bindparam("limit", type_=Integer))


@functools.cache
def _programmes(only_open: bool) -> Select:
    stmt = select(Programme).where(Programme.published.is_(True))
    if only_open:
        stmt = stmt.where(Programme.is_open.is_(True))
    return stmt.order_by(Programme.is_open.desc(), Programme.name_id)


@functools.cache
def _upcoming_meetings(limited: bool) -> Select:
    stmt = (
        select(Meeting)
        .where(Meeting.published.is_(True), Meeting.starts_at >= bindparam("since"))
        .order_by(Meeting.starts_at)
    )
    return stmt.limit(bindparam("limit", type_=Integer)) if limited else stmt


def published_announcement(announcement_id: int) -> Announcement | None:
    return db.session.scalars(
        select(Announcement).where(
            Announcement.id == announcement_id, Announcement.published.is_(True)
        )
    ).first()


def programmes(only_open: bool = False) -> list[Programme]:
    return list(db.session.scalars(_programmes(bool(only_open))))


def programme_by_slug(slug: str) -> Programme | None:
    return db.session.scalars(
        select(Programme).where(Programme.slug == slug, Programme.published.is_(True))
    ).first()


def next_meeting(now: datetime | None = None) -> Meeting | None:
    """The next published village meeting that has not started (proposals that reach
    their support threshold go on its agenda)."""
    return db.session.scalars(
        select(Meeting)
        .where(Meeting.published.is_(True), Meeting.starts_at > (now or utcnow()))
        .order_by(Meeting.starts_at)
        .limit(1)
    ).first()


def upcoming_meetings(limit: int | None = None) -> list[Meeting]:
    # A meeting stays "upcoming" for the day it is held.
    since = utcnow() - timedelta(hours=12)
    stmt = _upcoming_meetings(bool(limit))
    return list(
        db.session.scalars(stmt, {"since": since, "limit": limit} if limit else {"since": since})
    )


def meetings_page() -> tuple[list, list]:
    """The meetings page's two lists, from one statement built once: the upcoming ones
    (soonest first) and the ones held (latest first), as plain rows of what a card
    shows (id, kind, starts_at, place, title_id, title_en, has_minutes)."""
    # A meeting stays "upcoming" for the day it is held.
    since = utcnow() - timedelta(hours=12)
    rows = db.session.execute(_meetings_page_statement()).all()
    upcoming = [m for m in rows if m.starts_at >= since]
    past = [m for m in reversed(rows) if m.starts_at < since]
    return upcoming, past


@functools.cache
def _meetings_page_statement() -> Select:
    has_minutes = func.coalesce(Meeting.minutes_id, "") != ""
    return (
        select(
            Meeting.id,
            Meeting.kind,
            Meeting.starts_at,
            Meeting.place,
            Meeting.title_id,
            Meeting.title_en,
            has_minutes.label("has_minutes"),
        )
        .where(Meeting.published.is_(True))
        .order_by(Meeting.starts_at)
    )


def published_meeting(meeting_id: int) -> Meeting | None:
    return db.session.scalars(_published_meeting_statement(), {"meeting_id": meeting_id}).first()


@functools.cache
def _published_meeting_statement() -> Select:
    return select(Meeting).where(Meeting.id == bindparam("meeting_id"), Meeting.published.is_(True))


def partners() -> list[Partner]:
    return list(
        db.session.scalars(
            select(Partner).where(Partner.published.is_(True)).order_by(Partner.kind, Partner.name)
        )
    )


def search_everything(q: str, limit: int = 20) -> dict[str, list]:
    """Site search over published programmes, announcements and meetings."""
    words = q.split()[:8]
    if not words:
        return {"programmes": [], "announcements": [], "meetings": []}

    def match(*columns):
        conds = []
        for word in words:
            pattern = f"%{_escape_like(word)}%"
            conds.append(or_(*[c.ilike(pattern, escape="\\") for c in columns]))
        return conds or [false()]

    progs = db.session.scalars(
        select(Programme)
        .where(
            Programme.published.is_(True),
            *match(
                Programme.name_id,
                Programme.name_en,
                Programme.summary_id,
                Programme.summary_en,
                Programme.eligibility_id,
                Programme.eligibility_en,
            ),
        )
        .limit(limit)
    )
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.published.is_(True),
            *match(
                Meeting.title_id,
                Meeting.title_en,
                Meeting.agenda_id,
                Meeting.agenda_en,
                Meeting.minutes_id,
                Meeting.minutes_en,
            ),
        )
        .order_by(Meeting.starts_at.desc())
        .limit(limit)
    )
    return {
        "programmes": list(progs),
        "announcements": list(db.session.scalars(announcements_query(q).limit(limit))),
        "meetings": list(meetings),
    }


# --- the partner directory, for other features (the caller commits) ------------------


def add_directory_entry(
    *, kind: str, name: str, description: str, website: str | None, contact: str | None
) -> int:
    """Publish an entry in the partner directory in the caller's transaction (a verified
    CSR company listed there); its id."""
    entry = Partner(
        kind=kind, name=name, description_id=description, website=website, contact=contact
    )
    entry.set_published(True)
    db.session.add(entry)
    db.session.flush()
    return entry.id


def unpublish_directory_entry(partner_id: int) -> None:
    """Take a directory entry off the public pages (kept, not deleted); the caller commits."""
    entry = db.session.get(Partner, partner_id)
    if entry is not None:
        entry.set_published(False)
