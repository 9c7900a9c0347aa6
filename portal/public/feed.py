"""The Atom feed of announcements, built with feedgen."""

from __future__ import annotations

from feedgen.feed import FeedGenerator
from flask import current_app, url_for
from flask_babel import gettext as _

from portal.i18n import current_lang, localized
from portal.models_base import as_utc
from portal.text import render_markdown


def announcements_atom(items, *, feed_url: str, site_url: str) -> bytes:
    lang = current_lang()
    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title(_("Announcements of %(village)s", village=current_app.config["VILLAGE_NAME"]))
    fg.link(href=site_url, rel="alternate")
    fg.link(href=feed_url, rel="self")
    fg.language(lang)
    fg.author({"name": current_app.config["VILLAGE_NAME"]})
    latest = None
    for item in reversed(items):
        entry = fg.add_entry()
        link = url_for("public.announcement", announcement_id=item.id, _external=True)
        entry.id(link)
        entry.link(href=link)
        entry.title(str(localized(item, "title", lang)))
        entry.content(str(render_markdown(str(localized(item, "body", lang)))), type="html")
        stamp = item.updated_at or item.published_at
        entry.updated(as_utc(stamp))
        entry.published(as_utc(item.published_at or stamp))
        latest = max(latest, as_utc(stamp)) if latest else as_utc(stamp)
    if latest:
        fg.updated(latest)
    return fg.atom_str(pretty=False)
