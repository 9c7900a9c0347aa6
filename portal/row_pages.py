"""Pages of plain rows: Flask-SQLAlchemy's Pagination over a select of columns.

`db.paginate` reads a select's results with `.scalars()`, so of a select of columns it
keeps the first only. A page that shows a few columns of many records selects those
columns (cheaper than loading whole ORM objects) and pages them with `paginate_rows`;
one that already has its page of items and the total (counted in the same statement,
with a window function) wraps them with `counted_page`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select

from portal.extensions import db


class RowPagination(Pagination):
    """A Pagination whose items are the rows of a select (each passed to `convert`)."""

    def _query_items(self) -> list[Any]:
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        convert = self._query_args["convert"]
        return [convert(row) for row in db.session.execute(stmt)]

    def _query_count(self) -> int:
        found = self._query_args["select"].order_by(None).subquery()
        return db.session.scalar(select(func.count()).select_from(found))


def paginate_rows(
    stmt: Select,
    *,
    page: int,
    per_page: int,
    count: bool = True,
    convert: Callable[[Any], Any] = lambda row: row,
) -> RowPagination:
    """A page of `stmt`'s rows (empty past the end, never a 404), like `db.paginate`."""
    return RowPagination(
        page=page,
        per_page=per_page,
        error_out=False,
        count=count,
        select=stmt,
        convert=convert,
    )


class CountedPagination(Pagination):
    """A Pagination of items and a total its caller already read."""

    def _query_items(self) -> list[Any]:
        return self._query_args["items"]

    def _query_count(self) -> int:
        return self._query_args["total"]


def counted_page(items: list[Any], total: int, *, page: int, per_page: int) -> CountedPagination:
    """The page `page` of `total` items, holding `items`, for the `pager` macro."""
    return CountedPagination(
        page=page, per_page=per_page, error_out=False, items=items, total=total
    )
