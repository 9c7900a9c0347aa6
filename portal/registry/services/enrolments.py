"""Enrolments in village programmes and recorded national ones: adding and ending them."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.programmes.models import Programme
from portal.registry.models import (
    NATIONAL_PROGRAMMES,
    Enrolment,
    ExternalEnrolment,
    Household,
    Person,
)


def enrol(
    household: Household,
    programme_id: int,
    period_start: date,
    period_end: date | None = None,
    *,
    actor,
    person: Person | None = None,
    ip: str | None = None,
) -> tuple[Enrolment | None, dict]:
    """Enrol a household (or one member) in a village programme. Returns (enrolment, errors)."""
    if db.session.get(Programme, programme_id) is None:
        return None, {"programme": _l("Choose a programme from the list.")}
    enrolment = Enrolment(
        household_id=household.id,
        programme_id=programme_id,
        person_id=getattr(person, "id", None),
        period_start=period_start,
        period_end=period_end,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(enrolment)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None, {
            "period_start": _l(
                "This household is already enrolled in this programme from that date."
            )
        }
    record(
        "create", "enrolment", enrolment.id, actor=actor, after=enrolment_facts(enrolment), ip=ip
    )
    db.session.commit()
    return enrolment, {}


def add_external(
    household: Household | None,
    code: str,
    period_start: date,
    period_end: date | None = None,
    *,
    actor,
    person: Person | None = None,
    source: str | None = None,
    ip: str | None = None,
) -> ExternalEnrolment:
    """Record that a household or person receives a national programme (PKH, BPNT...)."""
    if code not in NATIONAL_PROGRAMMES:
        raise ValueError(f"unknown national programme {code!r}")
    item = ExternalEnrolment(
        household_id=getattr(household, "id", None),
        person_id=getattr(person, "id", None),
        programme_code=code,
        period_start=period_start,
        period_end=period_end,
        source=source,
    )
    db.session.add(item)
    db.session.flush()
    record("create", "external_enrolment", item.id, actor=actor, after=enrolment_facts(item), ip=ip)
    db.session.commit()
    return item


def end_enrolment(item: Enrolment | ExternalEnrolment, *, actor, ip: str | None = None) -> None:
    """End a village or national enrolment: its last day is yesterday (or its first day).

    Nothing is deleted; the enrolment keeps its history with an end date.
    """
    yesterday = village_today() - timedelta(days=1)
    end = max(yesterday, item.period_start)
    if item.period_end is not None and item.period_end <= end:
        return
    before = enrolment_facts(item)
    item.period_end = end
    record(
        "end",
        item.__tablename__,
        item.id,
        actor=actor,
        before=before,
        after=enrolment_facts(item),
        ip=ip,
    )
    db.session.commit()


def enrolment_facts(item) -> dict:
    facts = {
        "household_id": item.household_id,
        "person_id": item.person_id,
        "period_start": item.period_start,
        "period_end": item.period_end,
    }
    if isinstance(item, Enrolment):
        facts["programme_id"] = item.programme_id
    else:
        facts["programme_code"] = item.programme_code
    return facts


def _active(model, today: date):
    return or_(model.period_end.is_(None), model.period_end >= today)
