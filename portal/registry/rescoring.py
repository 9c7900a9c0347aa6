"""Recompute households' score, need level and aid types under the current rules.

The import rescores the households it touched; `flask --app portal registry rescore`
rescores every household after a change of the scoring rules (portal/registry/scoring.py).
Both read plain values (no model object per household) and write only the households
whose result differs, so running it twice changes nothing the second time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from portal.audit.services import record
from portal.database import write_transaction
from portal.extensions import db
from portal.models_base import utcnow, village_today
from portal.registry import scoring
from portal.registry.models import BPS_CRITERIA, Household, Person

CHUNK = 1000


@dataclass
class RescoreResult:
    """What a rescore did: households looked at, rows rewritten, need levels changed."""

    households: int = 0
    changed: int = 0
    need_level_changed: int = 0


def _age(birth_date: date | None, today: date) -> int | None:
    if birth_date is None:
        return None
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def _members(chunk: list[int], today: date) -> dict[int, list[scoring.Member]]:
    members: dict[int, list[scoring.Member]] = defaultdict(list)
    rows = db.session.execute(
        select(Person.household_id, Person.birth_date, Person.disability, Person.status).where(
            Person.household_id.in_(chunk), Person.merged_into_id.is_(None)
        )
    )
    for hid, birth_date, disability, status in rows:
        members[hid].append(
            scoring.Member(
                age=_age(birth_date, today), disabled=bool(disability), alive=status == "alive"
            )
        )
    return members


def _rescore_chunk(chunk: list[int], today: date, result: RescoreResult) -> None:
    members = _members(chunk, today)
    criteria_columns = [getattr(Household, f"bps_{k}") for k in BPS_CRITERIA]
    households = db.session.execute(
        select(
            Household.id,
            Household.desil,
            Household.score,
            Household.need_level,
            Household.aid_types,
            Household.scored_at,
            *criteria_columns,
        ).where(Household.id.in_(chunk))
    )
    now = utcnow()
    changed = []
    for row in households:
        result.households += 1
        criteria = {k: getattr(row, f"bps_{k}") for k in BPS_CRITERIA}
        assessed = scoring.assess(criteria, row.desil, members.get(row.id, []))
        aid_types = " " + " ".join(assessed.aid_types) + " " if assessed.aid_types else " "
        new = (assessed.score, assessed.need_level, aid_types)
        if row.scored_at is not None and (row.score, row.need_level, row.aid_types) == new:
            continue
        if row.need_level != assessed.need_level:
            result.need_level_changed += 1
        changed.append(
            {
                "id": row.id,
                "score": assessed.score,
                "need_level": assessed.need_level,
                "aid_types": aid_types,
                "scored_at": now,
            }
        )
    if changed:
        db.session.execute(update(Household), changed)
    result.changed += len(changed)


def rescore(household_ids: Iterable[int], today: date) -> RescoreResult:
    """Rescore these households in the current transaction (the caller commits)."""
    ids = sorted(household_ids)
    result = RescoreResult()
    for start in range(0, len(ids), CHUNK):
        _rescore_chunk(ids[start : start + CHUNK], today, result)
    return result


def rescore_all(*, actor=None, today: date | None = None) -> RescoreResult:
    """Apply the current scoring rules to every household, audited. Commits.

    One write transaction: either every household is rescored or none is. The audit
    entry says how many households changed score and how many changed need level.
    """
    today = today or village_today()
    with write_transaction(db.session):
        ids = list(db.session.scalars(select(Household.id)))
        result = rescore(ids, today)
        record(
            "registry.rescore",
            "household",
            actor=actor,
            summary=(
                f"{result.changed} of {result.households} households rescored, "
                f"{result.need_level_changed} changed need level"
            ),
            after={
                "households": result.households,
                "changed": result.changed,
                "need_level_changed": result.need_level_changed,
            },
        )
    return result
