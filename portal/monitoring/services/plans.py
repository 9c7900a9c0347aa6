"""The village plan, its activities and milestones; a parent's progress from its children."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import Row, bindparam, func, select

from portal.audit.services import record
from portal.database import read, write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.monitoring.models import (
    ACTIVITY_STATUSES,
    FIELDS,
    FUNDS,
    METHODS,
    Activity,
    Goal,
    Milestone,
    Plan,
)
from portal.monitoring.services import photos
from portal.monitoring.services.common import MonitoringError, clean
from portal.numbers import DB_INT_MAX


def plans() -> list[Row]:
    """Every plan as a plain row (id, title_id, first_year, last_year), the latest first:
    what the staff page lists (one statement built once, past the ORM)."""
    return read(db.session, _plans_statement()).all()


@cache
def _plans_statement():
    return select(Plan.id, Plan.title_id, Plan.first_year, Plan.last_year).order_by(
        Plan.first_year.desc()
    )


GoalRow = namedtuple("GoalRow", "title_id title_en")


@dataclass(slots=True)
class PlanView:
    """A plan's columns the dashboard shows, with its goals (title_id, title_en rows)
    in their order."""

    id: int
    title_id: str
    title_en: str | None
    first_year: int
    last_year: int
    vision_id: str
    vision_en: str | None
    goals: list = field(default_factory=list)


def current_plan(today: date | None = None) -> PlanView | None:
    """The plan running this year, else the latest one, with its goals (the dashboard
    shows them): one statement built once, past the ORM (plain columns)."""
    year = (today or village_today()).year
    plan = None
    for row in read(db.session, _current_plan_statement(), {"year": year}):
        if plan is None:
            plan = PlanView(*row[:7])
        if row.goal_id is not None:
            plan.goals.append(GoalRow(row[8], row[9]))
    return plan


@cache  # built once per process (with its cache key); the year as a parameter
def _current_plan_statement():
    year = bindparam("year")
    running = (
        select(Plan.id).where(Plan.first_year <= year, Plan.last_year >= year).limit(1)
    ).scalar_subquery()
    latest = select(Plan.id).order_by(Plan.first_year.desc()).limit(1).scalar_subquery()
    return (
        select(
            Plan.id,
            Plan.title_id,
            Plan.title_en,
            Plan.first_year,
            Plan.last_year,
            Plan.vision_id,
            Plan.vision_en,
            Goal.id.label("goal_id"),
            Goal.title_id.label("goal_title_id"),
            Goal.title_en.label("goal_title_en"),
        )
        .outerjoin(Goal, Goal.plan_id == Plan.id)
        .where(Plan.id == func.coalesce(running, latest))
        .order_by(Goal.position, Goal.id)
    )


def save_plan(
    *, title_id: str, first_year: int, actor, title_en=None, vision_id="", vision_en=None
):
    title_id = clean(title_id, 200)
    if not title_id:
        raise MonitoringError(_l("Give the plan a title in Indonesian."), "title_id")
    if not 2000 <= first_year <= 2100:
        raise MonitoringError(_l("Enter the plan's first year, such as 2025."), "first_year")
    with write_transaction(db.session):
        if db.session.scalar(select(Plan.id).where(Plan.first_year == first_year)):
            raise MonitoringError(_l("A plan starting that year already exists."), "first_year")
        plan = Plan(
            title_id=title_id,
            title_en=clean(title_en, 200) or None,
            first_year=first_year,
            last_year=first_year + 5,
            vision_id=clean(vision_id),
            vision_en=clean(vision_en) or None,
        )
        db.session.add(plan)
        db.session.flush()
        record("create_plan", "monitoring_plan", plan.id, actor=actor, summary=title_id)
    return plan


def add_goal(plan_id: int, *, title_id: str, actor, title_en=None) -> Goal:
    title_id = clean(title_id, 300)
    if not title_id:
        raise MonitoringError(_l("Write the goal in Indonesian."), "title_id")
    with write_transaction(db.session):
        plan = db.session.get(Plan, plan_id)
        if plan is None:
            raise MonitoringError(_l("There is no such plan."))
        goal = Goal(
            plan_id=plan_id,
            position=len(plan.goals),
            title_id=title_id,
            title_en=clean(title_en, 300) or None,
        )
        db.session.add(goal)
        db.session.flush()
        record("add_goal", "monitoring_plan", plan_id, actor=actor, summary=title_id)
    return goal


ACTIVITY_FIELDS = (
    "title_id",
    "title_en",
    "description_id",
    "description_en",
    "year",
    "field",
    "goal_id",
    "parent_id",
    "place",
    "volume",
    "beneficiaries",
    "starts_on",
    "ends_on",
    "budget_planned",
    "budget_spent",
    "funds",
    "method",
    "status",
    "progress",
    "weight",
)


def _check_activity(plan: Plan, data: dict, activity_id: int | None) -> dict:
    data = {k: data.get(k) for k in ACTIVITY_FIELDS}
    data["title_id"] = clean(data["title_id"], 200)
    if not data["title_id"]:
        raise MonitoringError(_l("Give the activity a title in Indonesian."), "title_id")
    for key in ("title_en", "description_en"):
        data[key] = clean(data[key]) or None
    for key in ("description_id", "place", "volume", "beneficiaries"):
        data[key] = clean(data[key], 2000 if key == "description_id" else 200)
    year = data["year"]
    if not isinstance(year, int) or not plan.first_year <= year <= plan.last_year:
        raise MonitoringError(
            _l(
                "The year must be within the plan (%(a)d-%(b)d).",
                a=plan.first_year,
                b=plan.last_year,
            ),
            "year",
        )
    for key, allowed in (
        ("field", FIELDS),
        ("funds", FUNDS),
        ("method", METHODS),
        ("status", ACTIVITY_STATUSES),
    ):
        if data[key] not in allowed:
            raise MonitoringError(_l("Choose one of the options."), key)
    for key in ("budget_planned", "budget_spent"):
        value = data[key] or 0
        if not 0 <= value <= DB_INT_MAX:
            raise MonitoringError(_l("Enter an amount in whole rupiah."), key)
        data[key] = value
    progress = (
        data["progress"] if data["progress"] is not None else ACTIVITY_STATUSES[data["status"]][1]
    )
    if not 0 <= progress <= 100:
        raise MonitoringError(_l("Progress is a number from 0 to 100."), "progress")
    data["progress"] = progress
    data["weight"] = data["weight"] or 1
    if not 1 <= data["weight"] <= 1000:
        raise MonitoringError(_l("The weight is a number from 1 to 1000."), "weight")
    if data["starts_on"] and data["ends_on"] and data["ends_on"] < data["starts_on"]:
        raise MonitoringError(_l("The end cannot be before the start."), "ends_on")
    if data["goal_id"] and db.session.get(Goal, data["goal_id"]) not in plan.goals:
        raise MonitoringError(_l("Choose one of the plan's goals."), "goal_id")
    parent_id = data["parent_id"]
    if parent_id:
        parent = db.session.get(Activity, parent_id)
        if parent is None or parent.plan_id != plan.id or parent_id == activity_id:
            raise MonitoringError(_l("Choose another activity of the plan."), "parent_id")
        ancestor = parent
        while ancestor is not None:  # no cycles
            if ancestor.id == activity_id:
                raise MonitoringError(
                    _l("An activity cannot be part of its own part."), "parent_id"
                )
            ancestor = db.session.get(Activity, ancestor.parent_id) if ancestor.parent_id else None
    return data


def save_activity(plan_id: int, activity_id: int | None, data: dict, *, actor) -> Activity:
    """Create or change an activity of the plan; audited with what changed."""
    with write_transaction(db.session):
        plan = db.session.get(Plan, plan_id)
        if plan is None:
            raise MonitoringError(_l("There is no such plan."))
        data = _check_activity(plan, data, activity_id)
        if activity_id is None:
            activity = Activity(plan_id=plan_id, **data)
            db.session.add(activity)
            before = None
        else:
            activity = db.session.get(Activity, activity_id)
            if activity is None or activity.plan_id != plan_id:
                raise MonitoringError(_l("There is no such activity."))
            before = {k: str(getattr(activity, k)) for k in data}
            for key, value in data.items():
                setattr(activity, key, value)
        db.session.flush()
        record(
            "save_activity",
            "monitoring_activity",
            activity.id,
            actor=actor,
            summary=data["title_id"],
            before=before,
            after={k: str(v) for k, v in data.items()},
        )
    return activity


def add_milestone(
    activity_id: int, *, on: date, text_id: str, actor, text_en=None, photo=None
) -> Milestone:
    """A dated step; `photo` is an image already checked by portal/uploads.py (or None)."""
    text_id = clean(text_id)
    if not text_id:
        raise MonitoringError(_l("Write what happened, in Indonesian."), "text_id")
    if db.session.get(Activity, activity_id) is None:
        raise MonitoringError(_l("There is no such activity."))
    photo_file = photos.store(photo)
    try:
        with write_transaction(db.session):
            milestone = Milestone(
                activity_id=activity_id,
                on=on,
                text_id=text_id,
                text_en=clean(text_en) or None,
                photo_file=photo_file,
            )
            db.session.add(milestone)
            db.session.flush()
            record(
                "add_milestone", "monitoring_activity", activity_id, actor=actor, summary=text_id
            )
    except Exception:
        photos.remove(photo_file)  # the record that named it was not written
        raise
    return milestone


# The tree's columns: what the plan's pages show of each activity and what a parent's
# progress is worked out from. Built once per process (with its cache key).
@cache
def _tree_statement(by_year: bool):
    query = (
        select(
            Activity.id,
            Activity.parent_id,
            Activity.year,
            Activity.field,
            Activity.title_id,
            Activity.title_en,
            Activity.status,
            Activity.progress,
            Activity.weight,
        )
        .where(Activity.plan_id == bindparam("plan_id"))
        .order_by(Activity.year, Activity.id)
    )
    return query.where(Activity.year == bindparam("year")) if by_year else query


def activity_tree(plan: Plan | int, year: int | None = None) -> list[tuple[Row, int, int]]:
    """(activity row, depth, progress) in tree order; a parent's progress is its
    children's weighted mean (cancelled children left out), a leaf's its own. The rows
    have the columns of `_tree_statement` (plan: the plan or its id)."""
    plan_id = plan if isinstance(plan, int) else plan.id
    params = {"plan_id": plan_id} if year is None else {"plan_id": plan_id, "year": year}
    activities = read(db.session, _tree_statement(year is not None), params).all()
    by_parent: dict[int | None, list[Row]] = {}
    ids = {a.id for a in activities}
    for a in activities:
        by_parent.setdefault(a.parent_id if a.parent_id in ids else None, []).append(a)
    progress: dict[int, int] = {}

    def work_out(a: Row) -> int:
        if a.id in progress:
            return progress[a.id]
        children = [c for c in by_parent.get(a.id, []) if c.status != "cancelled"]
        if not children:
            progress[a.id] = a.progress
        else:
            total = sum(c.weight for c in children)
            progress[a.id] = round(sum(work_out(c) * c.weight for c in children) / total)
        return progress[a.id]

    rows: list[tuple[Row, int, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for a in by_parent.get(parent, []):
            rows.append((a, depth, progress[a.id]))
            walk(a.id, depth + 1)

    for a in activities:
        work_out(a)
    walk(None, 0)
    return rows


def activity_parts(tree: list[tuple[Row, int, int]], activity_id: int) -> list[Row]:
    """The activity's children (its `children`, by id) among the rows of its plan's tree."""
    return sorted((a for a, _d, _p in tree if a.parent_id == activity_id), key=lambda a: a.id)


def public_milestones(activity: Activity, today: date | None = None) -> list[Milestone]:
    """Milestones are public from their date on."""
    today = today or village_today()
    return [m for m in activity.milestones if m.on <= today]
