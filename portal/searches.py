"""Staff searches that may hold a NIK, a KK or a phone number, kept out of every URL.

A search form is a POST (CSRF-checked). What was typed is kept in the staff member's
session under a short random id, and the browser is sent on to the list with only
`?cari=<id>` (and the page number): the address bar, the history, the server's access
log and the Referer header carry the id, never the number. An htmx search gets the
results fragment straight away, with `HX-Replace-Url` set to that address (no history
entry per keystroke). Paging is a GET on the same id. The session keeps the last
`KEPT` searches; an id that is no longer there shows the empty search form.

An old link that still carries `?q=` is answered with a redirect to the same search by
id (the number reached that one request's log line, not the page or its history).
"""

from __future__ import annotations

import secrets

from flask import redirect, request, session, url_for

ARG = "cari"
SESSION_KEY = "searches"
KEPT = 10
MAX_VALUE = 100


def remember(scope: str, values: dict) -> str:
    """Keep a search's values (text, at most MAX_VALUE characters each) for this
    session; returns its id."""
    token = secrets.token_urlsafe(6)
    clean = {str(k): str(v)[:MAX_VALUE] for k, v in values.items() if v not in (None, "")}
    kept = [item for item in session.get(SESSION_KEY, []) if isinstance(item, list)]
    kept.append([token, scope, clean])
    session[SESSION_KEY] = kept[-KEPT:]
    return token


def recall(scope: str) -> dict[str, str] | None:
    """The values of the search named by `?cari=` in this request, if this session has
    it for `scope`; else None."""
    token = request.args.get(ARG)
    if not token:
        return None
    for item in session.get(SESSION_KEY, []):
        if isinstance(item, list) and len(item) == 3 and item[0] == token and item[1] == scope:
            return dict(item[2])
    return None


def current_id(scope: str) -> str | None:
    """The `?cari=` id of this request when it names a search of `scope`."""
    return request.args.get(ARG) if recall(scope) is not None else None


def redirect_to(scope: str, values: dict, endpoint: str, **url_values):
    """303 to `endpoint` with the search kept by id (after a POST, or from an old ?q=)."""
    token = remember(scope, values)
    if request.args.get("lang"):
        url_values.setdefault("lang", request.args["lang"])
    return redirect(url_for(endpoint, **url_values, **{ARG: token}), 303)
