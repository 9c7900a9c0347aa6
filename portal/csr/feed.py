"""The Atom feed of the pledge board: each public step of each pledge (feedgen)."""

from __future__ import annotations

from feedgen.feed import FeedGenerator
from flask import current_app, url_for
from flask_babel import gettext as _

from portal.csr.receipts import amount_text
from portal.i18n import current_lang, localized
from portal.models_base import as_utc


def event_title(event, lang: str) -> str:
    """One line saying what happened, in the reader's language."""
    pledge = event.pledge
    need = str(localized(pledge.need, "title", lang)) if pledge.need else ""
    values = {
        "company": pledge.company.name,
        "amount": amount_text(pledge, pledge.amount, lang),
        "need": need,
    }
    if event.to_status == "pledged":
        return _("%(company)s pledged %(amount)s for “%(need)s”", **values)
    if event.to_status == "confirmed":
        return _("The village confirmed the pledge of %(company)s for “%(need)s”", **values)
    if event.to_status in ("partly_delivered", "delivered"):
        values["amount"] = amount_text(pledge, event.amount or 0, lang)
        return _("%(company)s delivered %(amount)s for “%(need)s”", **values)
    if event.to_status == "closed":
        return _("The pledge of %(company)s for “%(need)s” is closed", **values)
    return _("%(company)s withdrew its pledge for “%(need)s”", **values)


def pledges_atom(events, *, feed_url: str, site_url: str) -> bytes:
    lang = current_lang()
    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title(
        _(
            "Village needs and CSR pledges of %(village)s",
            village=current_app.config["VILLAGE_NAME"],
        )
    )
    fg.link(href=site_url, rel="alternate")
    fg.link(href=feed_url, rel="self")
    fg.language(lang)
    fg.author({"name": current_app.config["VILLAGE_NAME"]})
    latest = None
    for event in reversed(events):
        pledge = event.pledge
        entry = fg.add_entry()
        if pledge.need_id:
            link = url_for("csr.need", need_id=pledge.need_id, _external=True)
        else:
            link = url_for("csr.company", company_id=pledge.company_id, _external=True)
        entry.id(f"{site_url}#event-{event.id}")
        entry.link(href=link)
        entry.title(event_title(event, lang))
        entry.content(event_title(event, lang), type="text")
        stamp = as_utc(event.at)
        entry.updated(stamp)
        entry.published(stamp)
        latest = max(latest, stamp) if latest else stamp
    if latest:
        fg.updated(latest)
    return fg.atom_str(pretty=False)
