"""Published, immutable versions of the list and the public board's queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from types import SimpleNamespace

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.audit.services import record
from portal.database import read, write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.lists.models import (
    ListApproval,
    ListDecision,
    ListObjection,
    ListPeriod,
    ListVersion,
    ListVersionRow,
)
from portal.lists.services.approval import approval_holds, latest_approval
from portal.lists.services.common import ListError, newest_version_number
from portal.lists.services.draft import entries_query, recipient_name
from portal.models_base import utcnow, village_today
from portal.privacy import mask_name
from portal.programmes.models import Programme


# The public board shows a version's decision (meeting) and approval: loaded with the
# version in one statement instead of two lazy loads after it.
def _with_decision():
    """The version's meeting decision and approval in the same query (built when asked:
    at import time the mappers may not all be known yet)."""
    return (joinedload(ListVersion.decision), joinedload(ListVersion.approval))


def latest_version(period: ListPeriod) -> ListVersion | None:
    return db.session.scalar(
        select(ListVersion)
        .where(ListVersion.period_id == period.id)
        .order_by(ListVersion.number.desc())
        .limit(1)
        .options(*_with_decision())
    )


def board_head(period_id: int) -> tuple[SimpleNamespace | None, SimpleNamespace | None, int]:
    """What the public board shows of a period and of its newest version, and how many
    versions the period has: one statement built once, of plain columns (the period with
    its programme's names as `period.programme`, the version with its meeting decision and
    approval as `version.decision` and `version.approval`, named as the models'
    attributes), past the ORM: three joined objects cost some 370 Python calls more a
    page. (None, None, 0) when the period is missing or has no version."""
    row = read(db.session, _board_head_statement(), {"period_id": period_id}).first()
    if row is None:
        return None, None, 0
    (pid, title_id, title_en, benefit_id, benefit_en, starts_on, ends_on, amount) = row[:8]
    name_id, name_en, vid, number, households, published_at, objection_until = row[8:15]
    summary, held_on, place, attendees_count, quorum_required, approved_at, count = row[15:]
    period = SimpleNamespace(
        id=pid,
        title_id=title_id,
        title_en=title_en,
        benefit_id=benefit_id,
        benefit_en=benefit_en,
        starts_on=starts_on,
        ends_on=ends_on,
        amount=amount,
        programme=SimpleNamespace(name_id=name_id, name_en=name_en),
    )
    decision = SimpleNamespace(
        held_on=held_on,
        place=place,
        attendees_count=attendees_count,
        quorum_required=quorum_required,
    )
    version = SimpleNamespace(
        id=vid,
        number=number,
        households=households,
        published_at=published_at,
        objection_until=objection_until,
        summary=summary,
        decision=decision,
        approval=SimpleNamespace(at=approved_at),
    )
    return period, version, count


@cache
def _board_head_statement():
    counted = (
        select(func.count())
        .where(ListVersion.period_id == bindparam("period_id"))
        .scalar_subquery()
    )
    return (
        select(
            ListPeriod.id,
            ListPeriod.title_id,
            ListPeriod.title_en,
            ListPeriod.benefit_id,
            ListPeriod.benefit_en,
            ListPeriod.starts_on,
            ListPeriod.ends_on,
            ListPeriod.amount,
            Programme.name_id,
            Programme.name_en,
            ListVersion.id,
            ListVersion.number,
            ListVersion.households,
            ListVersion.published_at,
            ListVersion.objection_until,
            ListVersion.summary,
            ListDecision.held_on,
            ListDecision.place,
            ListDecision.attendees_count,
            ListDecision.quorum_required,
            ListApproval.at,
            counted,
        )
        .join(Programme, Programme.id == ListPeriod.programme_id)
        .join(
            ListVersion,
            (ListVersion.period_id == ListPeriod.id)
            & (ListVersion.number == newest_version_number()),
        )
        .join(ListDecision, ListDecision.id == ListVersion.decision_id)
        .join(ListApproval, ListApproval.id == ListVersion.approval_id)
        .where(ListPeriod.id == bindparam("period_id"))
    )


def version_list(period_id: int) -> list:
    """A period's versions, oldest first (as ListPeriod.versions): rows of number,
    published_at and households, what the board's list of versions shows."""
    return read(db.session, _version_list_statement(), {"period_id": period_id}).all()


@cache
def _version_list_statement():
    return (
        select(ListVersion.number, ListVersion.published_at, ListVersion.households)
        .where(ListVersion.period_id == bindparam("period_id"))
        .order_by(ListVersion.number)
    )


