"""Handovers recorded offline, sent in batches when the phone is back online.

Each record carries the id the phone made for it (`client_id`, UNIQUE on handovers
and on conflicts): a batch sent twice stores each handover once. A record for an
entitlement that was collected meanwhile (at another phone, or online) is kept as a
`SyncConflict` for a person to decide, never merged by itself nor dropped. A record
that cannot be a handover (unknown code, more than due) is answered with its message
and nothing is written for it; the rest of the batch goes on.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import uploads
from portal.audit.services import record
from portal.database import write_transaction
from portal.distribution.models import (
    CONFLICT_STATUSES,
    Entitlement,
    EntitlementLine,
    Handover,
    HandoverVoid,
    SyncConflict,
)
from portal.distribution.services import handover as handovers
from portal.distribution.services.common import DistributionError, clean
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.numbers import db_int

MAX_BATCH = 1000
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class Outcome:
    client_id: str
    outcome: str  # stored, duplicate, conflict, error
    message: object = ""  # a lazy message, made text for the reader's language

    def as_dict(self) -> dict:
        return {"client_id": self.client_id, "outcome": self.outcome, "message": str(self.message)}


def _when(text) -> datetime | None:
    try:
        value = datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return db_int(value)
    if isinstance(value, str) and value.isdigit():
        return db_int(value)
    return None


def _letter(value) -> uploads.CleanImage | None:
    if not value:
        return None
    data = str(value).split(",", 1)[-1]
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise DistributionError(
            _l("The power of attorney is not a picture."), "proxy_letter"
        ) from None
    return uploads.clean_document(raw, max_side=uploads.PHOTO_SIZE, limit=uploads.DEFAULT_MAX_BYTES)


def given_of(item: dict, client_id: str) -> handovers.Given:
    lines = item.get("lines") or {}
    if not isinstance(lines, dict):
        raise DistributionError(_l("Enter how much was handed over."), "lines")
    quantities = {}
    for key, value in lines.items():
        item_id, quantity = _int(key), _int(value)
        if item_id is None or (value is not None and quantity is None):
            raise DistributionError(_l("Enter how much was handed over."), "lines")
        quantities[item_id] = quantity
    return handovers.Given(
        collected_by=str(item.get("collected_by") or ""),
        quantities=quantities,
        cash_paid=_int(item.get("cash_paid")) if item.get("cash_paid") is not None else None,
        partial_reason=str(item.get("partial_reason") or ""),
        proxy_name=str(item.get("proxy_name") or ""),
        proxy_relation=str(item.get("proxy_relation") or ""),
        proxy_letter=_letter(item.get("proxy_letter")),
        handed_at=_when(item.get("handed_at")),
        client_id=client_id,
    )


def _entitlements(round_id: int, batch: list[dict]) -> dict[int, Entitlement]:
    ids = {i for i in (_int(item.get("entitlement_id")) for item in batch) if i is not None}
    found = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 500):
        query = (
            select(Entitlement)
            .where(Entitlement.id.in_(id_list[start : start + 500]))
            .options(selectinload(Entitlement.lines).selectinload(EntitlementLine.item))
            .execution_options(populate_existing=True)
        )
        found.update({e.id: e for e in db.session.scalars(query)})
    return found


def _seen(client_ids: list[str]) -> set[str]:
    seen: set[str] = set()
    for start in range(0, len(client_ids), 500):
        chunk = client_ids[start : start + 500]
        seen.update(
            db.session.scalars(select(Handover.client_id).where(Handover.client_id.in_(chunk)))
        )
        seen.update(
            db.session.scalars(
                select(SyncConflict.client_id).where(SyncConflict.client_id.in_(chunk))
            )
        )
    return seen


def _conflict(entitlement: Entitlement, point_id: int, item: dict, given, actor) -> None:
    payload = {k: v for k, v in item.items() if k != "proxy_letter"}
    conflict = SyncConflict(
        round_id=entitlement.round_id,
        entitlement_id=entitlement.id,
        point_id=point_id,
        client_id=given.client_id,
        payload=payload,
        handed_at=min(given.handed_at or utcnow(), utcnow()),
        officer_id=actor.id,
    )
    db.session.add(conflict)
    db.session.flush()
    record(
        "sync_conflict",
        "distribution_entitlement",
        entitlement.id,
        actor=actor,
        after={"client_id": given.client_id, "conflict_id": conflict.id},
    )


def _one(round_id, point_id, item, entitlements, actor) -> Outcome:
    client_id = item["client_id"]
    entitlement = entitlements.get(_int(item.get("entitlement_id")) or 0)
    try:
        entitlement = handovers._check_place(entitlement, round_id, point_id)
        given = given_of(item, client_id)
        refusal = handovers.refusal_for(entitlement)
        if isinstance(refusal, handovers.AlreadyCollected):
            with db.session.begin_nested():
                _conflict(entitlement, point_id, item, given, actor)
            return Outcome(client_id, "conflict", refusal.message)
        quantities, partial = handovers.check(entitlement, given)
        stored = handovers._store_files(given)
        try:
            with db.session.begin_nested():
                handovers.write(entitlement, point_id, given, quantities, partial, actor)
        except IntegrityError:
            for name in stored:
                uploads.remove(handovers.upload_dir(), name)
            if db.session.scalar(select(Handover.id).where(Handover.client_id == client_id)):
                return Outcome(client_id, "duplicate")
            with db.session.begin_nested():
                _conflict(entitlement, point_id, item, given, actor)
            return Outcome(client_id, "conflict", _l("Already collected."))
        return Outcome(client_id, "stored")
    except (DistributionError, uploads.UploadError) as error:
        return Outcome(client_id, "error", error.message)


def _classify(round_id, point_id, item, entitlements, collected, actor):
    """An Outcome for a record that is not stored as a handover (error, conflict), or
    the checked values to store."""
    client_id = item["client_id"]
    entitlement = entitlements.get(_int(item.get("entitlement_id")) or 0)
    try:
        entitlement = handovers._check_place(entitlement, round_id, point_id)
        given = given_of(item, client_id)
        if entitlement.id in collected:
            with db.session.begin_nested():
                _conflict(entitlement, point_id, item, given, actor)
            return Outcome(client_id, "conflict", _l("Already collected.")), None
        if entitlement.round.status not in handovers.HANDING_OUT or entitlement.status != "due":
            refusal = handovers.refusal_for(entitlement)
            if isinstance(refusal, handovers.AlreadyCollected):
                with db.session.begin_nested():
                    _conflict(entitlement, point_id, item, given, actor)
                return Outcome(client_id, "conflict", refusal.message), None
            if refusal is not None:
                raise refusal
        handovers._check_collector(entitlement, given)
        quantities, partial = handovers._check_quantities(entitlement, given)
        handovers._store_files(given)  # a proxy's letter sent with the record
    except (DistributionError, uploads.UploadError) as error:
        return Outcome(client_id, "error", error.message), None
    collected.add(entitlement.id)
    return Outcome(client_id, "stored"), (entitlement, given, quantities, partial)


def _live(entitlement_ids) -> set[int]:
    """Which of these entitlements have a live handover (one query per 500)."""
    ids = sorted(entitlement_ids)
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(
            db.session.scalars(
                select(Handover.entitlement_id)
                .outerjoin(HandoverVoid, HandoverVoid.handover_id == Handover.id)
                .where(Handover.entitlement_id.in_(chunk), HandoverVoid.id.is_(None))
            )
        )
    return found


def sync_batch(round_id: int, point_id: int, batch, *, actor) -> list[Outcome]:
    """Store a batch of offline handovers of one point; one outcome per record.

    The batch is checked record by record, then its handovers are written together
    (a few statements for the whole batch). Should the database refuse that write
    (another phone's handover of the same household committed meanwhile), each record
    is written alone in its own savepoint instead, and the refused ones become
    conflicts."""
    if handovers.point_of(round_id, point_id) is None:
        raise DistributionError(_l("Choose one of this round's points."), "point_id")
    if not isinstance(batch, list) or len(batch) > MAX_BATCH:
        raise DistributionError(_l("The batch is not a list of handovers."))
    outcomes: dict[int, Outcome] = {}
    todo = []
    for n, item in enumerate(batch):
        client_id = item.get("client_id") if isinstance(item, dict) else None
        if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
            outcomes[n] = Outcome(str(client_id)[:64], "error", _l("No record id."))
        else:
            todo.append((n, item))
    with write_transaction(db.session):
        seen = _seen([item["client_id"] for _n, item in todo])
        entitlements = _entitlements(round_id, [item for _n, item in todo])
        collected = _live(entitlements)
        to_write = []
        for n, item in todo:
            if item["client_id"] in seen:
                outcomes[n] = Outcome(item["client_id"], "duplicate")
                continue
            seen.add(item["client_id"])
            outcomes[n], checked = _classify(
                round_id, point_id, item, entitlements, collected, actor
            )
            if checked is not None:
                to_write.append((n, item, checked))
        db.session.flush()
        try:
            with db.session.begin_nested():
                handovers.write_many([checked for _n, _i, checked in to_write], point_id, actor)
        except IntegrityError:
            for n, item, _checked in to_write:
                outcomes[n] = _one(round_id, point_id, item, entitlements, actor)
    db.session.expire_all()
    return [outcomes[n] for n in sorted(outcomes)]


# --- conflicts, decided by a person -----------------------------------------------------


def conflicts(status: str | None = "open") -> list[SyncConflict]:
    query = select(SyncConflict).order_by(SyncConflict.received_at.desc())
    if status:
        query = query.where(SyncConflict.status == status)
    return list(db.session.scalars(query.limit(500)))


def decide_conflict(conflict_id: int, *, outcome: str, note: str, actor) -> SyncConflict:
    """Reject the offline record (the household was served once: it was a mistake), or
    accept it: recorded as the handover, possible only once the other handover has been
    voided (a void is the one correction)."""
    if outcome not in ("accepted", "rejected") or outcome not in CONFLICT_STATUSES:
        raise DistributionError(_l("Choose a decision."), "outcome")
    note = clean(note)
    if not note:
        raise DistributionError(_l("Write why you decided so."), "note")
    with write_transaction(db.session):
        conflict = db.session.get(SyncConflict, conflict_id, populate_existing=True)
        if conflict is None or conflict.status != "open":
            raise DistributionError(_l("This conflict was already decided."))
        if outcome == "accepted":
            entitlement = db.session.get(Entitlement, conflict.entitlement_id)
            given = given_of(conflict.payload, conflict.client_id)
            given.handed_at = conflict.handed_at
            if given.collected_by == "proxy":
                raise DistributionError(
                    _l("A proxy's handover needs the letter: record it at the point."), "outcome"
                )
            quantities, partial = handovers.check(entitlement, given)
            handovers.write(
                entitlement,
                conflict.point_id,
                given,
                quantities,
                partial,
                actor,
                officer_id=conflict.officer_id,
            )
        actor_id = actor.id  # read before the change (a lazy load would flush half of it)
        conflict.decided_by_id = actor_id
        conflict.decided_at = utcnow()
        conflict.decision_note = note
        conflict.status = outcome
        record(
            "decide_conflict",
            "distribution_entitlement",
            conflict.entitlement_id,
            actor=actor,
            summary=note,
            after={"conflict_id": conflict.id, "outcome": outcome},
        )
    return conflict
