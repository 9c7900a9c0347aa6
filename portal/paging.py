"""Page numbers in URLs (`?page=`, or `?halaman=` on the public pages that use it)."""

from __future__ import annotations

from flask import abort, request


def page_arg(name: str = "page") -> int:
    """The page number asked for: a positive whole number, or the page does not exist."""
    raw = request.args.get(name, "1")
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 6:
        abort(404)
    return int(raw)


def existing_page(pagination):
    """A Flask-SQLAlchemy Pagination, or 404 for a page past the end (page 1 of nothing
    is a page: it says there is nothing yet)."""
    if pagination.page > 1 and not pagination.items:
        abort(404)
    return pagination
