"""Public pages of procurement (/pengadaan): per round and per year, where the money
went (the village, the district, outside), local suppliers and those from the courses,
prices against the reference, packaging and plastic avoided; open data."""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, render_template

from portal import spreadsheet
from portal.extensions import limiter
from portal.filecache import download_limit
from portal.i18n import current_lang
from portal.procurement import charts, services
from portal.procurement.models import LOCATIONS, PACKAGING, SUPPLIER_KINDS
from portal.security import public

bp = Blueprint("procurement", __name__, url_prefix="/pengadaan")


@bp.context_processor
def _labels():
    return {
        "locations": LOCATIONS,
        "packaging_kinds": PACKAGING,
        "supplier_kinds": SUPPLIER_KINDS,
        "bars": charts.bars,
    }


@bp.route("/")
@public
def index():
    lang = current_lang()
    ids = services.round_ids()
    found = services.round_rows(ids)  # one statement, not one per round
    return render_template(
        "procurement/index.html",
        years=services.years(),
        rounds=[(i, found[i].title(lang)) for i in ids if i in found],
        total=services.counted_total(),
    )


@bp.route("/tahun/<int:year>")
@public
def year(year: int):
    if year not in services.years():
        abort(404)
    return render_template(
        "procurement/summary.html",
        heading=year,
        summary=services.summary(year=year),
        data_endpoint=("procurement.year_data", {"year": year}),
    )


@bp.route("/putaran/<int:round_id>")
@public
def round_page(round_id: int):
    found = services.round_row(round_id)
    if found is None or not services.round_listed(round_id):
        abort(404)
    return render_template(
        "procurement/summary.html",
        heading=found.title(current_lang()),
        summary=services.summary(round_id=round_id),
        data_endpoint=("procurement.round_data", {"round_id": round_id}),
    )


@bp.route("/data.csv", defaults={"fmt": "csv"})
@bp.route("/data.json", defaults={"fmt": "json"})
@public
@limiter.limit(download_limit)
def open_data(fmt: str):
    return _data(services.data_rows(), fmt, "pengadaan")


@bp.route("/tahun/<int:year>/data.csv", defaults={"fmt": "csv"})
@bp.route("/tahun/<int:year>/data.json", defaults={"fmt": "json"})
@public
@limiter.limit(download_limit)
def year_data(year: int, fmt: str):
    if year not in services.years():
        abort(404)
    return _data(services.data_rows(year=year), fmt, f"pengadaan-{year}")


@bp.route("/putaran/<int:round_id>/data.csv", defaults={"fmt": "csv"})
@bp.route("/putaran/<int:round_id>/data.json", defaults={"fmt": "json"})
@public
@limiter.limit(download_limit)
def round_data(round_id: int, fmt: str):
    if round_id not in services.round_ids():
        abort(404)
    return _data(services.data_rows(round_id=round_id), fmt, f"pengadaan-putaran-{round_id}")


def _data(rows: list[dict], fmt: str, name: str):
    """Purchase lines as CSV or JSON (suppliers by business name, kind and village)."""
    if fmt == "json":
        body = json.dumps({"dataset": name, "count": len(rows), "rows": rows}, ensure_ascii=False)
        response = current_app.response_class(body, mimetype="application/json")
    else:
        columns = services.DATA_COLUMNS
        table = [columns, *([row.get(c) for c in columns] for row in rows)]
        response = current_app.response_class(
            spreadsheet.csv_text(table, bom=True), mimetype="text/csv; charset=utf-8"
        )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