def latest_published(period_id: int) -> tuple[ListPeriod | None, ListVersion | None]:
    """The period and its newest version (None, None when either is missing): one
    statement built once, for pages that need no more of the version."""
    row = db.session.execute(_latest_published_statement(), {"period_id": period_id}).first()
    return (row[0], row[1]) if row else (None, None)


@cache
def _latest_published_statement():
    newest = newest_version_number()
    return (
        select(ListPeriod, ListVersion)
        .join(
            ListVersion,
            (ListVersion.period_id == ListPeriod.id) & (ListVersion.number == newest),
        )
        .where(ListPeriod.id == bindparam("period_id"))
    )


def get_version(period: ListPeriod, number: int) -> ListVersion | None:
    return db.session.scalar(
        select(ListVersion)
        .where(ListVersion.period_id == period.id, ListVersion.number == number)
        .options(*_with_decision())
    )


def version_rows(version: ListVersion) -> list[ListVersionRow]:
    return list(
        db.session.scalars(
            select(ListVersionRow)
            .where(ListVersionRow.version_id == version.id)
            .order_by(ListVersionRow.rw, ListVersionRow.rt, ListVersionRow.masked_name)
        )
    )


def version_page(version: ListVersion, page: int, per_page: int) -> list:
    """One page of a version's rows, in board order (only that page is read): plain
    rows of what the board shows (id, masked name, RT/RW), not records."""
    values = {"version_id": version.id, "limit": per_page, "offset": (page - 1) * per_page}
    # By position; RT/RW as ListVersionRow.rt_rw writes it (a page has 50 rows).
    return [
        BoardRow(row_id, name, f"{rt:03d}/–" if rw is None else f"{rt:03d}/{rw:03d}")
        for row_id, name, rt, rw in read(db.session, _version_page_statement(), values)
    ]


@dataclass(frozen=True, slots=True)
class BoardRow:
    id: int
    masked_name: str
    rt_rw: str


