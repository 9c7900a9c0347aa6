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


def _statements(call):
    """call()'s result and the SQL statements it ran."""
    from portal.extensions import db
    from tests.test_query_counts import counting

    with counting(db.engine) as seen:
        return call(), seen


def test_kept_menus_give_what_the_menus_statement_gives(app, make_user):
    """log_page(kept_menus=True) (the page's GET): the same rows, count and menus as the
    one statement of count and menus, for every kind of reader and filter; on SQLite a
    second view reads no menus (rows and counts only) until the log has another entry,
    written through the portal or around it."""
    import sqlite3

    from portal.audit import services
    from portal.audit.models import AuditEntry
    from portal.audit.visibility import hidden_from, readable_by
    from portal.extensions import db

    ani = make_user("operator", name="Ani <b>&\"'")
    boss = make_user("admin", name="Kepala")
    services.record("create", "household", 1, actor=ani, after={"rt": 1})
    services.record("update", "complaint", 3, actor=boss, summary="named")
    services.record("update", "household", 2, summary="tanpa pelaku")
    db.session.commit()
    readers = [
        (readable_by(ani), hidden_from(ani)),
        (readable_by(boss), hidden_from(boss)),
        (AuditEntry.action != "update", None),  # a clause of its own, nothing hidden
    ]
    filters = [{}, {"action": "update"}, {"object_type": "household", "actor_id": ani.id}]

    def both(readable, hidden, **given):
        plain = services.log_page(readable, page=1, per_page=2, menus=True, hidden=hidden, **given)
        kept = services.log_page(
            readable, page=1, per_page=2, menus=True, hidden=hidden, kept_menus=True, **given
        )
        assert kept == plain
        return kept

    for readable, hidden in readers:
        for given in filters:
            both(readable, hidden, **given)
    rows, total, known = both(*readers[0])
    assert total == 3 and known == services.known_values()

    sqlite = db.engine.dialect.name == "sqlite"
    found, seen = _statements(
        lambda: services.log_page(
            readers[0][0], page=1, per_page=50, menus=True, hidden=readers[0][1], kept_menus=True
        )
    )
    assert found[2] == known
    assert len(seen) == 2 and ("RECURSIVE" in seen[-1]) is not sqlite

    # A new action and a new name for an actor: the next view's menus show them.
    ani.name = "Ani Baru"
    services.record("approve", "list", 9, actor=ani)
    db.session.commit()
    _rows, total, known = both(*readers[0])
    assert total == 4 and "approve" in known["actions"]
    assert (ani.id, "Ani Baru") in known["actors"]
    assert known == services.known_values()

    if sqlite:  # an entry written around the portal (another connection)
        db.session.commit()
        other = sqlite3.connect(db.engine.url.database)
        try:
            other.execute(
                "INSERT INTO audit_entry (at, action, object_type) "
                "VALUES ('2026-01-01 00:00:00.000000', 'shell', 'table')"
            )
            other.commit()
        finally:
            other.close()
        _rows, total, known = both(*readers[0])
        assert total == 5 and "shell" in known["actions"] and "table" in known["object_types"]


def test_log_page_view_reads_its_menus_once(app, client, login_as):
    """The page's GET: a second view of the unchanged log reads two statements of its
    own (the rows, the counts) and writes the same page; a new entry shows in its menu."""
    from portal.audit import services
    from portal.extensions import db

    login_as("operator", name="Operator <i>")
    services.record("create", "household", 1, summary="a")
    db.session.commit()
    first = client.get("/staf/audit/?lang=en").get_data(as_text=True)
    again, seen = _statements(lambda: client.get("/staf/audit/?lang=en").get_data(as_text=True))
    assert again == first and "household" in first
    if db.engine.dialect.name == "sqlite":
        assert not [s for s in seen if "RECURSIVE" in s]
    services.record("merge", "person", 2, summary="b")
    db.session.commit()
    page = client.get("/staf/audit/?lang=en").get_data(as_text=True)
    assert '<option value="merge">merge</option>' in page and "2 entries." in page
