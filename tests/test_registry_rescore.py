"""`flask --app portal registry rescore`: the current rules applied to every household."""

from __future__ import annotations

from sqlalchemy import select, update

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.registry import scoring
from portal.registry.models import BPS_CRITERIA, Household
from portal.registry.rescoring import rescore_all
from tests.registry_helpers import household, person

POOR = {f"bps_{k}": True for k in BPS_CRITERIA}


def _three_households():
    homes = [household(**POOR), household(**POOR), household()]
    for i, home in enumerate(homes):
        person(home, f"Kepala {i}")
    return [home.id for home in homes]


def _levels(ids):
    rows = db.session.execute(
        select(Household.id, Household.need_level).where(Household.id.in_(ids))
    )
    return dict(rows.all())


def test_rescore_applies_changed_rules_and_reports_need_level_changes(app, runner, monkeypatch):
    ids = _three_households()
    before = _levels(ids)
    real = scoring.assess

    def stricter(criteria, desil, members):
        # A change of the rules: no household counts as needy any more.
        result = real(criteria, desil, members)
        result.need_level = "tidak_prioritas"
        return result

    monkeypatch.setattr(scoring, "assess", stricter)
    was_needy = sum(level != "tidak_prioritas" for level in before.values())
    assert was_needy == 2

    outcome = runner.invoke(args=["registry", "rescore"])
    assert outcome.exit_code == 0, outcome.output
    assert "3 households checked" in outcome.output
    assert f"{was_needy} changed need level" in outcome.output
    db.session.expire_all()
    assert set(_levels(ids).values()) == {"tidak_prioritas"}
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "registry.rescore")
    ).one()
    assert entry.after == {"households": 3, "changed": 2, "need_level_changed": 2}


def test_rescore_twice_changes_nothing_the_second_time(app):
    ids = _three_households()
    # A stale stored value, as after a rule change: the first run repairs it.
    db.session.execute(update(Household).where(Household.id == ids[0]).values(score=0))
    db.session.commit()
    first = rescore_all()
    assert (first.households, first.changed) == (3, 1)
    second = rescore_all()
    assert (second.changed, second.need_level_changed) == (0, 0)
    db.session.expire_all()
    home = db.session.get(Household, ids[0])
    assert home.score == scoring.assess_household(home).score
