"""Proposals: supports (once each), comments, flags and moderation."""

from __future__ import annotations

from functools import cache

from flask import current_app
from sqlalchemy import bindparam, func, select, update

from portal.accounts.models import User
from portal.audit.services import record
from portal.database import read, write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.participation.models import (
    PROPOSAL_CATEGORIES,
    ContentFlag,
    Proposal,
    ProposalComment,
    ProposalSupport,
    Survey,
)
from portal.participation.services.common import (
    PAGE_SIZE,
    ParticipationError,
    _insert,
    _require_verified,
    area_for,
    owns_transaction,
)
from portal.privacy import mask_name
from portal.public.services import next_meeting
from portal.row_pages import counted_page


@owns_transaction
def create_proposal(user: User, data: dict) -> Proposal:
    """A verified resident's proposal; RT/RW default to their household's."""
    _require_verified(user)
    if data.get("category") not in PROPOSAL_CATEGORIES:
        raise ParticipationError(_l("Choose a category."), "category")
    _household, rt, rw = area_for(user)
    proposal = Proposal(
        author_id=user.id,
        author_label=mask_name(user.name),
        title=data["title"].strip(),
        description=data["description"].strip(),
        category=data["category"],
        rt=data.get("rt") or rt,
        rw=data.get("rw") or rw,
        supports_count=0,
        comments_count=0,
        flags_count=0,
    )
    db.session.add(proposal)
    db.session.commit()
    return proposal


def support_threshold() -> int:
    return int(current_app.config.get("PROPOSAL_SUPPORT_THRESHOLD", 10))


ALREADY_SUPPORTED = _l("You already support this proposal.")


@owns_transaction
def support(proposal_id: int, user: User) -> Proposal:
    """Support a proposal, once per resident (unique constraint). A proposal that
    reaches the threshold goes onto the next village meeting's agenda."""
    _require_verified(user)
    with write_transaction(db.session) as session:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None or proposal.is_hidden:
            raise ParticipationError(_l("No such proposal."))
        stmt = (
            _insert(session)(ProposalSupport)
            .values(proposal_id=proposal_id, user_id=user.id, created_at=utcnow())
            .on_conflict_do_nothing()
            .returning(ProposalSupport.id)
        )
        if session.execute(stmt).scalar() is None:
            raise ParticipationError(ALREADY_SUPPORTED)
        count = session.execute(
            update(Proposal)
            .where(Proposal.id == proposal_id)
            .values(supports_count=Proposal.supports_count + 1)
            .returning(Proposal.supports_count)
        ).scalar_one()
        if count >= support_threshold():
            meeting = next_meeting()
            if meeting is not None:
                session.execute(
                    update(Proposal)
                    .where(Proposal.id == proposal_id, Proposal.meeting_id.is_(None))
                    .values(meeting_id=meeting.id, scheduled_at=utcnow())
                )
    _bump_public_cache()
    db.session.expire_all()
    return db.session.get(Proposal, proposal_id)


def has_supported(proposal: Proposal, user: User) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            select(ProposalSupport.id).where(
                ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == user.id
            )
        )
        is not None
    )


def proposal_with_support(proposal_id: int, user: User) -> tuple[Proposal, bool] | None:
    """The proposal and whether this account supports it (`has_supported`), in one
    statement; None when there is no such proposal."""
    params = {"proposal_id": proposal_id, "user_id": user.id}
    row = db.session.execute(_with_support_statement(), params).first()
    return None if row is None else (row[0], bool(row[1]))


@cache  # built once per process (with its cache key); the ids bound
def _with_support_statement():
    supported = (
        select(ProposalSupport.id)
        .where(
            ProposalSupport.proposal_id == Proposal.id,
            ProposalSupport.user_id == bindparam("user_id"),
        )
        .exists()
    )
    return select(Proposal, supported).where(Proposal.id == bindparam("proposal_id"))


def _bump_public_cache() -> None:
    # The meeting page (cached for anonymous visitors) lists scheduled proposals.
    from portal import cache

    if current_app.extensions.get(cache.EXTENSION) is not None:
        try:
            cache.bump_generation(current_app.instance_path)
        except OSError:
            current_app.logger.warning("participation: cannot tell the page cache")


