"""Demo distribution rounds: for the demo recipient list, an open round (points, a time
slot for every RT, cash and food items, approved by the village head) and a draft round
still being prepared. Also `bench_round`, the round bench/distribution.py approves."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.distribution import services
from portal.extensions import db
from portal.lists import queries
from portal.models_base import village_today

POINTS = (
    ("Balai Desa Duri Selatan", "Jl. Raya Duri Selatan No. 1", time(8), time(15)),
    ("Posyandu Melati RW 02", "Gg. Melati, RW 02", time(8), time(12)),
)


def _users():
    operator = db.session.scalar(select(User).where(User.role == "operator").limit(1))
    head = db.session.scalar(select(User).where(User.role == "admin").limit(1))
    return operator, head


def make_round(version_id: int, operator, *, title_id: str, title_en: str, start, days: int = 3):
    """A draft round with two points, a slot for every RT/RW of the list, and items."""
    round_ = services.create_round(
        version_id=version_id,
        title_id=title_id,
        title_en=title_en,
        starts_on=start,
        ends_on=start + timedelta(days=days - 1),
        cash_amount=300_000,
        use_food_formula=True,
        actor=operator,
    )
    points = [
        services.add_point(
            round_.id, name=name, address=address, opens_at=opens, closes_at=closes, actor=operator
        )
        for name, address, opens, closes in POINTS
    ]
    places = sorted({(h.rw or 0, h.rt) for h in queries.listed_households(version_id)})
    for n, (rw, rt) in enumerate(places):
        point = points[0] if rw != 2 else points[1]
        hour = 8 + n % 4
        services.add_slot(
            round_.id,
            point_id=point.id,
            rt=rt,
            rw=rw or None,
            day=start + timedelta(days=(n // 4) % days),
            starts_at=time(hour),
            ends_at=time(hour + 1),
            actor=operator,
        )
    for name_id, name_en, unit, quantity, key in (
        ("Beras", "Rice", "kg", "10", "rice"),
        ("Minyak goreng", "Cooking oil", "l", "1", "oil"),
        ("Telur", "Eggs", "pcs", "10", "eggs"),
    ):
        services.add_item(
            round_.id,
            name_id=name_id,
            name_en=name_en,
            unit=unit,
            quantity=quantity,
            formula_key=key,
            actor=operator,
        )
    return round_


def seed(today=None):
    """The demo rounds for the newest published list (none without one)."""
    versions = queries.published_versions()
    operator, head = _users()
    if not versions or operator is None or head is None:
        return None
    today = today or village_today()
    version = versions[0]
    first = make_round(
        version.id,
        operator,
        title_id="Penyaluran BLT dan paket pangan tahap 1",
        title_en="Cash and food package distribution, stage 1",
        start=today,
    )
    services.approve(first.id, actor=head)
    services.open_round(first.id, actor=operator)
    make_round(
        version.id,
        operator,
        title_id="Penyaluran tahap 2 (draf)",
        title_en="Distribution, stage 2 (draft)",
        start=today + timedelta(days=30),
    )
    return first


def bench_round(version_id: int):
    """A draft round for a (large) published version, ready to approve."""
    operator, _ = _users()
    return make_round(
        version_id,
        operator,
        title_id="Penyaluran uji beban",
        title_en="Load test distribution",
        start=village_today() + timedelta(days=5),
    )
