"""The village plan, its activities (results with progress and milestones), and
indicators with a baseline, yearly targets and one value per year.

An activity may have children (sub-activities); a parent's progress is worked out from
its children weighted by `weight`, never typed. Indicators whose `computed` names one of
the portal's own measures (services/computed.py) get their values from the records;
the others are entered by staff, one value per indicator and year (a unique key).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import ModeratedCommentMixin, TimestampMixin, UTCDateTime, sql_in, utcnow
from portal.status_tags import register as register_status

# The five fields (bidang) of village spending (Permendagri 20/2018).
FIELDS = {
    "government": _l("Village government"),
    "development": _l("Village development"),
    "community": _l("Community life"),
    "empowerment": _l("Community empowerment"),
    "disaster": _l("Disasters, emergencies and urgent needs"),
}
FUNDS = {
    "village_fund": _l("Village fund (Dana Desa)"),
    "regency": _l("Regency allocation (ADD)"),
    "csr": _l("Company (CSR) contributions"),
    "community": _l("Community contribution (swadaya)"),
    "other": _l("Other"),
}
METHODS = {"self_managed": _l("Self-managed (swakelola)"), "provider": _l("By a provider")}
# status: (label, the progress it stands for)
ACTIVITY_STATUSES = {
    "planned": (_l("Planned"), 0),
    "preparing": (_l("Preparing"), 10),
    "in_progress": (_l("In progress"), 50),
    "done": (_l("Done"), 100),
    "cancelled": (_l("Cancelled"), 0),
}
LINK_KINDS = {
    "ballot": _l("Priority ballot"),
    "proposal": _l("Residents' proposal"),
    "need": _l("CSR need"),
    "course": _l("Course"),
    "programme": _l("Aid programme"),
    "round": _l("Distribution round"),
}
DIRECTIONS = {"up": _l("Higher is better"), "down": _l("Lower is better")}

register_status(
    "monitoring.activity",
    {key: label for key, (label, _p) in ACTIVITY_STATUSES.items()},
    {
        "planned": "info",
        "preparing": "warn",
        "in_progress": "warn",
        "done": "ok",
        "cancelled": "muted",
    },
)


class Plan(TimestampMixin, db.Model):
    """The six-year village plan (RPJMDes)."""

    __tablename__ = "monitoring_plan"
    __table_args__ = (
        CheckConstraint("last_year = first_year + 5", name="six_years"),
        UniqueConstraint("first_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    vision_id: Mapped[str] = mapped_column(Text, default="")
    vision_en: Mapped[str | None] = mapped_column(Text)

    goals: Mapped[list[Goal]] = relationship(
        back_populates="plan", order_by="Goal.position, Goal.id"
    )


class Goal(db.Model):
    """A goal of the six-year plan."""

    __tablename__ = "monitoring_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_plan.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title_id: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))

    plan: Mapped[Plan] = relationship(back_populates="goals")


class Activity(TimestampMixin, db.Model):
    """An activity of a year's plan (RKPDes) and its result: status, progress, money."""

    __tablename__ = "monitoring_activity"
    __table_args__ = (
        CheckConstraint(sql_in("field", FIELDS), name="field_known"),
        CheckConstraint(sql_in("funds", FUNDS), name="funds_known"),
        CheckConstraint(sql_in("method", METHODS), name="method_known"),
        CheckConstraint(sql_in("status", ACTIVITY_STATUSES), name="status_known"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        CheckConstraint("weight >= 1", name="weight_positive"),
        CheckConstraint("budget_planned >= 0 AND budget_spent >= 0", name="money_positive"),
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="order"
        ),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_plan.id", ondelete="RESTRICT"), index=True
    )
    goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_goal.id", ondelete="SET NULL"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_activity.id", ondelete="RESTRICT"), index=True
    )
    year: Mapped[int] = mapped_column(Integer, index=True)
    field: Mapped[str] = mapped_column(String(12))
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    description_id: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str | None] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200), default="")
    volume: Mapped[str] = mapped_column(String(120), default="")
    beneficiaries: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    budget_planned: Mapped[int] = mapped_column(BigInteger, default=0)
    budget_spent: Mapped[int] = mapped_column(BigInteger, default=0)
    funds: Mapped[str] = mapped_column(String(14), default="village_fund")
    method: Mapped[str] = mapped_column(String(14), default="self_managed")
    status: Mapped[str] = mapped_column(String(12), default="planned")
    # Typed for an activity without children; a parent's is worked out (services).
    progress: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[int] = mapped_column(Integer, default=1)

    children: Mapped[list[Activity]] = relationship(order_by="Activity.id")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="activity", order_by="Milestone.on, Milestone.id"
    )
    links: Mapped[list[ActivityLink]] = relationship(order_by="ActivityLink.id")


