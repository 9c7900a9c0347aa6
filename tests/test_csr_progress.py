"""The staff index's progress of every need: all companies and verified ones at once."""

from __future__ import annotations

from sqlalchemy import select, update

from portal.csr import services
from portal.csr.models import Company, Need
from portal.devdata import csr as csr_demo
from portal.extensions import db


def test_progress_both_is_progress_for_all_and_for_the_public(app):
    """One statement for both columns of the staff index: the same Progress as the two
    separate ones, for needs with pledges of verified companies, of unverified ones
    only, of both, and with none."""
    csr_demo.generate(needs=12, pledges=80, companies=6, seed=5)
    db.session.flush()
    first = db.session.scalar(select(Company.id).order_by(Company.id))
    db.session.execute(update(Company).where(Company.id == first).values(status="pending"))
    db.session.add(Need(kind="money", title_id="Tanpa janji", description_id="-", target=10))
    db.session.commit()
    needs = services.list_needs()

    every, public = services.progress_both(needs)
    assert every == services.progress_for(needs, public=False)
    assert public == services.progress_for(needs, public=True)
    assert any(every[n.id] != public[n.id] for n in needs)
    assert services.progress_both([]) == ({}, {})
    # The staff index reads the needs (plain rows) and both in one statement: the same.
    rows, every_row, public_row = services.needs_with_progress()
    assert [n.id for n in rows] == [n.id for n in needs]
    assert (every_row, public_row) == (every, public)
    columns = ("rank", "kind", "title_id", "unit_id", "unit_en", "target", "published", "is_open")
    assert [[getattr(n, c) for c in columns] for n in rows] == [
        [getattr(n, c) for c in columns] for n in needs
    ]


def test_progress_from_a_needs_public_pledges_is_progress_of(app):
    """The need's page works its progress out from the public pledges it lists: the
    same Progress as the summing statement, for every status mix (closed ones count
    for what they delivered; withdrawn ones and unverified companies not at all)."""
    csr_demo.generate(needs=12, pledges=80, companies=6, seed=7)
    db.session.flush()
    first = db.session.scalar(select(Company.id).order_by(Company.id))
    db.session.execute(update(Company).where(Company.id == first).values(status="pending"))
    db.session.add(Need(kind="money", title_id="Tanpa janji", description_id="-", target=10))
    db.session.commit()
    statuses = set()
    for need in services.list_needs():
        pledges = services.public_pledges_for_need(need)
        statuses |= {p.status for p in pledges}
        assert services.progress_from(need, pledges) == services.progress_of(need)
    assert {"closed", "withdrawn", "confirmed"} <= statuses
