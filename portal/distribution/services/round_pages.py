"""What the round pages show, each read on one connection (common.reader): the public
page (/penyaluran/<id>) in four statements, the round with its list's version, its
points with their time slots, its items with their sums and its entitlements' sums per
RT and point, the progress worked out from those (counts only, as services.progress);
the staff page (/staf/penyaluran/<id>) in four, the round with its list's version and
its whole progress, and round_parts' three."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.distribution.services.common import reader
from portal.distribution.services.progress import (
    Progress,
    progress_of,
    public_round_with_version,
    round_with_total,
    sums_statement,
)
from portal.distribution.services.round_parts import (
    RoundParts,
    point_rows,
    round_parts,
    summed_items,
)


@dataclass(frozen=True, slots=True)
class PublicRound:
    """`round`: public_round_with_version's plain row; `version`: its VersionInfo or
    None; `points`: round_parts.point_rows; `items`: round_parts.summed_items."""

    round: Any
    version: Any
    points: list
    items: list
    progress: Progress


def public_round_page(round_id: int) -> PublicRound | None:
    """The round page's reads, or None for a round the public may not see."""
    run = reader()
    found = public_round_with_version(round_id, run)
    if found is None:
        return None
    round_, version = found
    points = point_rows(round_id, run)
    items = summed_items(round_id, run)
    sums = run(sums_statement(), {"round_id": round_id}).all()
    names = {point_id: name for point_id, name, *_ in points}
    return PublicRound(round_, version, points, items, progress_of(sums, names, items))


@dataclass(frozen=True, slots=True)
class StaffRound:
    """`round`: round_with_total's plain row, with its `progress` and `version`."""

    round: Any
    progress: Progress
    version: Any
    parts: RoundParts


def staff_round_page(round_id: int) -> StaffRound | None:
    """The staff round page's reads, or None for no such round."""
    run = reader()
    found = round_with_total(round_id, run)
    if found is None:
        return None
    return StaffRound(*found, round_parts(round_id, run))
