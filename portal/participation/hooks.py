"""Who may answer a survey without an account: the holder of a code printed on paper.

After a distribution round the village asks the households it invited how it went
(issue "Monitoring": a post-distribution survey "offered with the invitation's code").
Participation does not know rounds or invitations: the feature that links a round to a
survey (monitoring's evaluation, which reads distribution) registers a finder here.
`finder(code)` returns a `CodeRespondent` for a code it knows, raises
`ParticipationError` (with the field "code") for one it knows but may not answer now,
and returns None for a code it does not know. The first finder that knows the code
decides.

The same feature may also register a `household_key(survey_id, household_id)`: the key
a household's invitation answers that survey with, or None. A verified resident who
answers with an account is then stored under it as well, so one household answers a
round's survey once, with the code or with any of its members' accounts (the unique
index on the survey and the key refuses the second).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CodeRespondent:
    """The survey a code may answer, once: `key` names the invitation (a keyed hash,
    never the code), `rt`/`rw` the area its answers are counted in, `about_id` and
    `about_en` what the survey is about (the round's title)."""

    survey_id: int
    key: str
    rt: int | None
    rw: int | None
    about_id: str
    about_en: str | None = None

    def about(self, lang: str) -> str:
        return (self.about_en if lang == "en" and self.about_en else self.about_id) or ""


_FINDERS: list[Callable[[str], CodeRespondent | None]] = []


def register_code_finder(finder: Callable[[str], CodeRespondent | None]) -> None:
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def respondent_for(code: str) -> CodeRespondent | None:
    for finder in _FINDERS:
        found = finder(code)
        if found is not None:
            return found
    return None


_HOUSEHOLD_KEYS: list[Callable[[int, int], str | None]] = []


def register_household_key(finder: Callable[[int, int], str | None]) -> None:
    if finder not in _HOUSEHOLD_KEYS:
        _HOUSEHOLD_KEYS.append(finder)


def household_key(survey_id: int, household_id: int | None) -> str | None:
    """The key this household's invitation answers the survey with, or None."""
    if household_id is None:
        return None
    for finder in _HOUSEHOLD_KEYS:
        key = finder(survey_id, household_id)
        if key is not None:
            return key
    return None
