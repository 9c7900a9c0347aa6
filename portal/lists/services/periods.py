"""Programme periods of a recipient list: reading and saving them (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace

from sqlalchemy import bindparam, inspect, select

from portal.audit.services import record, snapshot
from portal.database import read
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.lists.models import COMPOSITIONS, ListPeriod
from portal.lists.services.common import (
    APPROVED_FIELDS,
    PERIOD_FIELDS,
    ListError,
    _touch,
    newest_version_number,
)
from portal.programmes.models import Programme
from portal.registry.models import NEED_LEVELS


def get_period(period_id: int) -> ListPeriod | None:
    return db.session.get(ListPeriod, period_id)


@dataclass(frozen=True, slots=True)
class PeriodValues:
    """A period as the pages that only show it or fill its form from it read it: its
    columns as a plain object named as the model's attributes (`period`, with
    `need_levels` as the model's, and `programme.aid_type`, all the rule check reads
    of its programme), and the row itself (`values`, a key for markup made from them)."""

    period: SimpleNamespace
    values: tuple


def period_values(period_id: int) -> PeriodValues | None:
    """The period's columns and its programme's aid type, in one statement built once,
    past the ORM (db.session.get or a joined programme cost some 300 Python calls a
    page; a plain row some 100). None when there is no such period."""
    statement, keys = _values_statement()
    row = read(db.session, statement, {"period_id": period_id}).first()
    if row is None:
        return None
    period = SimpleNamespace(**dict(zip(keys, row[:-1], strict=True)))
    period.need_levels = period.rule_need_levels.split()  # as ListPeriod.need_levels
    period.programme = SimpleNamespace(aid_type=row[-1])
    return PeriodValues(period, tuple(row))


@cache
def _values_statement():
    keys = tuple(column.key for column in inspect(ListPeriod).column_attrs)
    statement = (
        select(*(getattr(ListPeriod, key) for key in keys), Programme.aid_type)
        .join(Programme, Programme.id == ListPeriod.programme_id)
        .where(ListPeriod.id == bindparam("period_id"))
    )
    return statement, keys


def period_rows() -> list:
    """What the staff list of periods shows, newest first: each
    period's id, title and dates, its programme's name and its newest version's number
    (None when unpublished), in one statement built once (were three: the periods,
    their programmes, their newest versions)."""
    return read(db.session, _period_rows_statement()).all()


@cache
def _period_rows_statement():
    newest = newest_version_number()
    return (
        select(
            ListPeriod.id,
            ListPeriod.title_id,
            ListPeriod.starts_on,
            ListPeriod.ends_on,
            Programme.name_id.label("programme_name"),
            newest.label("version_number"),
        )
        .join(Programme, Programme.id == ListPeriod.programme_id)
        .order_by(ListPeriod.starts_on.desc(), ListPeriod.id.desc())
    )


def _value(value):
    """A stored value as the approval sees it: an empty text is no text."""
    return None if value == "" else value


def save_period(period: ListPeriod | None, data: dict, *, actor, ip: str | None = None):
    """Create or update a period. Raises ListError for a bad value.

    Changing what an approval covers (programme, dates, budget, what is given, the rules,
    the objection days) marks the list changed, so it needs the village head's approval
    again before its next version is published; that approval moves the registry
    enrolments the list made to the new dates."""
    if db.session.get(Programme, data.get("programme_id") or 0) is None:
        raise ListError(_l("Choose a programme from the list."), "programme_id")
    if data["ends_on"] < data["starts_on"]:
        raise ListError(_l("The period cannot end before it starts."), "ends_on")
    levels = data.get("rule_need_levels") or ""
    if isinstance(levels, list | tuple):
        levels = " ".join(levels)
    if not levels.split() or any(level not in NEED_LEVELS for level in levels.split()):
        raise ListError(_l("Choose at least one need level."), "rule_need_levels")
    data = {
        **data,
        "rule_need_levels": levels,
        "rule_composition": data.get("rule_composition") or "",
    }
    if data["rule_composition"] not in COMPOSITIONS:
        raise ListError(_l("Choose a household composition from the list."), "rule_composition")
    creating = period is None
    before = None if creating else snapshot(period, PERIOD_FIELDS)
    if creating:
        period = ListPeriod(created_by_id=getattr(actor, "id", None))
        db.session.add(period)
    covered = {name: getattr(period, name) for name in APPROVED_FIELDS}
    for name in PERIOD_FIELDS:
        if name in data:
            setattr(period, name, data[name])
    if not creating and any(_value(getattr(period, n)) != _value(v) for n, v in covered.items()):
        _touch(period)
    db.session.flush()
    record(
        "create" if creating else "update",
        "recipient_period",
        period.id,
        actor=actor,
        before=before,
        after=snapshot(period, PERIOD_FIELDS),
        ip=ip,
    )
    db.session.commit()
    return period
