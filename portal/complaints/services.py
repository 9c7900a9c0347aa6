"""Complaints: filing, tracking codes, who may see what, the staff's steps, statistics.

Services never touch `request`; views pass plain values. Each function that changes
something commits once (the step and the audit entry with the change) or not at all.
"""

from __future__ import annotations

import hashlib
import os
import statistics as stats
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, false, func, or_, select, update
from sqlalchemy.orm import joinedload

from portal import codes, uploads
from portal.accounts.models import User
from portal.audit.services import record
from portal.complaints.models import CATEGORIES, PRIORITIES, STEP_KINDS, Complaint, ComplaintStep
from portal.database import read, write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import as_utc, utcnow
from portal.notify.services import absolute, notices
from portal.numbers import is_whole

# Staff act on complaints (EDITORS) and auditors (village head, BPD) read (READERS); a
# complaint that names a staff member is seen by ROUTED_READERS, never the person named.
from portal.roles import EDITORS, READERS, SECOND_FACTOR_ROLES
from portal.roles import OVERSEERS as ROUTED_READERS
from portal.row_pages import counted_page
from portal.service_errors import ServiceError

# 31 symbols without look-alikes (no 0/O, 1/I/L): 12 of them are 59.4 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
ANSWER_WITHIN = timedelta(days=3)
PER_PAGE = 25


class ComplaintError(ServiceError, ValueError):
    """A refused input or action; `field` names the form field it belongs beside."""


# --- tracking codes ------------------------------------------------------------------


def new_code() -> str:
    """A fresh random tracking code (secrets, not random)."""
    return codes.new_code(CODE_ALPHABET, CODE_LENGTH, group=0)


def normalise_code(text: str | None) -> str | None:
    """The code as typed ("abcd-efgh 2345") in canonical form, or None when it cannot be
    one (wrong length or a character outside the alphabet)."""
    return codes.normalize_code(text, CODE_ALPHABET, CODE_LENGTH, group=0, ignore=" -.\t")


