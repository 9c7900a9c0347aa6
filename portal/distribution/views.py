"""Public pages of distribution rounds (/penyaluran): the rounds, and each round's
points, dates, time slots per RT and progress (households collected of due per RT and
per point, rupiah and items), with open data as CSV and JSON. Counts only: never a name,
NIK or address, and no figure for a group of fewer than five households.

The pages are kept by the page cache (portal/cache.py) for at most its lifetime; only
the round and its points, slots and items drop them at once, not each handover, so on
a distribution day the progress shown is at most `PUBLIC_CACHE_SECONDS` old.
"""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, render_template

from portal import cache, filecache, spreadsheet
from portal.cache import cached_page
from portal.distribution import round_html, services
from portal.distribution.models import (
    UNITS,
    DistributionPoint,
    DistributionRound,
    RoundItem,
    TimeSlot,
)
from portal.distribution.services.common import quantity_text
from portal.extensions import limiter
from portal.i18n import current_lang
from portal.lists import hooks as lists_hooks
from portal.security import public
from portal.urlargs import id_arg

bp = Blueprint("distribution", __name__)


@bp.record_once
def _setup(state) -> None:
    cache.watch(DistributionRound, DistributionPoint, TimeSlot, RoundItem)
    # The public self-check says "your household has an invitation in round X".
    lists_hooks.register_self_check_note(services.self_check_notes)


@bp.context_processor
def _labels():
    lang = current_lang()  # once per page: a list shows hundreds of quantities
    return {"units": UNITS, "qty": lambda milli: quantity_text(milli, lang)}


@bp.route("/penyaluran")
@public
@cached_page
def index():
    period_id = id_arg("daftar")
    return render_template(
        "distribution/index.html",
        rounds=services.public_rounds(period_id),
        period_id=period_id,
    )


def _public(round_id: int) -> DistributionRound:
    round_ = services.public_round(round_id)
    if round_ is None:
        abort(404)
    return round_


@bp.route("/penyaluran/<int:round_id>")
@public
@cached_page
def round_page(round_id: int):
    # Plain rows on one connection: the round with its version, the points with their
    # slots, the items with their sums and the entitlements' sums for the progress.
    page = services.public_round_page(round_id)
    if page is None:
        abort(404)
    return render_template(
        "distribution/round.html",
        round=page.round,
        page=page,
        min_group=services.MIN_GROUP,
        round_head=round_html.round_head,
        round_body=round_html.round_body,
    )


@bp.route("/penyaluran/<int:round_id>.csv", defaults={"fmt": "csv"})
@bp.route("/penyaluran/<int:round_id>.json", defaults={"fmt": "json"})
@public
@limiter.limit(filecache.download_limit)
def open_data(round_id: int, fmt: str):
    round_ = _public(round_id)
    if fmt == "json":
        body = json.dumps(services.round_json(round_, current_lang()), ensure_ascii=False)
        response = current_app.response_class(body, mimetype="application/json")
    else:
        response = current_app.response_class(
            spreadsheet.csv_text(services.round_rows(round_), bom=True),
            mimetype="text/csv; charset=utf-8",
        )
    response.headers["Content-Disposition"] = f'attachment; filename="penyaluran-{round_id}.{fmt}"'
    return response