class ActivityLink(db.Model):
    """What an activity comes from or serves: a ballot, a proposal, a CSR need, ..."""

    __tablename__ = "monitoring_link"
    __table_args__ = (
        UniqueConstraint("activity_id", "kind", "ref_id"),
        CheckConstraint(sql_in("kind", LINK_KINDS), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_activity.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    ref_id: Mapped[int] = mapped_column(Integer)


class Milestone(db.Model):
    """A dated step of an activity, public from its date on."""

    __tablename__ = "monitoring_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_activity.id", ondelete="CASCADE"), index=True
    )
    on: Mapped[date] = mapped_column(Date)
    text_id: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    # An optional photo, checked by content (portal/uploads.py), public from `on`.
    photo_file: Mapped[str | None] = mapped_column(String(64))

    activity: Mapped[Activity] = relationship(back_populates="milestones")


class Indicator(TimestampMixin, db.Model):
    """A measure the village follows (a village SDGs code where one applies)."""

    __tablename__ = "monitoring_indicator"
    __table_args__ = (
        UniqueConstraint("code"),
        CheckConstraint(sql_in("direction", DIRECTIONS), name="direction_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20), default="%")
    baseline: Mapped[float | None] = mapped_column(Float)
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    source_id: Mapped[str] = mapped_column(String(200), default="")
    source_en: Mapped[str | None] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(4), default="up")
    # The key of a measure the portal computes from its own records (None: staff enter it).
    computed: Mapped[str | None] = mapped_column(String(40), unique=True)

    targets: Mapped[list[IndicatorTarget]] = relationship(order_by="IndicatorTarget.year")
    values: Mapped[list[IndicatorValue]] = relationship(order_by="IndicatorValue.year")


class IndicatorTarget(db.Model):
    __tablename__ = "monitoring_target"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_indicator.id", ondelete="CASCADE")
    )
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)


class IndicatorValue(db.Model):
    """One value per indicator and year (entered by staff, with its source)."""

    __tablename__ = "monitoring_value"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_indicator.id", ondelete="CASCADE")
    )
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(String(300))
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class NeedSnapshot(db.Model):
    """A household's need level as the registry held it when a year's snapshot was taken
    (`flask monitoring snapshot`): the registry keeps no history of need levels, so the
    households that left the very poor level are counted from two years' snapshots."""

    __tablename__ = "monitoring_need_snapshot"
    __table_args__ = (UniqueConstraint("year", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"))
    need_level: Mapped[str] = mapped_column(String(16))


class ActivityComment(ModeratedCommentMixin, db.Model):
    """A verified resident's comment on an activity (a result of the plan), moderated as
    participation's proposal comments are: residents report it, staff hide it with a
    reason shown in its place."""

    __tablename__ = "monitoring_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_activity.id", ondelete="CASCADE"), index=True
    )


class ActivityCommentFlag(db.Model):
    """A resident's report of a comment; once per person and comment."""

    __tablename__ = "monitoring_comment_flag"
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("monitoring_comment.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
