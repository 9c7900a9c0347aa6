"""Reports for evaluation: per course, RT/RW and need level, and the .xlsx export."""

from __future__ import annotations

from functools import cache

from flask_babel import gettext as _
from sqlalchemy import (
    Integer,
    String,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
    union_all,
)

from portal import spreadsheet
from portal.accounts.models import User
from portal.audit.services import record
from portal.csr import queries as csr_queries
from portal.extensions import db
from portal.registry.models import NEED_LEVELS, Household, Membership
from portal.training.models import Course, Place, TrainingSession
from portal.training.services.feedback import _summary_statements


def _rate(part: int, whole: int) -> int | None:
    return round(part * 100 / whole) if whole else None


def _place_counts() -> tuple:
    """Enrolled, waitlisted, attended and completed places, as sums for a GROUP BY."""
    enrolled = Place.status == "enrolled"
    return (
        func.sum(case((enrolled, 1), else_=0)),
        func.sum(case((Place.status == "waitlisted", 1), else_=0)),
        func.sum(case((enrolled & Place.attended.is_(True), 1), else_=0)),
        func.sum(case((enrolled & Place.completed_at.is_not(None), 1), else_=0)),
    )


def _report_row(counts, **row) -> dict:
    """A report row: its own columns, the four counts and the two rates."""
    e, w, a, c = (int(v or 0) for v in counts)
    return {
        **row,
        "enrolled": e,
        "waitlisted": w,
        "attended": a,
        "completed": c,
        "attendance_rate": _rate(a, e),
        "completion_rate": _rate(c, e),
    }


# The report statements take no argument: each is built once per process. Building a
# statement with its CASE sums, and computing its cache key when a new one runs, took
# more time than running it (some 0.6 ms of 0.75 ms each); a statement built once keeps
# its cache key.
@cache
def _per_course_statements():
    seats = (
        select(TrainingSession.course_id, func.sum(TrainingSession.seats))
        .where(TrainingSession.cancelled.is_(False))
        .group_by(TrainingSession.course_id)
    )
    rows = (
        select(Course.id, Course.title_id, *_place_counts())
        .select_from(Course)
        .outerjoin(TrainingSession, TrainingSession.course_id == Course.id)
        .outerjoin(Place, Place.session_id == TrainingSession.id)
        .group_by(Course.id, Course.title_id)
        .order_by(Course.title_id)
    )
    return seats, rows


def report_per_course() -> list[dict]:
    """Seats, places, waitlist, attendance and completion per course."""
    seats_statement, rows_statement = _per_course_statements()
    seats = dict(db.session.execute(seats_statement).all())
    rows = db.session.execute(rows_statement).all()
    return [
        _report_row(row[2:], id=row[0], title=row[1], seats=int(seats.get(row[0]) or 0))
        for row in rows
    ]


@cache
def _report_by_statement(names: tuple[str, ...]):
    """Places of registry people grouped by household columns (built once per process)."""
    column = [getattr(Household, name) for name in names]
    hh = (
        select(Membership.person_id, Membership.household_id)
        .where(Membership.end_date.is_(None))
        .subquery()
    )
    return (
        select(*column, *_place_counts())
        .select_from(Place)
        .outerjoin(hh, hh.c.person_id == Place.person_id)
        .outerjoin(Household, Household.id == hh.c.household_id)
        .where(Place.status != "cancelled")
        .group_by(*column)
        .order_by(*column)
    )


def _report_by(names: tuple[str, ...]) -> list[dict]:
    """Places of registry people grouped by household columns (RT/RW, need level)."""
    rows = db.session.execute(_report_by_statement(names)).all()
    return [_report_row(row[len(names) :], key=row[: len(names)]) for row in rows]


def report_per_area() -> list[dict]:
    """Per RT/RW (people the registry does not know form one row without RT/RW)."""
    return _report_by(("rw", "rt"))


def report_per_level() -> list[dict]:
    return _report_by(("need_level",))


