"""Demo monitoring data: the six-year plan with goals, this year's activities (one with
parts), milestones, the portal's computed indicators and two entered by staff."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.models_base import village_today
from portal.monitoring.models import (
    Activity,
    ActivityComment,
    Goal,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    NeedSnapshot,
    Plan,
)
from portal.monitoring.services.computed import MEASURES
from portal.monitoring.services.indicators import DEFAULT_CODES
from portal.privacy import mask_name
from portal.registry.models import Household

GOALS = (
    ("Menurunkan jumlah keluarga sangat miskin", "Fewer very poor families"),
    ("Bantuan tepat sasaran dan terbuka", "Aid that reaches the right people, in the open"),
    ("Ibu-ibu berwirausaha", "Mothers running their own businesses"),
)


def _activity(plan, goal, year, **fields) -> Activity:
    activity = Activity(plan_id=plan.id, goal_id=goal.id, year=year, **fields)
    db.session.add(activity)
    db.session.flush()
    return activity


def seed() -> None:
    today = village_today()
    plan, goals = _plan(today.year)
    course = _activities(plan, goals, today)
    _indicators(today.year)
    _last_years_snapshot(today.year)
    _comments(course)


def _plan(year: int) -> tuple[Plan, list[Goal]]:
    """The six-year plan and its goals."""
    plan = Plan(
        title_id="RPJMDes Duri Selatan",
        title_en="Duri Selatan village plan",
        first_year=year - 1,
        last_year=year + 4,
        vision_id="Desa yang mandiri, adil dan sejahtera bagi semua warganya.",
        vision_en="A self-reliant, fair and prosperous village for all its residents.",
    )
    db.session.add(plan)
    db.session.flush()
    goals = []
    for n, (title_id, title_en) in enumerate(GOALS):
        goal = Goal(plan_id=plan.id, position=n, title_id=title_id, title_en=title_en)
        db.session.add(goal)
        goals.append(goal)
    db.session.flush()
    return plan, goals


def _activities(plan: Plan, goals: list[Goal], today) -> Activity:
    """This year's activities (the food packages with their parts, the course with its
    milestones); returns the course."""
    year = today.year
    food = _activity(
        plan,
        goals[1],
        year,
        field="community",
        title_id="Paket pangan dari petani lokal",
        title_en="Food packages from local farmers",
        place="Balai Desa",
        volume="12 kali penyaluran",
        beneficiaries="Rumah tangga sangat miskin dan miskin",
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
        budget_planned=180_000_000,
        budget_spent=140_000_000,
        funds="village_fund",
        method="self_managed",
        status="in_progress",
        progress=0,
    )
    for title_id, title_en, progress, status, weight in (
        ("Pendataan ulang penerima", "Checking the recipient list again", 100, "done", 1),
        ("Pembelian dari Gapoktan", "Buying from the farmers' group", 75, "in_progress", 3),
        ("Penyaluran bulanan", "Monthly handouts", 60, "in_progress", 4),
    ):
        _activity(
            plan,
            goals[1],
            year,
            parent_id=food.id,
            field="community",
            title_id=title_id,
            title_en=title_en,
            funds="village_fund",
            method="self_managed",
            status=status,
            progress=progress,
            weight=weight,
        )
    course = _activity(
        plan,
        goals[2],
        year,
        field="empowerment",
        title_id="Pelatihan usaha untuk ibu-ibu",
        title_en="Business training for mothers",
        place="Gedung PKK",
        volume="4 angkatan",
        beneficiaries="Ibu rumah tangga",
        budget_planned=25_000_000,
        budget_spent=9_000_000,
        funds="csr",
        method="self_managed",
        status="in_progress",
        progress=40,
    )
    for days, text_id, text_en in (
        (-60, "Angkatan pertama selesai, 24 peserta.", "First class finished, 24 participants."),
        (
            -10,
            "Sepuluh peserta mulai menjual di pasar desa.",
            "Ten participants sell at the market.",
        ),
        (30, "Angkatan kedua dimulai.", "The second class begins."),
    ):
        db.session.add(
            Milestone(
                activity_id=course.id,
                on=today + timedelta(days=days),
                text_id=text_id,
                text_en=text_en,
            )
        )
    return course


def _indicators(year: int) -> None:
    """The portal's computed indicators and one entered by staff with values and targets."""
    for key, m in MEASURES.items():
        with force_locale("id"):
            name_id = str(m.name)
        with force_locale("en"):
            name_en, unit = str(m.name), str(m.unit)
        db.session.add(
            Indicator(
                code=DEFAULT_CODES.get(key, key),
                name_id=name_id,
                name_en=name_en,
                unit=unit,
                source_id="Dihitung portal dari catatannya sendiri",
                source_en="Computed by the portal from its own records",
                direction="down"
                if key in ("very_poor_share", "leakage", "not_collected")
                else "up",
                computed=key,
            )
        )
    idm = Indicator(
        code="IDM",
        name_id="Indeks Desa Membangun",
        name_en="Village development index (IDM)",
        unit="indeks",
        baseline=0.62,
        baseline_year=year - 2,
        source_id="Kementerian Desa",
        source_en="Ministry of Villages",
        direction="up",
    )
    db.session.add(idm)
    db.session.flush()
    for y, value in ((year - 2, 0.62), (year - 1, 0.65)):
        db.session.add(IndicatorValue(indicator_id=idm.id, year=y, value=value))
    for y, value in ((year, 0.68), (year + 1, 0.71)):
        db.session.add(IndicatorTarget(indicator_id=idm.id, year=y, value=value))
    db.session.flush()


def _last_years_snapshot(year: int) -> None:
    """Last year's need levels as they stand, but half of today's poor households were
    very poor then (so the graduation indicator has a figure)."""
    rows = db.session.execute(select(Household.id, Household.need_level).order_by(Household.id))
    poor = 0
    for household_id, level in rows:
        if level == "miskin":
            poor += 1
            if poor % 2 == 0:
                level = "sangat_miskin"
        db.session.add(NeedSnapshot(year=year - 1, household_id=household_id, need_level=level))
    db.session.flush()


def _comments(activity: Activity) -> None:
    """Two verified residents' comments on the course (masked names, as the service writes)."""
    residents = db.session.scalars(
        select(User)
        .where(User.role == "resident", User.verification_status == "verified")
        .order_by(User.id)
        .limit(2)
    ).all()
    bodies = (
        "Kelasnya bermanfaat, semoga ada lanjutan untuk pemasaran online.",
        "Mohon jadwal sore hari supaya ibu-ibu yang bekerja bisa ikut.",
    )
    for user, body in zip(residents, bodies, strict=False):
        db.session.add(
            ActivityComment(
                activity_id=activity.id,
                author_id=user.id,
                author_label=mask_name(user.name),
                body=body,
                flags_count=0,
            )
        )
    db.session.flush()
