"""Public monitoring pages (/pemantauan): the plan with its results and progress, the
indicators against their targets, each figure's definition, and the open data and JSON
API. Counts and shares only: no figure for a group under five."""

from __future__ import annotations

import functools
import json
import re
from datetime import date

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext
from markupsafe import Markup, escape
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from portal import cache, spreadsheet
from portal.cache import cached_page
from portal.extensions import db
from portal.i18n import catalogue, current_lang, localized, number
from portal.models_base import village_today
from portal.monitoring import services
from portal.monitoring.comment_views import activity_comment_html
from portal.monitoring.models import (
    ACTIVITY_STATUSES,
    FIELDS,
    FUNDS,
    Activity,
    Goal,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    Plan,
)
from portal.security import public
from portal.status_tags import status_tag_html
from portal.text import escape_text
from portal.text import escape_value as _escaped

bp = Blueprint("monitoring", __name__, url_prefix="/pemantauan")
api = Blueprint("monitoring_api", __name__, url_prefix="/api/v1/pemantauan")
cache.watch(Plan, Goal, Activity, Milestone, Indicator, IndicatorTarget, IndicatorValue)


@bp.context_processor
def _labels():
    return {
        "activity_fields": FIELDS,
        "activity_funds": FUNDS,
        "activity_statuses": ACTIVITY_STATUSES,
        "indicator_table_rows": indicator_table_rows,
        "activity_items": activity_items,
    }


def _small_cell() -> str:
    why = gettext("Fewer than five: not shown, so that nobody is identified.")
    return f'<abbr title="{escape(why)}">&lt;5</abbr>'


@bp.app_template_global("figure_cell")
def figure_cell(f) -> Markup:
    """A figure in a table cell: its number, "<5" with why for a group under five, or a
    dash. A function, not a macro: the dashboard asks it for every indicator and year."""
    if f is None or (f.value is None and not f.small):
        return Markup("–")
    if f.small:
        return Markup(_small_cell())  # noqa: S704 (escaped)
    return escape(number(f.value))


# A code as it stands in its address (letters, digits, dots and dashes: nothing quoted).
_URL_SAFE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]*\Z")


