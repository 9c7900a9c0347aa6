"""Pages of plain rows: Flask-SQLAlchemy's Pagination over a select of columns.

`db.paginate` reads a select's results with `.scalars()`, so of a select of columns it
keeps the first only. A page that shows a few columns of many records selects those
columns (cheaper than loading whole ORM objects) and pages them with `paginate_rows`;
one that already has its page of items and the total (counted in the same statement,
with a window function) wraps them with `counted_page`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup, escape
from sqlalchemy import Select, func, select

from portal.extensions import db
from portal.i18n import catalogue


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


def pager_html(pagination, endpoint: str, target: str, base_args: Mapping, url_for) -> Markup:
    """What the macro `pages(pagination, endpoint, target, base_args)` of
    templates/_macros/registry.html writes (previous and next links keeping `base_args`,
    built by the templates' `url_for`), without a Jinja macro call's some 200 Python
    calls: nothing when everything fits on one page. A page that showed the macro with
    no `base_args` passes `request.args.to_dict()`, what the macro took then."""
    if pagination.pages <= 1:
        return Markup("")
    ugettext = catalogue().ugettext
    target = escape(target)
    parts = [f'<nav class="pager" aria-label="{ugettext("Pages")}">\n']
    if pagination.has_prev:
        url = escape(url_for(endpoint, **{**base_args, "page": pagination.prev_num}))
        parts.append(
            f'    <a href="{url}" rel="prev" data-hx-get="{url}" data-hx-target="{target}" '
            f'data-hx-push-url="true">← {ugettext("Previous")}</a>\n'
        )
    where = Markup(ugettext("Page %(page)d of %(pages)d"))  # noqa: S704 (our catalogue)
    parts.append(f"  <span>{where % {'page': pagination.page, 'pages': pagination.pages}}</span>\n")
    if pagination.has_next:
        url = escape(url_for(endpoint, **{**base_args, "page": pagination.next_num}))
        parts.append(
            f'    <a href="{url}" rel="next" data-hx-get="{url}" data-hx-target="{target}" '
            f'data-hx-push-url="true">{ugettext("Next")} →</a>\n'
        )
    parts.append("</nav>\n")
    return Markup("".join(parts))  # noqa: S704 (the values escaped above)
