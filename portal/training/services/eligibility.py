"""Who may come: a course's priority rule read against the registry."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.i18n import localized
from portal.models_base import village_today
from portal.registry.models import NEED_LEVELS, Enrolment, Household, Membership, Person
from portal.training.models import Course
from portal.training.services.common import NotEligible


def household_of(person: Person | None) -> Household | None:
    if person is None:
        return None
    household_id = db.session.scalar(
        select(Membership.household_id).where(
            Membership.person_id == person.id, Membership.end_date.is_(None)
        )
    )
    if household_id is None:
        household_id = person.household_id
    return db.session.get(Household, household_id) if household_id else None


def rule_text(course: Course) -> str:
    """The course's rule in words, as the course page states it."""
    if course.priority_rule == "women":
        return _("This course is for women.")
    if course.priority_rule == "need_level":
        levels = ", ".join(str(NEED_LEVELS.get(k, k)) for k in course.level_list)
        return _(
            "This course is for members of households in the village registry with the "
            "need level: %(levels)s.",
            levels=levels,
        )
    if course.priority_rule == "programme":
        name = localized(course.priority_programme, "name") if course.priority_programme else "-"
        return _(
            "This course is for members of households enrolled in the programme %(programme)s.",
            programme=name,
        )
    return _("This course is open to all.")


def check_eligible(course: Course, person: Person | None, today: date | None = None) -> None:
    """Raise NotEligible, with the reason, when the course's rule does not admit
    `person` (a registry person, or None for someone the registry does not know)."""
    rule = course.priority_rule
    if rule == "open":
        return
    if person is None:
        raise NotEligible(
            _l(
                "This course has a priority rule, and we could not find you in the village "
                "registry. Verify your account or ask at the village office."
            )
        )
    if rule == "women":
        if person.sex != "female":
            raise NotEligible(_l("This course is for women only."))
        return
    household = household_of(person)
    if household is None:
        raise NotEligible(_l("You are not a member of a household in the village registry."))
    if rule == "need_level":
        if household.need_level not in course.level_list:
            raise NotEligible(
                _l(
                    "This course is for households with a higher need level than yours "
                    "in the village registry."
                )
            )
        return
    if rule == "programme":
        today = today or village_today()
        enrolled = db.session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.household_id == household.id,
                Enrolment.programme_id == course.priority_programme_id,
                Enrolment.period_start <= today,
                (Enrolment.period_end.is_(None)) | (Enrolment.period_end >= today),
            )
        )
        if not enrolled:
            raise NotEligible(
                _l("Your household is not enrolled in the programme this course is for.")
            )