def format_code(code: str) -> str:
    """ABCD-EFGH-JKMN: easier to read out and copy."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def find_by_code(text: str | None) -> Complaint | None:
    """The complaint with this tracking code, or None (for any wrong or malformed code)."""
    code = normalise_code(text)
    if code is None:
        return None
    return db.session.scalar(select(Complaint).where(Complaint.code_hash == code_hash(code)))


# --- photos --------------------------------------------------------------------------


def max_bytes() -> int:
    return int(current_app.config.get("COMPLAINT_UPLOAD_MAX_BYTES", uploads.DEFAULT_MAX_BYTES))


def upload_dir() -> str:
    base = current_app.config.get("COMPLAINT_UPLOAD_DIR") or os.path.join(
        current_app.instance_path, "uploads", "complaints"
    )
    return uploads.folder(base)


def photo_path(complaint: Complaint) -> str | None:
    return uploads.stored_path(upload_dir(), complaint.photo_file)


# --- filing --------------------------------------------------------------------------


def staff_members() -> list:
    """Active staff, for the "a staff member is involved" choice on the public form:
    plain rows of id and name (what the choices show; the statement built once)."""
    return db.session.execute(_staff_members_statement()).all()


@cache
def _staff_members_statement():
    return (
        select(User.id, User.name)
        .where(User.role.in_(SECOND_FACTOR_ROLES), User.active.is_(True))
        .order_by(User.name)
    )


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _rt_rw(value: str | None, field: str) -> str | None:
    value = _clean(value)
    if value is None:
        return None
    if not is_whole(value) or len(value) > 3 or int(value) == 0:
        raise ComplaintError(_l("Enter a number like 3 or 003."), field)
    return f"{int(value):03d}"


def file_complaint(
    *,
    category: str,
    description: str,
    anonymous: bool,
    rt: str | None = None,
    rw: str | None = None,
    photo: uploads.CleanImage | None = None,
    reporter_name: str | None = None,
    reporter_contact: str | None = None,
    named_staff_id: int | None = None,
    named_staff_text: str | None = None,
) -> tuple[Complaint, str]:
    """File a complaint; returns it and its tracking code (shown once, never stored).

    Anonymous: name and contact are dropped here, whatever the form sent, and nothing
    else identifies the person (no user id, no IP address, none in the audit entry).
    """
    if anonymous:
        reporter_name = reporter_contact = None
    else:
        reporter_name, reporter_contact = _clean(reporter_name), _clean(reporter_contact)
    stored = uploads.store(photo, upload_dir()) if photo else None
    try:
        complaint, code = add_complaint(
            category=category,
            description=description,
            anonymous=anonymous,
            rt=rt,
            rw=rw,
            reporter_name=reporter_name,
            reporter_contact=reporter_contact,
            named_staff_id=named_staff_id,
            named_staff_text=named_staff_text,
            photo_file=stored,
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        uploads.remove(upload_dir(), stored)
        raise
    return complaint, code


def add_complaint(
    *,
    category: str,
    description: str,
    anonymous: bool = True,
    rt: str | None = None,
    rw: str | None = None,
    reporter_name: str | None = None,
    reporter_contact: str | None = None,
    named_staff_id: int | None = None,
    named_staff_text: str | None = None,
    photo_file: str | None = None,
) -> tuple[Complaint, str]:
    """A complaint added to the caller's transaction (the caller commits): how another
    feature files one on a person's behalf (distribution's check that aid arrived), so
    that its own record and the complaint are written together or not at all. One that
    names a staff member is routed like any other (`visible_to`)."""
    if category not in CATEGORIES:
        raise ComplaintError(_l("Choose a category."), "category")
    description = _clean(description)
    if not description or len(description) < 10:
        raise ComplaintError(
            _l("Please describe what happened in a few words (at least 10 characters)."),
            "description",
        )
    rt, rw = _rt_rw(rt, "rt"), _rt_rw(rw, "rw")
    if not anonymous:
        if not reporter_name:
            raise ComplaintError(
                _l("Enter your name, or choose to send the complaint anonymously."),
                "reporter_name",
            )
        if not reporter_contact:
            raise ComplaintError(
                _l("Enter a phone number or an e-mail address so that we can reach you."),
                "reporter_contact",
            )
    named_staff_text = _clean(named_staff_text)
    if named_staff_id is not None:
        named = db.session.get(User, named_staff_id)
        if named is None or named.role not in SECOND_FACTOR_ROLES or not named.active:
            raise ComplaintError(_l("Choose a name from the list."), "named_staff")
        named_staff_text = None

    code = new_code()
    complaint = Complaint(
        code_hash=code_hash(code),
        category=category,
        priority="normal",
        status="received",
        description=description,
        rt=rt,
        rw=rw,
        photo_file=photo_file,
        anonymous=anonymous,
        reporter_name=reporter_name if not anonymous else None,
        reporter_contact=reporter_contact if not anonymous else None,
        named_staff_id=named_staff_id,
        named_staff_text=named_staff_text,
    )
    db.session.add(complaint)
    db.session.flush()
    db.session.add(ComplaintStep(complaint_id=complaint.id, kind="filed", public=True))
    # Who filed it is not recorded: no actor, no IP address, no name in the summary.
    record("complaint.filed", "complaint", complaint.id, summary=category)
    return complaint, code


def all_steps(complaint: Complaint) -> list[ComplaintStep]:
    """Every step, oldest first (by time, then number): the complaint's `steps`, loaded
    with it by get_for(..., with_steps=True) or here."""
    return sorted(complaint.steps, key=lambda step: (step.at, step.id))


# --- who sees what -------------------------------------------------------------------


def visible_to(user):
    """A WHERE clause: the complaints `user` may see.

    Operators see every complaint that names no staff member. A complaint that names
    one goes to the village head and the BPD (auditor) and admins, and never to the
    person it names, whatever their role.
    """
    return _visible(_reader_kind(user), getattr(user, "id", None))


def _reader_kind(user) -> str:
    """Which of `visible_to`'s rules applies to `user`."""
    role = getattr(user, "role", None)
    if role in ROUTED_READERS:
        return "routed"
    return "operator" if role == "operator" else "none"


