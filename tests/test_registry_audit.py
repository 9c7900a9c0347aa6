"""The audit log is append-only in the database itself: UPDATE and DELETE fail.

Runs on SQLite, and on PostgreSQL with PORTAL_TEST_ENGINE=postgresql.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from portal.audit.models import AuditEntry
from portal.audit.services import record
from portal.extensions import db


@pytest.fixture
def entry(app):
    item = record("view", "household", 1, summary="opened household 1")
    db.session.commit()
    return item


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET action = 'nothing' WHERE id = :id",
        "UPDATE audit_entry SET before = NULL, after = NULL",
        "DELETE FROM audit_entry WHERE id = :id",
        "DELETE FROM audit_entry",
    ],
)
def test_update_and_delete_fail_in_the_database(entry, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement), {"id": entry.id})
    db.session.rollback()
    kept = db.session.scalars(select(AuditEntry)).all()
    assert [(e.id, e.action) for e in kept] == [(entry.id, "view")]


def test_orm_changes_fail_too(entry):
    entry.summary = "rewritten"
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry.summary)) == "opened household 1"


def test_appending_still_works(entry):
    record("update", "household", 1)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 2