@owns_transaction
def add_comment(proposal_id: int, user: User, body: str) -> ProposalComment:
    _require_verified(user)
    body = (body or "").strip()
    if not body:
        raise ParticipationError(_l("Please fill in this field."), "body")
    with write_transaction(db.session) as session:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None or proposal.is_hidden:
            raise ParticipationError(_l("No such proposal."))
        comment = ProposalComment(
            proposal_id=proposal_id,
            author_id=user.id,
            author_label=mask_name(user.name),
            body=body,
            flags_count=0,
        )
        session.add(comment)
        session.execute(
            update(Proposal)
            .where(Proposal.id == proposal_id)
            .values(comments_count=Proposal.comments_count + 1)
        )
    return comment


def _target(kind: str, target_id: int):
    model = {"proposal": Proposal, "comment": ProposalComment}.get(kind)
    item = db.session.get(model, target_id) if model else None
    if item is None:
        raise ParticipationError(_l("Nothing to report there."))
    return model, item


@owns_transaction
def flag(kind: str, target_id: int, user: User, reason: str = "") -> bool:
    """A resident reports abusive content, once per item; False if they already did."""
    _require_verified(user)
    model, _item = _target(kind, target_id)
    with write_transaction(db.session) as session:
        stmt = (
            _insert(session)(ContentFlag)
            .values(
                kind=kind,
                target_id=target_id,
                user_id=user.id,
                reason=(reason or "")[:300],
                created_at=utcnow(),
            )
            .on_conflict_do_nothing()
            .returning(ContentFlag.id)
        )
        if session.execute(stmt).scalar() is None:
            return False
        session.execute(
            update(model).where(model.id == target_id).values(flags_count=model.flags_count + 1)
        )
    return True


@owns_transaction
def hide(kind: str, target_id: int, actor: User, reason: str) -> None:
    """An operator hides abusive content; the reason is shown in its place."""
    reason = (reason or "").strip()
    if not reason:
        raise ParticipationError(_l("Give the reason, it is shown in place of the text."), "reason")
    _model, item = _target(kind, target_id)
    item.hidden_at = utcnow()
    item.hidden_reason = reason[:300]
    item.hidden_by_id = actor.id
    record(f"{kind}.hide", kind, target_id, actor=actor, summary=reason[:200])
    db.session.commit()
    _bump_public_cache()


@owns_transaction
def unhide(kind: str, target_id: int, actor: User) -> None:
    _model, item = _target(kind, target_id)
    item.hidden_at = item.hidden_reason = item.hidden_by_id = None
    record(f"{kind}.unhide", kind, target_id, actor=actor)
    db.session.commit()
    _bump_public_cache()


SORTS = ("support", "new")