def _visible(kind: str, user_id):
    """`visible_to`'s clause for a kind of reader; `user_id` a value or a bind parameter
    (for a statement built once per kind)."""
    if kind == "routed":
        return or_(Complaint.named_staff_id.is_(None), Complaint.named_staff_id != user_id)
    if kind == "operator":
        return and_(Complaint.named_staff_id.is_(None), Complaint.named_staff_text.is_(None))
    return false()


def may_see(user, complaint: Complaint) -> bool:
    if complaint.named_staff_id is not None and complaint.named_staff_id == user.id:
        return False
    if complaint.about_staff:
        return user.role in ROUTED_READERS
    return user.role in READERS


def may_act(user, complaint: Complaint) -> bool:
    return user.role in EDITORS and may_see(user, complaint)


def get_for(user, complaint_id: int, *, with_steps: bool = False) -> Complaint | None:
    """The complaint if `user` may see it; None otherwise (the view answers 404). With
    `with_steps`, its steps are read in the same statement."""
    params = {"complaint_id": complaint_id, "user_id": user.id}
    found = db.session.scalars(_get_statement(_reader_kind(user), with_steps), params)
    return found.unique().one_or_none()


@cache  # built once per process for each kind of reader (with its cache key)
def _get_statement(kind: str, with_steps: bool):
    query = select(Complaint).where(
        Complaint.id == bindparam("complaint_id"), _visible(kind, bindparam("user_id"))
    )
    return query.options(joinedload(Complaint.steps)) if with_steps else query


def overdue_clause(now: datetime | None = None):
    """Not answered (no reply, not closed) within three days of being filed."""
    return _overdue((now or utcnow()) - ANSWER_WITHIN)


def _overdue(filed_before):
    """`overdue_clause` for complaints filed before `filed_before` (a time or a bind
    parameter)."""
    return and_(
        Complaint.first_response_at.is_(None),
        Complaint.status != "closed",
        Complaint.created_at < filed_before,
    )


