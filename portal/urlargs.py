"""Numbers in URLs: page numbers (`?page=`, or `?halaman=` on the public pages that use
it), ids in the query string or a form, and ids in the path (`<int:...>`). Whatever a
visitor types, a number the database cannot hold is "page not found", never a 500."""

from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter

from portal.numbers import DB_INT_MAX, db_int, is_whole


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in every route: at most DB_INT_MAX, so that a longer number is a 404
    at routing instead of an overflow in the query."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (Werkzeug's own name)
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def page_arg(name: str = "page") -> int:
    """The page number asked for: a positive whole number, or the page does not exist."""
    raw = request.args.get(name, "1")
    if not is_whole(raw) or int(raw) < 1 or len(raw) > 6:
        abort(404)
    return int(raw)


def id_arg(name: str, values=None) -> int | None:
    """An id from the query string (or the given values, e.g. request.values): None when
    it is absent or empty; 404 when it is not a whole number the database can hold."""
    raw = (request.args if values is None else values).get(name, "")
    if raw == "":
        return None
    number = db_int(raw)
    if number is None:
        abort(404)
    return number


def existing_page(pagination):
    """A Flask-SQLAlchemy Pagination, or 404 for a page past the end (page 1 of nothing
    is a page: it says there is nothing yet)."""
    if pagination.page > 1 and not pagination.items:
        abort(404)
    return pagination