# The reports page reads its six reports in one statement: each report's statement as a
# branch of a UNION ALL with the same columns (part; a text key t1, two whole-number keys
# i1 and i2, a text t2; four numbers: a column holds one type, as PostgreSQL requires),
# in the reports' own order (part, t1, i1, i2). Per branch: its statement, the positions
# of its t1, i1, i2 and t2 (None: none) and of its numbers.
def _page_branches():
    seats, per_course = _per_course_statements()
    by_course, by_sponsor = _summary_statements()
    return (
        (seats, (None, 0, None, None), (1,)),
        (per_course, (1, 0, None, None), (2, 3, 4, 5)),  # by title, then id
        (_report_by_statement(("rw", "rt")), (None, 0, 1, None), (2, 3, 4, 5)),
        (_report_by_statement(("need_level",)), (0, None, None, None), (1, 2, 3, 4)),
        (by_course, (None, 4, None, 5), (0, 1, 2, 3)),  # as its GROUP BY gave it: by id
        (by_sponsor, (None, 4, None, None), (0, 1, 2, 3)),
    )


@cache
def _page_statement():
    branches = []
    for part, (statement, keys, numbers) in enumerate(_page_branches()):
        columns = list(statement.order_by(None).subquery().c)
        picked = [None if i is None else columns[i] for i in (*keys, *numbers)]
        picked += [None] * (8 - len(picked))
        names = ("t1", "i1", "i2", "t2", "n1", "n2", "n3", "n4")
        # A missing value is a NULL of its column's type (PostgreSQL would take two
        # untyped NULLs for text, then refuse the whole numbers of a later branch).
        types = (String, Integer, Integer, String, Integer, Integer, Integer, Integer)
        branches.append(
            select(
                literal_column(str(part)).label("part"),
                *(
                    (cast(null(), kind) if c is None else c).label(name)
                    for c, name, kind in zip(picked, names, types, strict=True)
                ),
            )
        )
    return union_all(*branches).order_by("part", "t1", "i1", "i2")


def reports_page() -> dict:
    """What the reports page shows, read in one statement: `per_course`, `per_area` and
    `per_level` as report_per_course, report_per_area and report_per_level give them,
    and `feedback` as feedback_summary does."""
    parts: tuple[list, ...] = ([], [], [], [], [], [])
    for part, *row in db.session.execute(_page_statement()):
        parts[part].append(row)
    seats_rows, courses, areas, levels, by_course, by_sponsor = parts
    seats = {course_id: total for _t1, course_id, _i2, _t2, total, *_rest in seats_rows}
    names = csr_queries.company_names(row[1] for row in by_sponsor)
    return {
        "per_course": [
            _report_row(row[4:], id=row[1], title=row[0], seats=int(seats.get(row[1]) or 0))
            for row in courses
        ],
        "per_area": [_report_row(row[4:], key=(row[1], row[2])) for row in areas],
        "per_level": [_report_row(row[4:], key=(row[0],)) for row in levels],
        "feedback": {
            "courses": [(*row[4:], row[1], row[3]) for row in by_course],
            "sponsors": [(*row[4:], names.get(row[1])) for row in by_sponsor],
        },
    }


def export_xlsx(actor: User) -> bytes:
    """The three reports as one workbook (sheets per course, per RT/RW, per need level),
    every cell through `portal.spreadsheet` (a course title is never a formula); the
    export is written to the audit log."""
    heads = [
        _("Enrolled"),
        _("Waitlist"),
        _("Attended"),
        _("Completed"),
        _("Attendance rate (percent)"),
        _("Completion rate (percent)"),
    ]

    def tail(r):
        return [
            r["enrolled"],
            r["waitlisted"],
            r["attended"],
            r["completed"],
            r["attendance_rate"],
            r["completion_rate"],
        ]

    per_course = [[_("Course"), _("Seats"), *heads]]
    per_course += [[r["title"], r["seats"], *tail(r)] for r in report_per_course()]
    per_area = [[_("RW"), _("RT"), *heads]]
    per_area += [[r["key"][0], r["key"][1], *tail(r)] for r in report_per_area()]
    per_level = [[_("Need level"), *heads]]
    for r in report_per_level():
        level = r["key"][0]
        per_level.append([str(NEED_LEVELS.get(level, level)) if level else "-", *tail(r)])
    data = spreadsheet.xlsx_bytes(
        [
            (_("Per course"), per_course),
            (_("Per RT/RW").replace("/", "-"), per_area),
            (_("Per need level"), per_level),
        ]
    )
    record("training.export", "training_report", None, actor=actor, summary="xlsx")
    db.session.commit()
    return data