def is_overdue(complaint: Complaint, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (
        complaint.first_response_at is None
        and complaint.status != "closed"
        and as_utc(complaint.created_at) < now - ANSWER_WITHIN
    )


def staff_page(
    user,
    *,
    status: str | None = None,
    category: str | None = None,
    overdue: bool = False,
    mine: bool = False,
    page: int = 1,
):
    """The complaints `user` may see, filtered, newest first (a Flask-SQLAlchemy page of
    plain rows: what the list shows, see _staff_statements), and how many of them are
    overdue: the page, its count and the overdue count in one statement."""
    values = {
        "user_id": user.id,
        "filed_before": utcnow() - ANSWER_WITHIN,
        "limit": PER_PAGE,
        "offset": (page - 1) * PER_PAGE,
    }
    if status:
        values["status"] = status
    if category:
        values["category"] = category
    shape = (_reader_kind(user), bool(status), bool(category), overdue, mine)
    # The page's complaints, each row with the number of all and of the overdue ones.
    page_statement, counts_statement = _staff_statements(*shape)
    rows = read(db.session, page_statement, values).all()
    if rows:
        total, late_count = rows[0].total, rows[0].late
    else:  # nothing on this page: counted alone
        total, late_count = read(db.session, counts_statement, values).one()
    return counted_page(rows, total, page=page, per_page=PER_PAGE), late_count


@cache  # built once per process for each kind of reader and set of filters
def _staff_statements(kind: str, status: bool, category: bool, overdue: bool, mine: bool):
    """The staff list's page (rows of id, created_at, category, priority, status,
    first_response_at (what is_overdue reads), assigned_to_id, about_staff, the name of
    who it is handed to, and the count of all and of the overdue ones) and the two
    counts alone; the filters' values as bind parameters."""
    visible = _visible(kind, bindparam("user_id"))
    late_clause = _overdue(bindparam("filed_before"))
    where = [visible]
    if status:
        where.append(Complaint.status == bindparam("status"))
    else:
        where.append(Complaint.status != "closed")
    if category:
        where.append(Complaint.category == bindparam("category"))
    if overdue:
        where.append(late_clause)
    if mine:
        where.append(Complaint.assigned_to_id == bindparam("user_id"))
    about_staff = or_(
        Complaint.named_staff_id.is_not(None), func.coalesce(Complaint.named_staff_text, "") != ""
    )
    assigned = select(User.name).where(User.id == Complaint.assigned_to_id).scalar_subquery()
    late = select(func.count()).select_from(Complaint).where(visible, late_clause)
    page = (
        select(
            *(Complaint.id, Complaint.created_at, Complaint.category, Complaint.priority),
            *(Complaint.status, Complaint.first_response_at, Complaint.assigned_to_id),
            about_staff.label("about_staff"),
            assigned.label("assigned_name"),
            func.count().over().label("total"),
            late.scalar_subquery().label("late"),
        )
        .where(*where)
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    found = select(func.count()).select_from(Complaint).where(*where)
    return page, select(found.scalar_subquery(), late.scalar_subquery())


def assignable(complaint: Complaint) -> list:
    """Staff who may act on this complaint (so also see it), by name: rows of id, name
    and role (what `may_act` and the menu need)."""
    users = read(db.session, _assignable_statement())
    return [u for u in users if may_act(u, complaint)]


@cache  # built once per process (with its cache key)
def _assignable_statement():
    return (
        select(User.id, User.name, User.role)
        .where(User.role.in_(EDITORS), User.active.is_(True))
        .order_by(User.name)
    )


# --- staff steps ---------------------------------------------------------------------


def _check(actor, complaint: Complaint, *, open_only: bool = True) -> None:
    if not may_act(actor, complaint):
        raise PermissionError("not allowed to act on this complaint")
    if open_only and complaint.status == "closed":
        raise ComplaintError(_l("This complaint is closed."))


def _step(complaint, actor, kind, *, public=True, detail=None, body=None) -> ComplaintStep:
    step = ComplaintStep(
        complaint_id=complaint.id,
        kind=kind,
        public=public,
        actor_id=actor.id,
        actor_name=actor.name,
        detail=detail,
        body=body,
    )
    db.session.add(step)
    if public:
        _tell_reporter(complaint, kind)
    return step


def _tell_reporter(complaint: Complaint, kind: str) -> None:
    """A reporter who left a phone or an e-mail (never an anonymous one) is told that
    there is news to read on the tracking page, in the village's language (the message
    names no staff member and carries no code: the page asks for it)."""
    if complaint.anonymous or not complaint.reporter_contact:
        return
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "id")):
        subject = _("News about your complaint")
        body = _(
            "%(step)s: there is news about the complaint you filed on %(day)s. Open "
            "%(url)s and enter your code to read it.",
            step=STEP_KINDS[kind],
            day=as_utc(complaint.created_at).strftime("%d-%m-%Y"),
            url=absolute("/pengaduan/lacak"),
        )
    notices.tell(
        complaint.reporter_contact, subject, body, "complaint", about=("complaint", complaint.id)
    )


def _start_review(complaint: Complaint) -> None:
    if complaint.status == "received":
        complaint.status = "in_review"


def triage(complaint: Complaint, *, actor, category: str, priority: str) -> None:
    """Set the category and priority (the first look at a complaint)."""
    _check(actor, complaint)
    if category not in CATEGORIES:
        raise ComplaintError(_l("Choose a category."), "category")
    if priority not in PRIORITIES:
        raise ComplaintError(_l("Choose a priority."), "priority")
    detail = (
        f"category {complaint.category} → {category}; priority {complaint.priority} → {priority}"
    )
    complaint.category, complaint.priority = category, priority
    _start_review(complaint)
    _step(complaint, actor, "triaged", detail=detail)
    record("complaint.triage", "complaint", complaint.id, actor=actor, summary=detail)
    db.session.commit()


