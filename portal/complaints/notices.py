"""The complaint poster for the notice boards: where to file a complaint (the QR code),
where to follow it with its code, and the village office's numbers."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _

from portal.i18n import lazy_gettext as _l
from portal.notify import hooks
from portal.notify.services import absolute

POSTER_ID = 1


def poster(item_id: int) -> hooks.PosterContent | None:
    if item_id != POSTER_ID:
        return None
    track = absolute(url_for("complaints.track"))
    lines = [
        _("Something wrong with aid, a list or a service? Tell the village."),
        _("No account needed; you may stay anonymous."),
        _("Follow your complaint with its code: %(url)s", url=track),
    ]
    phone = current_app.config.get("VILLAGE_PHONE")
    whatsapp = current_app.config.get("VILLAGE_WHATSAPP")
    if phone:
        lines.append(_("Village office: %(phone)s", phone=phone))
    if whatsapp:
        lines.append(_("WhatsApp: %(phone)s", phone=whatsapp))
    return hooks.PosterContent(
        title=_("Complaints and objections"), lines=lines, path=url_for("complaints.new")
    )


def register() -> None:
    hooks.register_poster(
        "complaints",
        hooks.PosterProvider(
            label=_l("Complaints"),
            choices=lambda: [(POSTER_ID, _("The complaint poster"))],
            content=poster,
        ),
    )
