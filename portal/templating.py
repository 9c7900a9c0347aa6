"""`url_for` for templates, remembered per worker.

A page builds the same addresses on every request: the menu, the footer, the static
files, the links of its rows. Werkzeug's build costs some 10 µs a call; the address of
an endpoint with the same values is the same for every request to the same host and
script root, so templates get it from a bounded dictionary after the first time.
Anything else (a relative ".endpoint", `_external`, `_anchor` and the other `_`
options, values that cannot be a dictionary key, no request) goes to Flask's own
`url_for` every time.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, request

MAX_KEPT = 4096


def remembered_url_for(app: Flask) -> Callable[..., str]:
    build = app.url_for
    kept: dict[tuple, str] = {}

    def url_for(endpoint: str, **values) -> str:
        if endpoint[:1] == "." or any(name[:1] == "_" for name in values):
            return build(endpoint, **values)
        try:
            environ = request.environ
            key = (
                environ.get("HTTP_HOST"),
                environ.get("SCRIPT_NAME"),
                environ.get("wsgi.url_scheme"),
                endpoint,
                *sorted(values.items()),
            )
            return kept[key]
        except KeyError:
            pass
        except (TypeError, RuntimeError):  # an unhashable value; outside a request
            return build(endpoint, **values)
        url = build(endpoint, **values)
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[key] = url
        return url

    return url_for