def assign(complaint: Complaint, *, actor, assignee_id: int) -> None:
    """Hand the complaint to a staff member who may act on it (never the one it names)."""
    _check(actor, complaint)
    assignee = db.session.get(User, assignee_id)
    if assignee is None or not assignee.active or not may_act(assignee, complaint):
        raise ComplaintError(_l("Choose a staff member from the list."), "assignee")
    complaint.assigned_to_id = assignee.id
    _start_review(complaint)
    # The complainant sees that an officer has it, not who (the page shows no names).
    _step(complaint, actor, "assigned", detail=f"→ {assignee.name}")
    record("complaint.assign", "complaint", complaint.id, actor=actor, summary=f"→ {assignee.name}")
    db.session.commit()


def reply(complaint: Complaint, *, actor, body: str) -> None:
    """A reply the complainant reads on the status page."""
    _check(actor, complaint)
    body = _clean(body)
    if not body:
        raise ComplaintError(_l("Please fill in this field."), "body")
    now = utcnow()
    complaint.status = "answered"
    complaint.first_response_at = complaint.first_response_at or now
    _step(complaint, actor, "replied", body=body)
    record("complaint.reply", "complaint", complaint.id, actor=actor)
    db.session.commit()


def note(complaint: Complaint, *, actor, body: str) -> None:
    """An internal note, for staff only."""
    _check(actor, complaint, open_only=False)
    body = _clean(body)
    if not body:
        raise ComplaintError(_l("Please fill in this field."), "body")
    _step(complaint, actor, "note", public=False, body=body)
    record("complaint.note", "complaint", complaint.id, actor=actor)
    db.session.commit()


def close(complaint: Complaint, *, actor, resolution: str) -> None:
    """Close with a resolution the complainant reads. Closing twice is refused by a
    conditional UPDATE in one write transaction (two staff pressing at once close it
    once: the second gets "closed")."""
    _check(actor, complaint)
    resolution = _clean(resolution)
    if not resolution:
        raise ComplaintError(_l("Write how the complaint was resolved."), "resolution")
    with write_transaction(db.session()):
        now = utcnow()
        done = db.session.execute(
            update(Complaint)
            .where(Complaint.id == complaint.id, Complaint.status != "closed")
            .values(
                status="closed",
                closed_at=now,
                resolution=resolution,
                first_response_at=func.coalesce(Complaint.first_response_at, now),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            raise ComplaintError(_l("This complaint is closed."))
        _step(complaint, actor, "closed", body=resolution)
        record("complaint.close", "complaint", complaint.id, actor=actor)
    db.session.refresh(complaint)


def record_read(complaint: Complaint, *, actor) -> None:
    """A staff member opened a complaint that carries the complainant's name and contact."""
    if complaint.anonymous:
        return
    record("complaint.read", "complaint", complaint.id, actor=actor)
    db.session.commit()


# --- public statistics ---------------------------------------------------------------


@dataclass
class Statistics:
    received: int
    resolved: int
    open: int
    median_days: float | None
    by_category: list[tuple[str, int, int]]
    by_month: list[tuple[date, int, int]]


def statistics(months: int = 12, now: datetime | None = None) -> Statistics:
    """Counts for the public page: no text of any complaint, only numbers."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Complaint.category, Complaint.created_at, Complaint.closed_at)
    ).all()
    received = len(rows)
    durations = [
        (as_utc(closed) - as_utc(created)).total_seconds() / 86400
        for _cat, created, closed in rows
        if closed is not None
    ]
    by_category = []
    for key in CATEGORIES:
        mine = [r for r in rows if r.category == key]
        by_category.append((key, len(mine), sum(1 for r in mine if r.closed_at is not None)))
    # The last `months` calendar months (UTC), oldest first, as their first day.
    keys = []
    year, month = now.year, now.month
    for _month in range(months):
        keys.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    keys.reverse()
    got = dict.fromkeys(keys, 0)
    done = dict.fromkeys(keys, 0)
    for _cat, created, closed in rows:
        k = date(created.year, created.month, 1)
        if k in got:
            got[k] += 1
        if closed is not None:
            k = date(closed.year, closed.month, 1)
            if k in done:
                done[k] += 1
    return Statistics(
        received=received,
        resolved=len(durations),
        open=received - len(durations),
        median_days=round(stats.median(durations), 1) if durations else None,
        by_category=by_category,
        by_month=[(k, got[k], done[k]) for k in keys],
    )
