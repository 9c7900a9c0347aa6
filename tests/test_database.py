"""write_transaction(): one owner per transaction; read(): plain rows past the ORM."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.database import read, write_transaction
from portal.extensions import db
from portal.public.models import Partner


def _partners() -> int:
    return db.session.scalar(select(func.count()).select_from(Partner))


def test_write_transaction_refuses_a_session_with_unsaved_changes(app):
    db.session.add(Partner(name="Koperasi Tani", kind="institution"))
    with pytest.raises(RuntimeError, match="unsaved changes"), write_transaction(db.session):
        pass
    db.session.rollback()
    assert _partners() == 0  # the stray change was not committed by the block


def test_write_transaction_commits_its_block_and_rolls_back_on_error(app):
    with write_transaction(db.session):
        db.session.add(Partner(name="Koperasi Tani", kind="institution"))
    with pytest.raises(ValueError), write_transaction(db.session):
        db.session.add(Partner(name="Toko Sembako", kind="company"))
        raise ValueError("refused")
    assert _partners() == 1


def test_read_sees_what_the_session_would_and_names_columns_alike(app):
    """read() flushes pending changes first (as session.execute does) and its rows are
    the session's: the same tuples, by position and by the mapped attribute's name."""
    db.session.add(Partner(name="Koperasi Tani", kind="institution"))
    statement = select(Partner.id, Partner.name, Partner.kind).order_by(Partner.id)
    plain = read(db.session, statement).all()
    assert [tuple(r) for r in plain] == [tuple(r) for r in db.session.execute(statement)]
    assert [(r.name, r.kind) for r in plain] == [("Koperasi Tani", "institution")]
    counted = read(db.session, select(func.count()).select_from(Partner)).scalar_one()
    assert counted == 1
    db.session.rollback()
    assert read(db.session, statement).all() == []
