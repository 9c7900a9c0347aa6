"""The audit log, read-only for staff: who did what to which record, and when.

There is no route that changes an entry; the database refuses UPDATE and DELETE too.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask import Blueprint, current_app, request
from flask_babel import gettext as _
from flask_babel import to_utc
from flask_login import current_user
from jinja2.filters import do_tojson
from jinja2.nodes import EvalContext
from markupsafe import Markup

from portal.audit import services
from portal.audit.rows import audit_rows, filter_form
from portal.audit.visibility import hidden_from, readable_by
from portal.htmx import is_htmx, render
from portal.numbers import db_int
from portal.roles import READERS
from portal.row_pages import counted_page, pager_html
from portal.security import roles_required
from portal.urlargs import page_arg

bp = Blueprint("audit", __name__, url_prefix="/staf/audit")

PER_PAGE = 50

# An entry's before and after, as indented JSON (Jinja's tojson with indent=1). Python's
# json writes indented text with its pure-Python encoder, a large part of the log's page
# (two values an entry, 50 entries). The same stored text always gives the same page
# text, so it is kept per worker under the stored JSON text: nothing to invalidate,
# bounded. A value that is empty or JSON null (shown as nothing) is kept as None.
_PRETTY: dict[str, Markup | None] = {}
PRETTY_KEPT = 2000


def pretty_json(eval_ctx, stored: str | None) -> Markup | None:
    """The indented JSON of a stored before/after value; None when there is nothing to
    show (no value, or an empty one)."""
    if stored is None:
        return None
    try:
        return _PRETTY[stored]
    except KeyError:
        pass
    value = json.loads(stored)
    if len(_PRETTY) >= PRETTY_KEPT:
        _PRETTY.clear()
    found = _PRETTY[stored] = do_tojson(eval_ctx, value, indent=1) if value else None
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
    # The page's entries as plain rows; an htmx swap shows no filter menus.
    reader = current_user._get_current_object()
    rows, total, known = services.log_page(
        readable_by(reader),
        page=page,
        per_page=PER_PAGE,
        menus=not is_htmx(),
        hidden=hidden_from(reader),
        kept_menus=True,  # a GET writes no entry
        **filters,
    )
    eval_ctx = EvalContext(current_app.jinja_env)
    # Most values are kept already (`pretty_json`): looked up here, a call less each.
    kept = _PRETTY
    entries = [
        (
            at,
            actor_name,
            ip,
            action,
            object_type,
            object_id,
            summary,
            kept[before] if before in kept else pretty_json(eval_ctx, before),
            kept[after] if after in kept else pretty_json(eval_ctx, after),
        )
        for at, actor_name, ip, action, object_type, object_id, summary, before, after in rows
    ]
    return render(
        "audit/log.html",
        "audit/_entries.html",
        entries=entries,
        audit_rows=audit_rows,
        audit_filters=filter_form,
        pager=pager_html,
        pagination=counted_page(entries, total, page=page, per_page=PER_PAGE),
        filters=filters,
        args=request.args,
        errors=errors,
        known=known,
    )
