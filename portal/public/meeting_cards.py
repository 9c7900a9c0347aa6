"""The meetings page's cards (/musyawarah), written by a plain function (the template
calls it as `meeting_cards`): where Jinja spent some 60 Python calls a card (a macro
call for the title among them). The markup is the template's loops', byte for byte
(tests/test_public_meeting_cards.py): stored texts escaped as Jinja did, the
catalogue's own strings as Jinja's gettext left them."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import get_timezone
from markupsafe import Markup

from portal.i18n import (
    DATETIME_PATTERNS,
    _when,
    catalogue,
    current_lang,
    day,
    localized,
    machine_time,
)
from portal.public.models import MEETING_KINDS
from portal.text import escape_text


def meeting_cards(rows: Iterable, stem: str, *, held: bool = False) -> Markup:
    """<li>s of meetings_page's rows; `stem` a meeting's address without its number.
    Held meetings show their day and whether the minutes are out; the others the time
    they start and the place."""
    lang = current_lang()
    if held:
        gettext = catalogue().ugettext
        minutes = (gettext("Minutes not yet published"), gettext("Minutes available"))
    else:
        zone, pattern = get_timezone(), DATETIME_PATTERNS.get(lang, "medium")
    out = []
    for m in rows:
        title = localized(m, "title", lang)
        if held:
            shown = day(m.starts_at)
            after = minutes[bool(m.has_minutes)]
        else:
            shown = _when(m.starts_at, pattern, lang, zone)
            after = escape_text(m.place)
        fallback = ' lang="id"' if title.fallback else ""
        out.append(
            '    <li class="card">\n'
            f'      <span class="tag">{escape_text(str(MEETING_KINDS[m.kind]))}</span>\n'
            f'      <h3><a href="{stem}{m.id}"><span{fallback}>'
            f"{title.__html__()}</span></a></h3>\n"
            f'      <p class="meta"><time datetime="{machine_time(m.starts_at)}">'
            f"{escape_text(shown)}</time> · {after}</p>\n    </li>\n"
        )
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
