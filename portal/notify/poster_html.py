"""notify/_poster_links.html's links to a page's A4 poster and A6 flyer, written by a
plain function for a staff page written in Python (the distribution round's): the
macro's markup, byte for byte (tests/test_notify_poster_links.py compares them in both
languages). The catalogue's texts as Jinja's `_()` left them (not escaped)."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import escape

from portal.i18n import catalogue


def poster_links_html(kind: str, item_id: int, url_for: Callable[..., str]) -> str:
    """The links of `kind`'s item `item_id`, with its newline (`url_for`: the page's)."""
    ugettext = catalogue().ugettext
    a4 = escape(url_for("notify_manage.poster", kind=kind, item_id=item_id, size="a4"))
    a6 = escape(url_for("notify_manage.poster", kind=kind, item_id=item_id, size="a6"))
    return (
        f'<p class="poster-links">{ugettext("Posters and flyers")}: <a href="{a4}">'
        f'{ugettext("A4 poster")}</a> · <a href="{a6}">{ugettext("A6 flyer")}</a></p>\n'
    )
