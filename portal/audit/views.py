"""The audit log, read-only for staff: who did what to which record, and when.

There is no route that changes an entry; the database refuses UPDATE and DELETE too.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_babel import to_utc
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.filters import do_tojson
from markupsafe import Markup

from portal.audit import services
from portal.audit.visibility import readable_by
from portal.extensions import db
from portal.htmx import render
from portal.numbers import db_int
from portal.roles import READERS
from portal.security import roles_required
from portal.urlargs import page_arg

bp = Blueprint("audit", __name__, url_prefix="/staf/audit")

PER_PAGE = 50

# An entry's before and after, as indented JSON (Jinja's tojson with indent=1). Python's
# json writes indented text with its pure-Python encoder, a large part of the log's page
# (two values an entry, 50 entries). The same value always gives the same text, so the
# text is kept per worker under the value's compact JSON (the C encoder): nothing to
# invalidate, bounded.
_PRETTY: dict[str, Markup] = {}
PRETTY_KEPT = 2000


@bp.app_template_filter("pretty_json")
@pass_eval_context
def _pretty_json(eval_ctx, value) -> Markup:
    try:
        key = json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        return do_tojson(eval_ctx, value, indent=1)
    found = _PRETTY.get(key)
    if found is None:
        if len(_PRETTY) >= PRETTY_KEPT:
            _PRETTY.clear()
        found = _PRETTY[key] = do_tojson(eval_ctx, value, indent=1)
    return found


def _date_arg(name: str, errors: dict):
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y-%m-%d")
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None


@bp.route("/")
@roles_required(*READERS)
def log():
    page = page_arg()
    errors: dict[str, str] = {}
    day_from = _date_arg("dari", errors)
    day_to = _date_arg("sampai", errors)
    actor = request.args.get("pelaku", "")
    filters = {
        "action": request.args.get("aksi", "").strip()[:40] or None,
        "object_type": request.args.get("objek", "").strip()[:40] or None,
        "object_id": request.args.get("id", "").strip()[:40] or None,
        "actor_id": db_int(actor),
        # Dates are the village's days; entries are stored in UTC.
        "since": to_utc(day_from) if day_from else None,
        "before": to_utc(day_to + timedelta(days=1)) if day_to else None,
    }
    # Entries of records hidden from this reader (a complaint naming them) stay hidden.
    query = services.entries_query(**filters).where(readable_by(current_user))
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    return render(
        "audit/log.html",
        "audit/_entries.html",
        pagination=pagination,
        filters=filters,
        args=request.args,
        errors=errors,
        known=services.known_values(),
    )
