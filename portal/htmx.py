"""Page or fragment: one view answers both a plain request and an htmx swap."""

from __future__ import annotations

from flask import make_response, render_template, request


def is_htmx() -> bool:
    """True for an htmx request that swaps part of a page (not a boosted navigation)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def render(page: str, fragment: str, **context):
    """Render the fragment for htmx, the whole page otherwise; caches must tell them apart."""
    response = make_response(render_template(fragment if is_htmx() else page, **context))
    # vary.add merges into one header: a second "Vary:" line is lost when Flask adds Cookie.
    response.vary.add("HX-Request")
    return response
