"""What a purchase is for: a distribution round (its points and items, read through
`portal.distribution.queries`) or a CSR need (through `portal.csr.queries`)."""

from __future__ import annotations

from portal.csr import queries as csr_queries
from portal.distribution.queries import (  # noqa: F401 - re-exported for procurement
    OPEN_ROUNDS,
    RoundRow,
    round_items,
    round_points,
    round_row,
    round_rows,
    rounds,
)


def needs() -> list[tuple[int, str]]:
    """(id, title) of the CSR needs a purchase may serve."""
    return csr_queries.need_titles()


def need_title(need_id: int) -> str | None:
    return csr_queries.need_title(need_id)
