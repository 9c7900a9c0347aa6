"""What the lists package lets higher features add to its pages without importing them.

The self-check (`/cek-bansos`) answers whether a household is on a current list; a
feature that hands that aid out (distribution) adds a line such as "your household has
an invitation in round X" through `register_self_check_note`. The provider gets the
household's id and returns short texts for the person (never a code, nor another
person's data): the answer stays as masked and rate-limited as the check itself.
"""

from __future__ import annotations

from collections.abc import Callable

_NOTES: list[Callable[[int], list[str]]] = []


def register_self_check_note(provider: Callable[[int], list[str]]) -> None:
    if provider not in _NOTES:
        _NOTES.append(provider)


def self_check_notes(household_id: int | None) -> list[str]:
    """Every registered feature's lines for a household found by the self-check."""
    if household_id is None:
        return []
    return [note for provider in _NOTES for note in provider(household_id)]
