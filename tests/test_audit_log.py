"""The audit log page's before/after values (portal/audit/views.py's pretty_json) and
its statements (portal/audit/services.py's log_page)."""

from __future__ import annotations

import json
from datetime import timedelta

from jinja2.filters import do_tojson
from jinja2.nodes import EvalContext

from portal.models_base import utcnow


def test_pretty_json_writes_what_tojson_with_indent_writes(app):
    """The log keeps each value's indented JSON per worker (pure-Python json made it a
    large part of the page), under the stored JSON text: the text is Jinja's
    tojson(indent=1) of the stored value, the first time and from the kept copy; an
    empty value or JSON null is None (the page shows nothing)."""
    from portal.audit import views

    ctx = EvalContext(app.jinja_env)
    values = [
        {"status": "draft", "amount": 1500000, "note": "<b>\"Rp\" & 'x'</b>", "ok": True},
        {"nested": {"b": [1, 2.5, None], "a": "é ü"}, "list": []},
        {"z": 1, "a": 1.0},
        [1, "two"],
    ]
    with app.test_request_context("/"):
        for value in values:
            stored = json.dumps(value)
            expected = do_tojson(ctx, value, indent=1)
            assert views.pretty_json(ctx, stored) == expected  # made
            assert views.pretty_json(ctx, stored) == expected  # kept
            assert type(views.pretty_json(ctx, stored)) is type(expected)
        for stored in (None, "null", "{}", "[]"):
            assert views.pretty_json(ctx, stored) is None
    assert views._PRETTY and len(views._PRETTY) <= views.PRETTY_KEPT


def test_log_page_filters_counts_and_menus(app, make_user):
    """The page's rows, count and menus: statements built once per set of filters, the
    values bound per request (two requests with different values read different rows)."""
    from portal.audit import services
    from portal.audit.visibility import readable_by
    from portal.extensions import db

    ani = make_user("operator", name="Ani Rahma")
    services.record("create", "household", 1, actor=ani, after={"rt": 1})
    services.record("update", "household", 1, actor=ani, before={"rt": 1}, after={"rt": 2})
    services.record("update", "household", 2, before={}, summary="tanpa pelaku")
    db.session.commit()
    readable = readable_by(ani)

    rows, total, known = services.log_page(readable, page=1, per_page=2, menus=True)
    assert total == 3 and len(rows) == 2
    assert known == services.known_values()
    assert known["actions"] == ["create", "update"] and known["object_types"] == ["household"]
    assert known["actors"] == [(ani.id, "Ani Rahma")]
    assert [r.summary for r in rows] == ["tanpa pelaku", None]
    assert rows[0][-2] in (None, "null", "{}") and json.loads(rows[1][-1]) == {"rt": 2}

    rows, total, known = services.log_page(
        readable, page=2, per_page=2, menus=False, action="update"
    )
    assert (len(rows), total, known) == (0, 2, None)
    rows, total, _ = services.log_page(
        readable, page=1, per_page=50, menus=False, action="create", actor_id=ani.id
    )
    assert total == 1 and rows[0].action == "create"
    rows, total, _ = services.log_page(
        readable, page=1, per_page=50, menus=True, object_id="2", before=utcnow()
    )
    assert total == 1 and rows[0].object_id == "2"
    rows, total, _ = services.log_page(
        readable, page=1, per_page=50, menus=True, since=utcnow() + timedelta(days=1)
    )
    assert (rows, total) == ([], 0)
