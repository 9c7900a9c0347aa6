"""What the features above the registry tell it about a household that a change
request is about: "this person is on a current recipient list", "this household is in
an open distribution round".

The registry sits below the features (docs/architecture.md, "Layers") and may not
import them, so each one registers a finder here at app setup (`register_concern`;
lists does it in portal/lists/change_concerns.py, a distribution package would do the
same). `concerns_for` asks every finder; a request about a death or a move out warns
the operator at once with what they answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Concern:
    """One reason to look twice: a line for the operator (a lazy string, in their
    language) and the same in English for the audit log."""

    message: object
    audit: str


# finder(household_id, person_id or None) -> list[Concern]; it only reads.
_FINDERS: dict[str, Callable[[int, int | None], list[Concern]]] = {}


def register_concern(name: str, finder: Callable[[int, int | None], list[Concern]]) -> None:
    """Register (or replace) the finder called `name`."""
    _FINDERS[name] = finder


def concerns_for(household_id: int, person_id: int | None = None) -> list[Concern]:
    """What every registered finder says about the household (and the person)."""
    found: list[Concern] = []
    for name in sorted(_FINDERS):
        found.extend(_FINDERS[name](household_id, person_id))
    return found
