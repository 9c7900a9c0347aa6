"""What other features show on CSR pages, without CSR importing them.

A pledge of kind "training" can become a course (portal.training, which reads pledges
and companies through portal.csr.queries). A need's public page lists those courses:
training registers the finder here when its blueprints are registered, so the two
packages do not import each other (docs/architecture.md, "Layers").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import current_app

_COURSE_FINDER = "portal_csr_course_finder"


def set_course_finder(app, finder: Callable[[list[int]], list]) -> None:
    """`finder(pledge_ids)` returns the published courses those pledges became."""
    app.extensions[_COURSE_FINDER] = finder


def courses_from_pledges(pledge_ids: Iterable[int]) -> list:
    """The published courses these pledges became; none when no feature offers them."""
    finder = current_app.extensions.get(_COURSE_FINDER)
    return finder(list(pledge_ids)) if finder is not None else []
