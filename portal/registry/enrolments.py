"""Village enrolments changed on behalf of another feature, in its transaction.

The recipient lists (portal.lists) enrol the households a village decision approved
and end or remove what a later approval took off. They do it through these functions,
never by writing the registry's rows themselves, so every enrolment change is audited
in one shape, the registry's (`registry.services`' enrolment facts), whoever makes it.
They flush but never commit: the caller's transaction holds the whole decision.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.audit.services import record
from portal.extensions import db
from portal.registry.models import Enrolment
from portal.registry.services import enrolment_facts


def by_ids(ids) -> dict[int, Enrolment]:
    """{id: enrolment} for these ids (missing ones left out)."""
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return {e.id: e for e in db.session.scalars(select(Enrolment).where(Enrolment.id.in_(wanted)))}


def households_enrolled_from(programme_id: int, period_start: date) -> set[int]:
    """Households with a household-wide enrolment in the programme from that very day."""
    return set(
        db.session.scalars(
            select(Enrolment.household_id).where(
                Enrolment.programme_id == programme_id,
                Enrolment.period_start == period_start,
                Enrolment.person_id.is_(None),
            )
        )
    )


def add(
    household_id: int,
    programme_id: int,
    period_start: date,
    period_end: date | None,
    *,
    actor,
    summary: str | None = None,
) -> Enrolment:
    """Enrol a whole household; audited as a registry "create"."""
    item = Enrolment(
        household_id=household_id,
        programme_id=programme_id,
        period_start=period_start,
        period_end=period_end,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(item)
    db.session.flush()
    record(
        "create", "enrolment", item.id, actor=actor, summary=summary, after=enrolment_facts(item)
    )
    return item


def set_period(
    item: Enrolment,
    period_start: date,
    period_end: date | None,
    *,
    actor,
    action: str = "update",
    summary: str | None = None,
) -> bool:
    """Move an enrolment's first and last day ("update", or "end" when it stops early);
    False when they are already so (nothing written)."""
    if (item.period_start, item.period_end) == (period_start, period_end):
        return False
    before = enrolment_facts(item)
    item.period_start, item.period_end = period_start, period_end
    record(
        action,
        "enrolment",
        item.id,
        actor=actor,
        summary=summary,
        before=before,
        after=enrolment_facts(item),
    )
    return True


def remove(item: Enrolment, *, actor, summary: str | None = None) -> None:
    """Delete an enrolment that has not begun (made in error or taken back)."""
    record(
        "delete", "enrolment", item.id, actor=actor, summary=summary, before=enrolment_facts(item)
    )
    db.session.delete(item)
