"""Residents' comments on activities (the results of the plan), moderated as
participation's proposal comments are: only verified residents write and report them,
a report is stored once per person and comment (a UNIQUE key), staff hide a comment
with a reason that is shown in its place."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record
from portal.database import read, write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.monitoring.models import Activity, ActivityComment, ActivityCommentFlag
from portal.monitoring.services.common import MonitoringError
from portal.privacy import mask_name
from portal.roles import EDITORS

MAX_BODY = 2000
NOT_VERIFIED = _l(
    "Only verified residents of the village can take part. Verify your account first."
)


def can_comment(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.role == "resident" and user.is_verified
    )


def _require_verified(user) -> None:
    if not can_comment(user):
        raise MonitoringError(NOT_VERIFIED)


def add_comment(activity_id: int, user, body: str | None) -> ActivityComment:
    _require_verified(user)
    body = (body or "").strip()
    if not body:
        raise MonitoringError(_l("Please fill in this field."), "body")
    if len(body) > MAX_BODY:
        raise MonitoringError(_l("At most %(n)d characters.", n=MAX_BODY), "body")
    if db.session.get(Activity, activity_id) is None:
        raise MonitoringError(_l("No such activity."))
    with write_transaction(db.session):
        comment = ActivityComment(
            activity_id=activity_id,
            author_id=user.id,
            author_label=mask_name(user.name),
            body=body,
            flags_count=0,
        )
        db.session.add(comment)
        db.session.flush()
        record("add_comment", "monitoring_comment", comment.id, actor=user)
    return comment


def _comment(comment_id: int) -> ActivityComment:
    comment = db.session.get(ActivityComment, comment_id)
    if comment is None:
        raise MonitoringError(_l("No such comment."))
    return comment


def flag_comment(comment_id: int, user) -> bool:
    """A resident reports a comment, once; False if they already did."""
    _require_verified(user)
    _comment(comment_id)
    try:
        with write_transaction(db.session):
            db.session.add(ActivityCommentFlag(comment_id=comment_id, user_id=user.id))
            db.session.flush()
            db.session.execute(
                update(ActivityComment)
                .where(ActivityComment.id == comment_id)
                .values(flags_count=ActivityComment.flags_count + 1)
            )
            record("flag_comment", "monitoring_comment", comment_id, actor=user)
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def hide_comment(comment_id: int, actor, reason: str | None) -> ActivityComment:
    """Staff hide a comment; the reason is shown in place of its text."""
    if getattr(actor, "role", None) not in EDITORS:
        raise MonitoringError(_l("Only the village office may change the plan."))
    reason = (reason or "").strip()
    if not reason:
        raise MonitoringError(_l("Give the reason, it is shown in place of the text."), "reason")
    comment = _comment(comment_id)
    with write_transaction(db.session):
        comment.hidden_at = utcnow()
        comment.hidden_reason = reason[:300]
        comment.hidden_by_id = actor.id
        record("hide_comment", "monitoring_comment", comment_id, actor=actor, summary=reason[:200])
    return comment


def unhide_comment(comment_id: int, actor) -> ActivityComment:
    """Staff show a hidden comment again (a hiding by mistake, or after a review); the
    hiding and its undoing both stay in the audit log."""
    if getattr(actor, "role", None) not in EDITORS:
        raise MonitoringError(_l("Only the village office may change the plan."))
    comment = _comment(comment_id)
    if comment.hidden_at is None:
        raise MonitoringError(_l("This comment is not hidden."))
    with write_transaction(db.session):
        reason = comment.hidden_reason
        comment.hidden_at = None
        comment.hidden_reason = None
        comment.hidden_by_id = None
        record(
            "unhide_comment",
            "monitoring_comment",
            comment_id,
            actor=actor,
            summary=(reason or "")[:200],
        )
    return comment


@cache  # built once per process (the activity page asks on every request)
def _comments_statement():
    return (
        select(ActivityComment)
        .where(ActivityComment.activity_id == bindparam("activity_id"))
        .order_by(ActivityComment.id)
    )


def comments_for(activity_id: int) -> list[ActivityComment]:
    """An activity's comments, oldest first (hidden ones show only their reason)."""
    return list(db.session.scalars(_comments_statement(), {"activity_id": activity_id}))


@cache  # built once (the moderation page asks on every request); the limit bound
def _moderation_statements():
    c = ActivityComment
    columns = (
        c.id,
        c.activity_id,
        c.author_label,
        c.body,
        c.flags_count,
        c.created_at,
        c.hidden_at,
        c.hidden_reason,
    )
    limit = bindparam("limit")
    shown = (
        select(*columns)
        .where(c.hidden_at.is_(None))
        .order_by(c.flags_count.desc(), c.id.desc())
        .limit(limit)
    )
    hidden = (
        select(*columns)
        .where(c.hidden_at.is_not(None))
        .order_by(c.hidden_at.desc(), c.id.desc())
        .limit(limit)
    )
    return shown, hidden


def comments_to_moderate(limit: int = 200) -> tuple[list, list]:
    """The visible comments, the most reported first, then the newest; and the hidden
    ones, the latest hidden first (staff may show one again): plain rows of the columns
    the moderation page shows (id, activity_id, author_label, body, flags_count,
    created_at, hidden_at, hidden_reason), read past the ORM (database.read)."""
    session = db.session()  # the session itself, found once for both statements
    shown, hidden = _moderation_statements()
    values = {"limit": limit}
    return read(session, shown, values).all(), read(session, hidden, values).all()
