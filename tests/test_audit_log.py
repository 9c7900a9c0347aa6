"""The audit log page's before/after values (portal/audit/views.py's pretty_json)."""

from __future__ import annotations

from datetime import date

from jinja2.filters import do_tojson
from jinja2.nodes import EvalContext


def test_pretty_json_writes_what_tojson_with_indent_writes(app):
    """The log keeps each value's indented JSON per worker (pure-Python json made it a
    large part of the page): the text is Jinja's tojson(indent=1), the first time and
    from the kept copy, for any value (one that JSON cannot hold goes to tojson)."""
    from portal.audit import views

    pretty = app.jinja_env.filters["pretty_json"]
    ctx = EvalContext(app.jinja_env)
    values = [
        {"status": "draft", "amount": 1500000, "note": "<b>\"Rp\" & 'x'</b>", "ok": True},
        {"nested": {"b": [1, 2.5, None], "a": "é ü"}, "list": []},
        {"z": 1, "a": 1.0},
        {"when": date(2026, 12, 5)},
        [1, "two"],
    ]
    with app.test_request_context("/"):
        for value in values:
            expected = do_tojson(ctx, value, indent=1)
            assert pretty(ctx, value) == expected  # made
            assert pretty(ctx, value) == expected  # kept
            assert type(pretty(ctx, value)) is type(expected)
    assert views._PRETTY and len(views._PRETTY) <= views.PRETTY_KEPT