def indicator_table_rows(rows, years: list[int], url_for, evaluation: bool = False) -> Markup:
    """The indicator rows of the public dashboard (`years`, then the last one's target)
    or of an evaluation (`evaluation`: its one year, no baseline, the year's target), as
    their Jinja loops wrote them (some 300 calls a row there); the cells as figure_cell
    writes them. `url_for` is the template's (it keeps the addresses)."""
    lang = current_lang()
    # The template's _() gives the catalogue's text unescaped (our own catalogue), and
    # these have no "%" but the year's: the same here, straight from the catalogue.
    ugettext = catalogue().ugettext
    l_code, l_indicator = ugettext("Code"), ugettext("Indicator")
    l_unit, l_baseline = ugettext("Unit"), ugettext("Baseline")
    last_year = years[-1]
    if evaluation:
        l_target = ugettext("Target")
        cell_start, cell_end = '    <td data-label="', "</td>\n"
    else:
        l_target = ugettext("Target %(year)d") % {"year": last_year}
        cell_start, cell_end = '<td data-label="', "</td>"
    # One address built, each code put in it when it needs no quoting (url_for else).
    stem = url_for("monitoring.indicator", code="0")
    stem = _escaped(stem[:-1]) if stem.endswith("/0") else None
    small = None
    name_field = f"name_{lang}"
    out = []
    # One str a row; plain str escaped by one escape_text inline, the rest by _escaped.
    for row in rows:
        ind = row.indicator
        # localized(ind, "name", lang) without its Localized: the text and whether it
        # fell back to Indonesian (lang="id").
        text = getattr(ind, name_field, None) if lang != "id" else None
        if text:
            name_lang = ""
        else:
            text = ind.name_id or ""
            name_lang = ' lang="id"' if lang != "id" and text else ""
        code, unit = ind.code, ind.unit
        if stem and type(code) is str and _URL_SAFE_CODE.match(code):
            href = stem + code
        else:
            href = _escaped(url_for("monitoring.indicator", code=code))
        code = escape_text(code) if type(code) is str else _escaped(code)
        unit = escape_text(unit) if type(unit) is str else _escaped(unit)
        line = (
            f'  <tr>\n    <td data-label="{l_code}">{code}</td>\n'
            f'    <td data-label="{l_indicator}"><a href="{href}">'
            f"<span{name_lang}>{escape_text(text)}</span></a></td>\n"
            f'    <td data-label="{l_unit}">{unit}</td>\n'
        )
        if not evaluation:
            if ind.baseline is None:
                baseline = "–"
            else:
                baseline = _escaped(number(ind.baseline, lang))
                if ind.baseline_year:
                    baseline += f" ({escape(ind.baseline_year)})"
            line += f'    <td data-label="{l_baseline}">{baseline}</td>\n'
        values = row.values
        for year in years:
            f = values.get(year)
            if f is None or (f.value is None and not f.small):
                cell = "–"
            elif f.small:
                cell = small = small or _small_cell()
            else:
                cell = escape_text(number(f.value, lang))
            line += f'{cell_start}{year}">{cell}{cell_end}'
        target = row.targets.get(last_year)
        target = "–" if target is None else escape_text(number(target, lang))
        out.append(f'{line}    <td data-label="{l_target}">{target}</td>\n  </tr>\n')
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def activity_items(tree, url_for) -> Markup:
    """The dashboard's activities of the year (`tree`: activity_tree's rows), as the
    template's loop wrote them (some 60 calls an activity there): a link to each in the
    reader's language, its status tag, field and progress. `url_for` is the template's."""
    lang = current_lang()
    progress_word = Markup(gettext("Progress"))  # noqa: S704 (our catalogue, as _() gives it)
    # One address built, each activity's number put in it (url_for per activity else).
    stem = url_for("monitoring.activity", activity_id=0)
    stem = stem[:-1] if stem.endswith("/0") else None
    tags: dict[str, Markup] = {}
    out = []
    for a, depth, progress in tree:
        title = localized(a, "title", lang)
        tag = tags.get(a.status)
        if tag is None:
            tag = tags[a.status] = status_tag_html("monitoring.activity", a.status)
        href = f"{stem}{a.id}" if stem else url_for("monitoring.activity", activity_id=a.id)
        span = '<span lang="id">' if title.fallback else "<span>"
        out.append(
            f'  <li class="result depth-{min(depth, 3)}">\n'
            f'    <a href="{_escaped(href)}">{span}'
            f"{escape_text(title.text)}</span></a>\n"
            f"    {tag}\n"
            f'    <span class="meta">{_escaped(str(FIELDS[a.field]))}</span>\n'
            f'    <label class="progress">{progress_word} <progress max="100" value="{progress}">'
            f"{progress}%</progress> {progress}%</label>\n  </li>\n"
        )
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def activity_parts(children, progress: dict, url_for) -> Markup:
    """An activity page's parts (`children`: activity_tree's rows), as the template's
    loop wrote them: a link to each in the reader's language (ui.html's text()), its
    status tag and progress (`progress` by id, else the part's own)."""
    lang = current_lang()
    progress_word = Markup(gettext("Progress"))  # noqa: S704 (our catalogue, as _() gives it)
    stem = url_for("monitoring.activity", activity_id=0)
    stem = stem[:-1] if stem.endswith("/0") else None
    out = []
    for c in children:
        title = localized(c, "title", lang)
        href = f"{stem}{c.id}" if stem else url_for("monitoring.activity", activity_id=c.id)
        span = '<span lang="id">' if title.fallback else "<span>"
        shown = progress.get(c.id, c.progress)
        out.append(
            f'  <li><a href="{_escaped(href)}">{span}{escape_text(title.text)}'
            f"</span></a> {status_tag_html('monitoring.activity', c.status)} "
            f'<label class="progress">{progress_word} <progress max="100" value="{shown}">'
            f"{shown}%</progress> {shown}%</label></li>\n"
        )
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def _years(today: date | None = None) -> list[int]:
    this_year = (today or village_today()).year
    return [this_year - 2, this_year - 1, this_year]


