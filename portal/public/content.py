"""Services behind staff editing: save a form into a content item, publish, list.

Each change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import functools

from flask import abort
from flask_babel import to_user_timezone, to_utc
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record
from portal.database import read
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import as_utc
from portal.programmes.models import Programme
from portal.public.models import Announcement, Meeting, Partner

ORDER = {
    Announcement: (Announcement.published_at.desc().nulls_first(), Announcement.id.desc()),
    Programme: (Programme.name_id,),
    Meeting: (Meeting.starts_at.desc(),),
    Partner: (Partner.name,),
}


def list_items(model, label_field: str) -> list:
    """The staff list of one kind: plain rows of id, `label_field` and published (what
    the list shows), in the kind's order; the statement built once per kind."""
    return db.session.execute(_list_statement(model, label_field)).all()


@functools.cache
def _list_statement(model, label_field: str):
    columns = (model.id, getattr(model, label_field), model.published)
    return select(*columns).order_by(*ORDER[model]).limit(500)


def counts(kinds) -> dict[str, tuple[int, int]]:
    """(all, published) for each kind of content, for the staff dashboard: one
    statement for all kinds, built once."""
    row = db.session.execute(_counts_statement(tuple(spec.model for spec in kinds.values())))
    numbers = row.one()
    return {key: (numbers[2 * i], numbers[2 * i + 1]) for i, key in enumerate(kinds)}


@functools.cache
def _counts_statement(models: tuple):
    columns = []
    for model in models:
        columns.append(select(func.count()).select_from(model).scalar_subquery())
        published = select(func.count()).select_from(model).where(model.published.is_(True))
        columns.append(published.scalar_subquery())
    return select(*columns)


def get(model, item_id: int):
    item = db.session.get(model, item_id)
    if item is None:
        abort(404)
    return item


def get_row(model, item_id: int):
    """What the edit page of an item shows (a GET): its columns as a plain row, by the
    names of the model's attributes, from a statement built once per kind."""
    row = read(db.session, _row_statement(model), {"item_id": item_id}).first()
    if row is None:
        abort(404)
    return row


@functools.cache
def _row_statement(model):
    return select(*model.__table__.c).where(model.__table__.c.id == bindparam("item_id"))


@functools.cache
def rows_fill(model, form_class) -> bool:
    """Whether a plain row of `model` holds every field of `form_class` (what the form
    reads from an item): then get_row's row fills it as the item would."""
    fields = form_class(meta={"csrf": False})._fields
    return all(name in model.__table__.c for name in fields)


def form_overrides(item, model=None) -> dict:
    """Form values that differ from the stored ones: UTC times shown in village time
    (`model` the item's, for a plain row)."""
    if (model or type(item)) is Meeting and item.starts_at is not None:
        return {"starts_at": to_user_timezone(as_utc(item.starts_at)).replace(tzinfo=None)}
    return {}


def _fields(form) -> list[str]:
    return [name for name in form.data if name not in ("csrf_token", "submit")]


def save(model, item, form, *, actor):
    """Create or update `item` from a validated form. Returns (item, field errors)."""
    creating = item is None
    if creating:
        item = model()
        if isinstance(item, Announcement):
            item.author_id = actor.id
    fields = _fields(form)
    before = None if creating else {f: _plain(getattr(item, f)) for f in fields}
    for name in fields:
        value = form.data[name]
        if isinstance(value, str):
            value = value.strip() or (None if name.endswith("_en") else value.strip())
        if name == "starts_at" and value is not None:
            value = to_utc(value)
        setattr(item, name, value)
    if creating:
        db.session.add(item)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        if model is Programme:
            return item, {"slug": _l("Another programme already uses this address.")}
        raise
    record(
        "create" if creating else "update",
        model.__tablename__,
        item.id,
        actor=actor,
        before=before,
        after={f: _plain(getattr(item, f)) for f in fields},
    )
    db.session.commit()
    return item, {}


def set_published(item, value: bool, *, actor) -> None:
    was = item.published
    item.set_published(value)
    if was != value:
        record("publish" if value else "unpublish", type(item).__tablename__, item.id, actor=actor)
    db.session.commit()


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
