"""Staff: the village's needs."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.services import record
from portal.csr.models import NEED_KINDS, Need
from portal.csr.services.common import MAX_AMOUNT, STAFF_EDITORS, CsrError
from portal.csr.services.pledges import _require_role
from portal.extensions import db
from portal.i18n import lazy_gettext as _l

NEED_FIELDS = (
    "kind",
    "title_id",
    "title_en",
    "description_id",
    "description_en",
    "unit_id",
    "unit_en",
    "target",
    "programme_id",
    "ballot_id",
    "priority_id",
    "priority_en",
    "deadline",
    "rank",
    "is_open",
)

OPTIONAL_TEXTS = {"title_en", "description_en", "unit_id", "unit_en", "priority_id", "priority_en"}


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def save_need(need: Need | None, data: dict, *, actor: User) -> Need:
    """Create (need=None) or update a need from plain values; drafts until published."""
    _require_role(actor, STAFF_EDITORS)
    if data.get("kind") not in NEED_KINDS:
        raise CsrError(_l("Choose a kind."), "kind")
    target = data.get("target")
    if not isinstance(target, int) or not 0 < target <= MAX_AMOUNT:
        raise CsrError(_l("Enter a target greater than zero."), "target")
    creating = need is None
    if creating:
        need = Need(created_by_id=actor.id)
        db.session.add(need)
    before = None if creating else {f: _plain(getattr(need, f)) for f in NEED_FIELDS}
    for name in NEED_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str):
            # Empty optional texts are stored as "none", so the fallback note shows.
            value = value.strip() or (None if name in OPTIONAL_TEXTS else "")
        setattr(need, name, value)
    db.session.flush()
    record(
        "create" if creating else "update",
        "csr_need",
        need.id,
        actor=actor,
        before=before,
        after={f: _plain(getattr(need, f)) for f in NEED_FIELDS},
    )
    db.session.commit()
    return need


def set_need_published(need: Need, value: bool, *, actor: User) -> None:
    """Show a need on the board, or take it off (its pledges stay)."""
    _require_role(actor, STAFF_EDITORS)
    was = need.published
    need.set_published(value)
    if was != value:
        record("publish" if value else "unpublish", "csr_need", need.id, actor=actor)
    db.session.commit()


def list_needs() -> list[Need]:
    """Every need, published or not, by rank (staff pages)."""
    return list(db.session.scalars(select(Need).order_by(Need.rank, Need.id).limit(1000)))


def need_titles() -> list[tuple[int, str]]:
    """(id, Indonesian title) of every need, as `list_needs` orders them (the choices of
    the staff's "accept this offer" form): two columns, not every need as an object."""
    rows = db.session.execute(
        select(Need.id, Need.title_id).order_by(Need.rank, Need.id).limit(1000)
    )
    return [(row.id, row.title_id) for row in rows]