@bp.route("/")
@public
@cached_page
def dashboard():
    today = village_today()  # once (the village's clock costs some 20 calls a reading)
    plan = services.current_plan(today)
    year = today.year
    tree = services.activity_tree(plan, year) if plan else []
    years = _years(today)
    # Here, not at the top: dashboard_html writes with this module's row writers.
    from portal.monitoring.dashboard_html import dashboard_body

    return render_template(
        "monitoring/index.html",
        plan=plan,
        year=year,
        tree=tree,
        rows=services.dashboard_rows(years, this_year=year),
        years=years,
        dashboard_body=dashboard_body,
    )


@bp.route("/indikator/<code>")
@public
@cached_page
def indicator(code: str):
    item = services.get_indicator(code)
    if item is None:
        abort(404)
    row = services.dashboard_rows(_years(), indicator_id=item.id)[0]
    return render_template(
        "monitoring/indicator.html",
        row=row,
        item=item,
        measure=services.measure(item.computed),
        minimum=services.MINIMUM_GROUP,
    )


@functools.cache
def _activity_statement():
    """The activity with its milestones in one statement (built once per process)."""
    return (
        select(Activity)
        .where(Activity.id == bindparam("activity_id"))
        .options(joinedload(Activity.milestones))
    )


@bp.route("/kegiatan/<int:activity_id>")
@public
@cached_page
def activity(activity_id: int):
    found = db.session.execute(_activity_statement(), {"activity_id": activity_id})
    item = found.unique().scalar()
    if item is None:
        abort(404)
    tree = services.activity_tree(item.plan_id)
    progress = {a.id: p for a, _d, p in tree}
    return render_template(
        "monitoring/activity.html",
        item=item,
        progress=progress.get(item.id, item.progress),
        children=services.activity_parts(tree, item.id),
        child_progress=progress,
        milestones=services.public_milestones(item),
        comment_html=activity_comment_html(item.id),
        # A render argument, not the blueprint's context: a refused comment (another
        # blueprint's view) shows this page too.
        activity_parts=activity_parts,
    )


def open_rows() -> list[dict]:
    """One row per indicator and year: the open data and the API share it."""
    out = []
    for row in services.dashboard_rows(_years()):
        ind = row.indicator
        for year in row.years:
            figure = row.values.get(year)
            out.append(
                {
                    "code": ind.code,
                    "name_id": ind.name_id,
                    "name_en": ind.name_en,
                    "unit": ind.unit,
                    "year": year,
                    "value": None if figure is None else figure.value,
                    "suppressed_small_group": bool(figure and figure.small),
                    "target": row.targets.get(year),
                    "baseline": ind.baseline,
                    "baseline_year": ind.baseline_year,
                    "computed": ind.computed,
                    "direction": ind.direction,
                }
            )
    return out


COLUMNS = [
    "code",
    "name_id",
    "name_en",
    "unit",
    "year",
    "value",
    "suppressed_small_group",
    "target",
    "baseline",
    "baseline_year",
    "computed",
    "direction",
]


@bp.route("/data/indikator.<fmt>")
@public
def open_data(fmt: str):
    if fmt not in ("csv", "json"):
        abort(404)
    rows = open_rows()
    if fmt == "json":
        body = json.dumps(
            {"dataset": "indicators", "count": len(rows), "rows": rows}, ensure_ascii=False
        )
        response = current_app.response_class(body, mimetype="application/json")
    else:
        table = [COLUMNS, *([row.get(c) for c in COLUMNS] for row in rows)]
        response = current_app.response_class(
            spreadsheet.csv_text(table, bom=True), mimetype="text/csv; charset=utf-8"
        )
    response.headers["Content-Disposition"] = f'attachment; filename="indikator.{fmt}"'
    return response


@api.route("/indikator")
@public
def api_indicators():
    """The stable JSON API (README, "Monitoring API"): version 1."""
    year = request.args.get("tahun", type=int)
    rows = [r for r in open_rows() if year is None or r["year"] == year]
    return current_app.response_class(
        json.dumps({"version": 1, "count": len(rows), "indicators": rows}, ensure_ascii=False),
        mimetype="application/json",
    )
