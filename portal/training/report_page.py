"""The training reports page's tables (/staf/pelatihan/laporan) without rendering their
template per page: the headings, captions and scrolling regions are the same for every
page in a language, so training/manage/_report_tables.html is rendered once per worker
and language with a marker in place of each table's rows, and kept cut at the markers;
a page then writes only its rows (portal/training/report_rows.py) between the pieces.
tests/test_training_report_rows.py compares the tables with the template's, in both
languages."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from portal.i18n import current_lang
from portal.registry.models import NEED_LEVELS
from portal.training import report_rows

_MARK = "\x00rows\x00"
_MARKED = Markup(_MARK)  # noqa: S704 (a constant)
# Per language: the tables' markup cut at each table's rows, and the label of people not
# in the registry (as the template translated it for the area and level rows).
_kept: dict[str, tuple[list[str], str]] = {}


class _Marked:
    """report_rows as the kept render calls it: each table's rows are a marker."""

    not_in_registry = ""

    def course_rows(self, _rows) -> Markup:
        return _MARKED

    def area_rows(self, _rows, not_in_registry) -> Markup:
        self.not_in_registry = not_in_registry
        return _MARKED

    def level_rows(self, _rows, _need_levels, _not_in_registry) -> Markup:
        return _MARKED

    def feedback_rows(self, _rows) -> Markup:
        return _MARKED


def _shape(lang: str) -> tuple[list[str], str]:
    marked = _Marked()
    html = render_template(
        "training/manage/_report_tables.html",
        report_rows=marked,
        per_course=(),
        per_area=(),
        per_level=(),
        need_levels=NEED_LEVELS,
        feedback={"courses": (), "sponsors": ()},
    )
    kept = _kept[lang] = (html.split(_MARK), marked.not_in_registry)
    return kept


def tables_html(page: dict) -> Markup:
    """The reports page's tables for `page` (training services' reports_page())."""
    pieces, not_in_registry = _kept.get(current_lang()) or _shape(current_lang())
    feedback = page["feedback"]
    rows = [
        report_rows.course_rows(page["per_course"]),
        report_rows.area_rows(page["per_area"], not_in_registry),
        report_rows.level_rows(page["per_level"], NEED_LEVELS, not_in_registry),
        report_rows.feedback_rows(feedback["courses"]),
        report_rows.feedback_rows(feedback["sponsors"]),
    ]
    out = [pieces[0]]
    for written, piece in zip(rows, pieces[1:], strict=True):
        out += [written, piece]
    return Markup("".join(out))  # noqa: S704 (the template's markup and escaped rows)
