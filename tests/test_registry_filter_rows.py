"""The registry list's search filters and pager (portal/registry/filter_rows.py) write
what the shared macros filter_fields and pages (templates/_macros/registry.html) wrote."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import render_template_string
from markupsafe import escape

from portal.registry.filter_rows import filter_html
from portal.registry.services import Filters
from portal.registry.views import _translated_labels
from portal.row_pages import pager_html

OLD = """{% from "_macros/registry.html" import filter_fields with context %}
{{ filter_fields(filters, programmes, hint=hint) }}"""

PROGRAMMES = [
    SimpleNamespace(id=4, name_id="BLT Dana Desa", name_en=None),
    SimpleNamespace(id=2, name_id="Bantuan <Sekolah> & Co", name_en='School "Supplies"'),
    SimpleNamespace(id=7, name_id="Paket", name_en=""),
]
FILTERS = [
    Filters(),
    Filters(q='Siti "& <Aminah>', need_level="miskin", aid_type="cash", rt=3, rw=12),
    Filters(q="3/2", aid_type="other", programme_id=2, need_level="unknown"),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("hint", [True, False])
@pytest.mark.parametrize("filters", FILTERS)
def test_filter_html_writes_what_the_macro_wrote(app, lang, hint, filters):
    with app.test_request_context("/staf/registrasi/", headers={"Accept-Language": lang}):
        labels = _translated_labels()
        old = render_template_string(
            OLD, filters=filters, programmes=PROGRAMMES, hint=hint, **labels
        )
        new = filter_html(
            filters, PROGRAMMES, labels["need_levels"], labels["aid_types"], hint=hint
        )
        assert str(new) == old.lstrip("\n")
        assert f'value="{escape(filters.q)}"' in new  # the words escaped


OLD_PAGES = """{% from "_macros/registry.html" import pages %}
{{ pages(pagination, 'registry.index', '#registry-results', base_args) }}"""


def _pagination(page: int, pages: int) -> SimpleNamespace:
    return SimpleNamespace(
        page=page,
        pages=pages,
        has_prev=page > 1,
        has_next=page < pages,
        prev_num=page - 1,
        next_num=page + 1,
    )


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("base_args", [{}, {"cari": "a&b<c>"}, {"page": 9, "rt": 3}])
@pytest.mark.parametrize(("page", "pages"), [(1, 1), (1, 8), (3, 8), (8, 8), (1, 0)])
def test_pager_html_writes_what_the_macro_wrote(app, lang, base_args, page, pages):
    with app.test_request_context("/staf/registrasi/", headers={"Accept-Language": lang}):
        pagination = _pagination(page, pages)
        old = render_template_string(OLD_PAGES, pagination=pagination, base_args=base_args)
        url_for = app.jinja_env.globals["url_for"]
        new = pager_html(pagination, "registry.index", "#registry-results", base_args, url_for)
        assert str(new) == old.lstrip("\n")
