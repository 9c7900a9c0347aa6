"""Building blocks for the distribution tests: a published recipient list on a demo
registry, and a round for it (draft or approved)."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from portal.devdata import registry as registry_demo
from portal.distribution import services
from portal.extensions import db
from portal.lists import services as lists
from portal.models_base import village_today
from portal.programmes.models import Programme
from tests import factories

ATTENDEES = "Hendra Saputra; Kepala Desa\nSiti Aminah; Ketua BPD\nBudi; Warga"


def published_list(make_user, households: int = 120, seed: int = 7):
    """A demo registry, a cash programme period drawn by its rules, decided, approved and
    published: (period, version, operator, head)."""
    if db.session.scalar(select(Programme).where(Programme.slug == "blt")) is None:
        factories.programme(slug="blt", aid_type="cash", name_id="BLT Dana Desa")
        registry_demo.generate(households, seed=seed)
        db.session.commit()
    programme = db.session.scalar(select(Programme).where(Programme.slug == "blt"))
    operator, head = make_user("operator"), make_user("auditor")
    start = village_today() + timedelta(days=10)
    period = lists.save_period(
        None,
        dict(
            programme_id=programme.id,
            title_id="BLT Januari-Maret",
            title_en="BLT January to March",
            starts_on=start,
            ends_on=start + timedelta(days=89),
            budget=50_000_000,
            amount=900_000,
            benefit_id="Rp300.000 per bulan",
            benefit_en="IDR 300,000 a month",
            rule_need_levels="sangat_miskin miskin",
            rule_max_desil=None,
            rule_min_members=None,
            rule_composition="",
            rule_aid_fit=False,
            rule_not_covered=False,
            objection_days=7,
        ),
        actor=operator,
    )
    lists.propose_draft(period, actor=operator)
    lists.record_decision(
        period,
        dict(
            held_on=village_today() - timedelta(days=1),
            place="Balai Desa",
            attendees_count=50,
            quorum_required=30,
            decisions="Daftar ditetapkan.",
            minutes="Notulen rapat.",
        ),
        ATTENDEES,
        actor=operator,
    )
    lists.approve(period, actor=head)
    version = lists.publish(period, actor=operator)
    return period, version, operator, head


def draft_round(version, operator, *, cash: int | None = 300_000, formula: bool = False):
    """A draft round with one point, a slot for every RT/RW on the list, rice and oil."""
    start = village_today() + timedelta(days=12)
    round_ = services.create_round(
        version_id=version.id,
        title_id="Penyaluran BLT Januari",
        title_en="BLT distribution, January",
        starts_on=start,
        ends_on=start + timedelta(days=2),
        cash_amount=cash,
        use_food_formula=formula,
        actor=operator,
    )
    point = services.add_point(
        round_.id,
        name="Balai Desa",
        address="Jl. Desa 1",
        opens_at=time(8),
        closes_at=time(15),
        actor=operator,
    )
    from portal.lists import queries

    places = sorted({(h.rw, h.rt) for h in queries.listed_households(version.id)}, key=str)
    for n, (rw, rt) in enumerate(places):
        services.add_slot(
            round_.id,
            point_id=point.id,
            rt=rt,
            rw=rw,
            day=start + timedelta(days=n % 3),
            starts_at=time(8 + n % 6),
            ends_at=time(9 + n % 6),
            actor=operator,
        )
    services.add_item(
        round_.id,
        name_id="Beras",
        name_en="Rice",
        unit="kg",
        quantity="10",
        formula_key="rice",
        actor=operator,
    )
    services.add_item(
        round_.id,
        name_id="Minyak goreng",
        name_en="Cooking oil",
        unit="l",
        quantity="1",
        formula_key="oil",
        actor=operator,
    )
    return round_


def approved_round(make_user, households: int = 120, **kwargs):
    """(round, version, operator, head) with the round approved (entitlements made)."""
    period, version, operator, head = published_list(make_user, households)
    round_ = draft_round(version, operator, **kwargs)
    services.approve(round_.id, actor=head)
    db.session.expire_all()
    return round_, version, operator, head