@cache
def _version_page_statement():
    return (
        select(ListVersionRow.id, ListVersionRow.masked_name, ListVersionRow.rt, ListVersionRow.rw)
        .where(ListVersionRow.version_id == bindparam("version_id"))
        .order_by(ListVersionRow.rw, ListVersionRow.rt, ListVersionRow.masked_name)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


def _reported_objections(period: ListPeriod) -> set[int]:
    seen: set[int] = set()
    for (summary,) in db.session.execute(
        select(ListVersion.summary).where(ListVersion.period_id == period.id)
    ):
        seen.update(item["id"] for item in (summary or {}).get("objections", []))
    return seen


def publish(
    period: ListPeriod, *, actor, today: date | None = None, ip: str | None = None
) -> ListVersion:
    """Publish the approved list as its next version (kept for ever, append-only).

    The summary says what changed since the previous version (counts and masked names)
    and the outcome of each objection decided since then (number, kind, outcome; never
    who objected). The objection period runs `objection_days` from today.
    """
    today = today or village_today()
    try:
        return _publish(period, actor, today, ip)
    except IntegrityError:
        # The unique (period, number) is the backstop for two publishings at once.
        raise ListError(_l("This approved list is already published.")) from None


def _publish(period: ListPeriod, actor, today: date, ip: str | None) -> ListVersion:
    with write_transaction(db.session):
        # PostgreSQL: the second of two publishings waits here for the first to commit
        # (SQLite: BEGIN IMMEDIATE already serialises them).
        db.session.execute(
            select(ListPeriod.id).where(ListPeriod.id == period.id).with_for_update()
        )
        approval = latest_approval(period)
        if approval is None or not approval_holds(period, approval):
            raise ListError(_l("The village head has not approved the list as it stands."))
        previous = latest_version(period)
        if previous is not None and previous.approval_id == approval.id:
            raise ListError(_l("This approved list is already published."))
        rows = _rows(period)
        summary = _summary(period, previous, rows)
        version = ListVersion(
            period_id=period.id,
            number=(previous.number + 1) if previous else 1,
            decision_id=approval.decision_id,
            approval_id=approval.id,
            published_by_id=getattr(actor, "id", None),
            published_at=utcnow(),
            objection_until=today + timedelta(days=period.objection_days),
            households=len(rows),
            summary=summary,
        )
        db.session.add(version)
        db.session.flush()
        if rows:
            for row in rows:
                row["version_id"] = version.id
            db.session.execute(ListVersionRow.__table__.insert(), rows)
        record(
            "publish_list",
            "recipient_version",
            version.id,
            actor=actor,
            after={"period_id": period.id, "number": version.number, "households": len(rows)},
            ip=ip,
        )
    return version


def _rows(period: ListPeriod) -> list[dict]:
    """The version's rows from the working list: the masked name for the public board."""
    rows = []
    for entry in db.session.scalars(entries_query(period)):
        name = recipient_name(entry.household)
        rows.append(
            dict(
                household_id=entry.household_id,
                masked_name=mask_name(name)[:120],
                full_name=name[:120],
                rt=entry.household.rt,
                rw=entry.household.rw,
            )
        )
    return rows


def _outcomes(period: ListPeriod) -> list[dict]:
    """Objections decided since the last version that reported them."""
    reported = _reported_objections(period)
    decided = db.session.scalars(
        select(ListObjection)
        .where(ListObjection.period_id == period.id, ListObjection.status != "open")
        .order_by(ListObjection.id)
    )
    return [
        {"id": o.id, "kind": o.kind, "status": o.status} for o in decided if o.id not in reported
    ]


def _summary(period: ListPeriod, previous: ListVersion | None, rows: list[dict]) -> dict:
    """What changed since the previous version, and the objections it answers."""
    before = {}
    if previous is not None:
        before = {r.household_id: r.masked_name for r in version_rows(previous)}
    now_ids = {r["household_id"] for r in rows}
    added = sorted(r["masked_name"] for r in rows if r["household_id"] not in before)
    removed = sorted(name for hid, name in before.items() if hid not in now_ids)
    outcomes = _outcomes(period)
    counts = Counter(f"{o['kind']}_{o['status']}" for o in outcomes)
    still_open = db.session.scalar(
        select(func.count()).where(
            ListObjection.period_id == period.id, ListObjection.status == "open"
        )
    )
    return {
        "previous": previous.number if previous else None,
        "added": len(added) if previous else 0,
        "removed": len(removed),
        "added_names": added if previous else [],
        "removed_names": removed,
        "objections": outcomes,
        "objection_counts": {
            "upheld": sum(1 for o in outcomes if o["status"] == "upheld"),
            "rejected": sum(1 for o in outcomes if o["status"] == "rejected"),
            **dict(counts),
        },
        "objections_open": still_open,
    }


@dataclass(frozen=True)
class PlaceTotal:
    rt: int
    rw: int | None
    households: int
    amount: int | None

    @property
    def rt_rw(self) -> str:
        if self.rw is None:
            return f"{self.rt:03d}/–"
        return f"{self.rt:03d}/{self.rw:03d}"


def totals(version: ListVersion, amount: int | None) -> list[PlaceTotal]:
    """Households (and cash, when the period has an amount) per RT/RW."""
    rows = read(db.session, _totals_statement(), {"version_id": version.id})
    return [PlaceTotal(rt, rw, n, n * amount if amount is not None else None) for rt, rw, n in rows]


@cache
def _totals_statement():
    return (
        select(ListVersionRow.rt, ListVersionRow.rw, func.count())
        .where(ListVersionRow.version_id == bindparam("version_id"))
        .group_by(ListVersionRow.rw, ListVersionRow.rt)
        .order_by(ListVersionRow.rw, ListVersionRow.rt)
    )


def published_periods() -> list[tuple[ListPeriod, ListVersion]]:
    """Every period with a published version, newest first, with its latest version
    (and the period's programme, joined): one statement, built once."""
    return [(p, v) for p, v in db.session.execute(_published_statement())]


@cache
def _published_statement():
    latest = (
        select(ListVersion.period_id, func.max(ListVersion.number).label("n"))
        .group_by(ListVersion.period_id)
        .subquery()
    )
    return (
        select(ListPeriod, ListVersion)
        .join(latest, latest.c.period_id == ListPeriod.id)
        .join(
            ListVersion,
            (ListVersion.period_id == ListPeriod.id) & (ListVersion.number == latest.c.n),
        )
        .options(joinedload(ListPeriod.programme))
        .order_by(ListPeriod.starts_on.desc(), ListPeriod.id.desc())
    )


def current_lists(today: date | None = None) -> list[tuple[ListPeriod, ListVersion]]:
    """Published periods that have not ended."""
    today = today or village_today()
    return [(p, v) for p, v in published_periods() if p.ends_on >= today]