def proposals_page(page: int = 1, sort: str = "support", category: str | None = None):
    """One page of visible proposals; counts come from the counter columns (no per-row
    queries). A Pagination (portal.row_pages.counted_page) of plain rows with the
    columns the list shows (id, title, category, rt, rw, supports_count,
    comments_count, meeting_id), read with their total in one statement."""
    chosen = category if category in PROPOSAL_CATEGORIES else None
    values = {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    if chosen is not None:
        values["category"] = chosen
    rows = read(db.session, _proposals_statement(sort, chosen is not None), values).all()
    total = rows[0].total if rows else _count_proposals(chosen) if page > 1 else 0
    return counted_page(rows, total, page=page, per_page=PAGE_SIZE)


def _count_proposals(category: str | None) -> int:
    """The visible proposals (of `category`): only a page past the end asks."""
    stmt = select(func.count()).select_from(Proposal).where(Proposal.hidden_at.is_(None))
    if category is not None:
        stmt = stmt.where(Proposal.category == category)
    return db.session.scalar(stmt)


@cache  # built once per process for each order and with or without a category
def _proposals_statement(sort: str, by_category: bool):
    stmt = select(
        Proposal.id,
        Proposal.title,
        Proposal.category,
        Proposal.rt,
        Proposal.rw,
        Proposal.supports_count,
        Proposal.comments_count,
        Proposal.meeting_id,
        func.count().over().label("total"),
    ).where(Proposal.hidden_at.is_(None))
    if by_category:
        stmt = stmt.where(Proposal.category == bindparam("category"))
    if sort == "new":
        stmt = stmt.order_by(Proposal.created_at.desc(), Proposal.id.desc())
    else:
        stmt = stmt.order_by(Proposal.supports_count.desc(), Proposal.id.desc())
    return stmt.limit(bindparam("limit")).offset(bindparam("offset"))


def most_supported(limit: int = 5) -> list[Proposal]:
    """The first visible proposals of `proposals_page(1, "support")`, without its count."""
    return list(db.session.scalars(_most_supported_statement(), {"limit": limit}))


@cache  # built once per process (with its cache key)
def _most_supported_statement():
    return (
        select(Proposal)
        .where(Proposal.hidden_at.is_(None))
        .order_by(Proposal.supports_count.desc(), Proposal.id.desc())
        .limit(bindparam("limit"))
    )


def comments_for(proposal: Proposal) -> list[ProposalComment]:
    return list(db.session.scalars(_comments_statement(), {"proposal_id": proposal.id}))


@cache  # built once per process (with its cache key); the proposal bound
def _comments_statement():
    return (
        select(ProposalComment)
        .where(ProposalComment.proposal_id == bindparam("proposal_id"))
        .order_by(ProposalComment.created_at, ProposalComment.id)
    )


def flagged() -> tuple[list[Proposal], list[ProposalComment]]:
    """Reported items, most reported first, for the operators' queue."""
    proposals = list(
        db.session.scalars(
            select(Proposal).where(Proposal.flags_count > 0).order_by(Proposal.flags_count.desc())
        )
    )
    comments = list(
        db.session.scalars(
            select(ProposalComment)
            .where(ProposalComment.flags_count > 0)
            .order_by(ProposalComment.flags_count.desc())
        )
    )
    return proposals, comments


def flagged_count() -> int:
    """How many reported items are still shown (the operators' queue, `flagged`, less
    the hidden ones): one statement."""
    return db.session.scalar(_flagged_count_statement())


@cache  # built once per process (with its cache key)
def _flagged_count_statement():
    counts = [
        select(func.count())
        .select_from(model)
        .where(model.flags_count > 0, model.hidden_at.is_(None))
        .scalar_subquery()
        for model in (Proposal, ProposalComment)
    ]
    return select(counts[0] + counts[1])


def meeting_proposals(meeting_id: int) -> list:
    """Proposals put on a meeting's agenda, by their supports: plain rows of what the
    meeting page shows (id, title, supports_count)."""
    return db.session.execute(_meeting_proposals_statement(), {"meeting_id": meeting_id}).all()


@cache  # built once per process (with its cache key)
def _meeting_proposals_statement():
    return (
        select(Proposal.id, Proposal.title, Proposal.supports_count)
        .where(Proposal.meeting_id == bindparam("meeting_id"), Proposal.hidden_at.is_(None))
        .order_by(Proposal.supports_count.desc())
    )


def open_surveys() -> list[Survey]:
    return list(db.session.scalars(_surveys_statements()[0]))


def surveys() -> list[Survey]:
    return list(db.session.scalars(_surveys_statements()[1]))


def survey_rows() -> list:
    """`surveys()` as plain rows of what the staff list shows (id, title_id, status,
    responses_count), newest first: one statement built once, past the ORM."""
    return read(db.session, _survey_rows_statement()).all()


@cache  # built once per process (with its cache key)
def _survey_rows_statement():
    return select(Survey.id, Survey.title_id, Survey.status, Survey.responses_count).order_by(
        Survey.id.desc()
    )


@cache  # built once per process (with their cache keys)
def _surveys_statements():
    return (
        select(Survey).where(Survey.status == "open"),
        select(Survey).order_by(Survey.id.desc()),
    )
