"""write_transaction(): one owner per transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.database import write_transaction
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
