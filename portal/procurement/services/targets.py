"""What a purchase is for: a distribution round (its points and items) or a CSR need.

Distribution offers no read-only query module yet and its package is being built in
parallel, so the few columns read here come from the tables' metadata (no import of
distribution's models); CSR needs come through `portal.csr.queries`. When distribution
gains a `queries` module, these functions move there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.csr import queries as csr_queries
from portal.extensions import db

OPEN_ROUNDS = ("draft", "approved", "open", "closed")


def _table(name: str):
    return db.metadata.tables[name]


@dataclass(frozen=True)
class RoundRow:
    id: int
    title_id: str
    title_en: str | None
    starts_on: object
    status: str

    def title(self, lang: str) -> str:
        return (self.title_en if lang == "en" and self.title_en else self.title_id) or ""


def rounds(statuses=None) -> list[RoundRow]:
    """Distribution rounds, latest first (optionally of some statuses)."""
    t = _table("distribution_round")
    stmt = select(t.c.id, t.c.title_id, t.c.title_en, t.c.starts_on, t.c.status).order_by(
        t.c.starts_on.desc(), t.c.id.desc()
    )
    if statuses:
        stmt = stmt.where(t.c.status.in_(statuses))
    return [RoundRow(*row) for row in db.session.execute(stmt)]


def round_row(round_id: int) -> RoundRow | None:
    t = _table("distribution_round")
    row = db.session.execute(
        select(t.c.id, t.c.title_id, t.c.title_en, t.c.starts_on, t.c.status).where(
            t.c.id == round_id
        )
    ).first()
    return RoundRow(*row) if row else None


def round_points(round_id: int) -> list[tuple[int, str]]:
    t = _table("distribution_point")
    return list(
        db.session.execute(
            select(t.c.id, t.c.name).where(t.c.round_id == round_id).order_by(t.c.id)
        )
    )


def round_items(round_id: int) -> list[tuple[int, str, str]]:
    """(id, Indonesian name, unit) of a round's items."""
    t = _table("distribution_item")
    return list(
        db.session.execute(
            select(t.c.id, t.c.name_id, t.c.unit)
            .where(t.c.round_id == round_id)
            .order_by(t.c.position, t.c.id)
        )
    )


def needs() -> list[tuple[int, str]]:
    """(id, title) of the CSR needs a purchase may serve."""
    return csr_queries.need_titles()


def need_title(need_id: int) -> str | None:
    return dict(csr_queries.need_titles()).get(need_id)
