"""Making a plan's writes: bulk INSERTs and UPDATEs with their audit entries, then rescoring."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import JSON, and_, bindparam, select, update

from portal.audit.models import AuditEntry
from portal.audit.services import mask_numbers
from portal.extensions import db
from portal.models_base import utcnow
from portal.registry.importing.planner.common import PERSON_COMPARED, Plan, _chunks
from portal.registry.importing.planner.lookups import _households_by_kk
from portal.registry.models import ExternalEnrolment, Household, KKNumber, Membership, Person
from portal.registry.rescoring import rescore


class _AuditSink:
    """Audit entries, written in batches as they come (a roster makes 100,000 of them)."""

    def __init__(self, actor, summary: str):
        self.actor_id = getattr(actor, "id", None)
        self.actor_name = getattr(actor, "name", None)
        self.summary = mask_numbers(summary)[:300] if summary else None
        self.buffer: list[dict] = []
        self.now = utcnow()

    def add(self, action, object_type, object_id, *, before=None, after=None) -> None:
        self.buffer.append(
            {
                "at": self.now,
                "actor_id": self.actor_id,
                "actor_name": self.actor_name,
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id),
                "summary": self.summary,
                "before": _masked(before) if before else None,
                "after": _masked(after) if after else None,
                "ip": None,
            }
        )
        if len(self.buffer) >= 5000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            _insert(AuditEntry.__table__, self.buffer)
            self.buffer = []


def _masked(values: dict) -> dict:
    """`mask_numbers` for a flat dict, cheaper: only strings long enough to hold a NIK or
    KK number go through its regular expression (a roster makes 100,000 entries)."""
    out = {}
    for name, value in values.items():
        if isinstance(value, str):
            out[name] = mask_numbers(value) if len(value) >= 16 else value
        elif hasattr(value, "isoformat"):
            out[name] = value.isoformat()
        elif isinstance(value, dict | list | tuple):
            out[name] = mask_numbers(value)
        else:
            out[name] = value
    return out


def _insert_returning_ids(table, rows: list[dict], unique: str | None = None) -> list[int]:
    """INSERT many rows and return their ids in order.

    With a `unique` column (KK number, NIK) the rows go in as one executemany and the
    ids are looked up by that column afterwards: SQLite answers an ordered
    INSERT ... RETURNING one row per statement, 25 times slower for a roster. Rows
    without a value in it (people without a NIK) are inserted one by one.
    """
    ids: list[int | None] = [None] * len(rows)
    if unique is not None:
        keyed = [i for i, row in enumerate(rows) if row.get(unique)]
        _insert(table, [rows[i] for i in keyed])
        found: dict = {}
        column = table.c[unique]
        for chunk in _chunks([rows[i][unique] for i in keyed]):
            found.update(
                {
                    k: i
                    for i, k in db.session.execute(
                        select(table.c.id, column).where(column.in_(chunk))
                    )
                }  # fmt: skip
            )
        for i in keyed:
            ids[i] = found[rows[i][unique]]
    statement = table.insert().returning(table.c.id)
    for i, row in enumerate(rows):
        if ids[i] is None:
            ids[i] = db.session.execute(statement, row).scalar_one()
    return ids  # type: ignore[return-value]


def _insert(table, rows: list[dict]) -> None:
    if not rows:
        return
    keys = list(rows[0])
    if db.session.get_bind().dialect.name == "postgresql" and all(
        len(row) == len(keys) and all(k in row for k in keys) for row in rows
    ):
        _copy(table, keys, rows)
        return
    for chunk in _chunks(rows, 1000):
        db.session.execute(table.insert(), chunk)


def _copy(table, keys: list[str], rows: list[dict]) -> None:
    """INSERT through PostgreSQL's COPY, in the session's own transaction: a district's
    roster makes some 4,000,000 rows (people, memberships, audit entries), which an
    executemany sends as as many INSERT statements; COPY streams them in one."""
    as_json = {k for k in keys if isinstance(table.c[k].type, JSON)}
    columns = ", ".join(f'"{k}"' for k in keys)
    connection = db.session.connection().connection.driver_connection
    with (
        connection.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
    ):
        for row in rows:
            # JSON columns as SQLAlchemy writes them (None is JSON null: none_as_null off).
            copy.write_row([json.dumps(row[k], default=str) if k in as_json else row[k]
                            for k in keys])  # fmt: skip


def _bulk_update(model, rows: list[dict]) -> None:
    """UPDATE by primary key, many rows per statement (each dict holds "id")."""
    for chunk in _chunks(rows, 1000):
        db.session.execute(update(model), chunk)


@dataclass
class _Writing:
    """One plan being written: its audit sink, the time stamped on its rows, and the
    household ids of the KK numbers its people go to."""

    plan: Plan
    audit: _AuditSink
    today: date
    actor_id: int | None
    now: datetime = field(default_factory=utcnow)
    kk_ids: dict[str, int] = field(default_factory=dict)


def apply(plan: Plan, *, actor, today: date, summary: str) -> None:
    """Make the plan's writes in the current transaction, with their audit entries.

    Rows go in with bulk INSERTs and UPDATEs by primary key (never one statement per
    row, never an ORM object per row); every created or changed record gets an audit
    entry, as the registry's own forms write them. The households touched are rescored
    at the end. Raises on any database error: the caller's transaction then leaves
    nothing behind.
    """
    audit = _AuditSink(actor, summary)
    w = _Writing(plan, audit, today, getattr(actor, "id", None))
    if plan.new_households:
        _write_new_households(w)
    if plan.household_changes:
        _write_household_changes(w)
    wanted_kks = {p["household_kk"] for p in plan.new_persons}
    wanted_kks |= {p["household_kk"] for p in plan.person_changes if p["household_kk"]}
    for kk, found in _households_by_kk(wanted_kks - set(w.kk_ids)).items():
        w.kk_ids[kk] = found["id"]
    if plan.new_persons:
        _write_new_persons(w)
    if plan.person_changes:
        _write_person_changes(w)
    if plan.new_external:
        _write_new_external(w)
    if plan.external_changes:
        _write_external_changes(w)
    audit.flush()
    rescore(plan.touched_households, today)


def _write_new_households(w: _Writing) -> None:
    plan, now = w.plan, w.now
    rows = [
        {
            "kk_number": h["kk_number"],
            "rt": h["rt"],
            "rw": h["rw"],
            "address": h["address"],
            "dusun": h["dusun"],
            "created_at": now,
            "updated_at": now,
            "score": 0,
            "need_level": "tidak_prioritas",
            "aid_types": " ",
        }
        for h in plan.new_households
    ]
    ids = _insert_returning_ids(Household.__table__, rows, unique="kk_number")
    history = []
    for hid, h in zip(ids, plan.new_households, strict=True):
        w.kk_ids[h["kk_number"]] = hid
        plan.touched_households.add(hid)
        history.append(
            {
                "household_id": hid,
                "kk_number": h["kk_number"],
                "valid_from": w.today,
                "valid_to": None,
                "reason": "import",
                "recorded_by_id": w.actor_id,
                "recorded_at": now,
            }
        )
        w.audit.add("create", "household", hid, after=h)
    _insert(KKNumber.__table__, history)


def _write_household_changes(w: _Writing) -> None:
    plan = w.plan
    _bulk_update(
        Household,
        [{"id": hid, **changes, "updated_at": w.now} for hid, changes in
         plan.household_changes.items()],
    )  # fmt: skip
    for hid, changes in plan.household_changes.items():
        w.audit.add(
            "update", "household", hid, before=plan.household_before.get(hid), after=changes
        )


def _write_new_persons(w: _Writing) -> None:
    plan, now = w.plan, w.now
    rows = []
    for p in plan.new_persons:
        hid = w.kk_ids[p["household_kk"]]
        plan.touched_households.add(hid)
        rows.append(
            {
                "nik": p["nik"],
                **{f: p[f] for f in PERSON_COMPARED},
                "name_norm": p["name_norm"],
                "nik_warning": p["nik_warning"],
                "household_id": hid,
                "status_date": None,
                "merged_into_id": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    ids = _insert_returning_ids(Person.__table__, rows, unique="nik")
    memberships = []
    for pid, row in zip(ids, rows, strict=True):
        memberships.append(
            {
                "person_id": pid,
                "household_id": row["household_id"],
                "relation": row["relation"],
                "start_date": w.today,
                "end_date": None,
                "start_reason": "import",
                "end_reason": None,
            }
        )
        after = {f: row[f] for f in ("nik", *PERSON_COMPARED, "household_id")}
        w.audit.add("create", "person", pid, after=after)
    _insert(Membership.__table__, memberships)


def _write_person_changes(w: _Writing) -> None:
    plan = w.plan
    updates, moved, relation_only = [], [], []
    for change in plan.person_changes:
        values = dict(change["changes"])
        target = w.kk_ids.get(change["household_kk"]) if change["household_kk"] else None
        if target is not None:
            values["household_id"] = target
            plan.touched_households.add(target)
            moved.append({"pid": change["id"], "hid": target, "rel": change["relation"]})
        elif "relation" in values:
            relation_only.append({"pid": change["id"], "rel": values["relation"]})
        updates.append({"id": change["id"], **values, "updated_at": w.now})
        before = dict(change["before"])
        if target is not None:
            before["household_id"] = change["old_household_id"]
        after = {k: v for k, v in values.items() if k != "name_norm"}
        w.audit.add(
            "move" if target is not None else "update",
            "person",
            change["id"],
            before=before,
            after=after,
        )
    _bulk_update(Person, updates)
    _update_memberships(moved, relation_only, w.today)


def _update_memberships(moved: list[dict], relation_only: list[dict], today: date) -> None:
    """End the open membership of people who moved and open one in their new household;
    change the relation on the open membership of those who stayed."""
    table = Membership.__table__
    open_row = and_(table.c.person_id == bindparam("pid"), table.c.end_date.is_(None))
    if moved:
        for chunk in _chunks(moved, 1000):
            db.session.execute(
                table.update().where(open_row).values(end_date=today, end_reason="moved_out"),
                chunk,
            )
        _insert(
            table,
            [
                {
                    "person_id": m["pid"],
                    "household_id": m["hid"],
                    "relation": m["rel"],
                    "start_date": today,
                    "end_date": None,
                    "start_reason": "import",
                    "end_reason": None,
                }
                for m in moved
            ],
        )
    for chunk in _chunks(relation_only, 1000):
        db.session.execute(table.update().where(open_row).values(relation=bindparam("rel")),
                           chunk)  # fmt: skip


def _write_new_external(w: _Writing) -> None:
    plan, now = w.plan, w.now
    rows = [{**e, "created_at": now, "updated_at": now} for e in plan.new_external]
    _insert(ExternalEnrolment.__table__, rows)
    # Each (programme, person, household) is new once in a plan, and `now` marks
    # this batch's rows: that finds their ids without one INSERT per row.
    found = {
        (r.programme_code, r.person_id, r.household_id): r.id
        for r in db.session.execute(
            select(
                ExternalEnrolment.id,
                ExternalEnrolment.programme_code,
                ExternalEnrolment.person_id,
                ExternalEnrolment.household_id,
            ).where(ExternalEnrolment.created_at == now)
        )
    }
    ids = [found[(e["programme_code"], e["person_id"], e["household_id"])]
           for e in plan.new_external]  # fmt: skip
    person_ids = [e["person_id"] for e in plan.new_external if e["person_id"] is not None]
    for chunk in _chunks(person_ids):
        plan.touched_households.update(
            hid
            for hid in db.session.scalars(select(Person.household_id).where(Person.id.in_(chunk)))
            if hid is not None
        )
    for eid, e in zip(ids, plan.new_external, strict=True):
        w.audit.add("create", "external_enrolment", eid, after=e)


def _write_external_changes(w: _Writing) -> None:
    plan = w.plan
    _bulk_update(
        ExternalEnrolment,
        [
            {"id": c["id"], "period_end": c["period_end"], "updated_at": w.now}
            for c in plan.external_changes
        ],
    )
    for c in plan.external_changes:
        w.audit.add(
            "update",
            "external_enrolment",
            c["id"],
            before={"period_end": c["before"]},
            after={"period_end": c["period_end"]},
        )
