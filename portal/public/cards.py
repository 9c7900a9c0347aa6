"""The home page's cards (the latest announcements, the programmes running now, the next
meetings), written by plain functions (home.html calls them as `announcement_cards`,
`programme_cards` and `meeting_cards`): Jinja spent some 100 Python calls a card on its
loops (a call, a filter and an escape for every value). The markup is the loops' was,
byte for byte (tests/test_public_cards.py keeps the old loops): titles, summaries and
places escaped as Jinja escaped them, a text that fell back to Indonesian marked as
ui.html's `text` marks it, times written by the same filters (machine_time, day, when).
`url_for` is the template's (it keeps the addresses)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from markupsafe import Markup

from portal.i18n import catalogue, current_lang, day, localized, machine_time, when
from portal.text import escape_text


def _span(obj, field: str, lang: str) -> str:
    t = localized(obj, field, lang)
    lang_attr = ' lang="id"' if t.fallback else ""
    return f"<span{lang_attr}>{escape_text(t.text)}</span>"


def _link(href: str, obj, field: str, lang: str) -> str:
    href = escape_text(href)
    return f'      <h3><a href="{href}">{_span(obj, field, lang)}</a></h3>\n'


def announcement_cards(items: Iterable, url_for: Callable[..., str]) -> Markup:
    """<li>s of the announcements: "Pinned" for a pinned one, the title linked, the day
    of publication."""
    lang = current_lang()
    pinned = None
    out = []
    for item in items:
        out.append('    <li class="card">\n')
        if item.pinned:
            if pinned is None:
                # Our catalogue's words, as Jinja's _() left them (not escaped).
                pinned = f'<span class="tag tag-pin">{catalogue().ugettext("Pinned")}</span>'
            out.append(pinned)
        href = url_for("public.announcement", announcement_id=item.id)
        at = item.published_at
        out.append(
            f"{_link(href, item, 'title', lang)}"
            f'      <p class="meta"><time datetime="{escape_text(machine_time(at))}">'
            f"{escape_text(day(at))}</time></p>\n    </li>\n"
        )
    return Markup("".join(out))  # noqa: S704  (every value above is escaped)


def programme_cards(programmes: Iterable, url_for: Callable[..., str]) -> Markup:
    """<li>s of the programmes: the name linked, the summary."""
    lang = current_lang()
    out = []
    for p in programmes:
        href = url_for("public.programme", slug=p.slug)
        out.append(
            f'    <li class="card">\n{_link(href, p, "name", lang)}'
            f"      <p>{_span(p, 'summary', lang)}</p>\n    </li>\n"
        )
    return Markup("".join(out))  # noqa: S704  (every value above is escaped)


def meeting_cards(meetings: Iterable, url_for: Callable[..., str]) -> Markup:
    """<li>s of the meetings: the title linked, when it starts, the place."""
    lang = current_lang()
    out = []
    for m in meetings:
        href = url_for("public.meeting", meeting_id=m.id)
        at = m.starts_at
        place = "None" if m.place is None else escape_text(str(m.place))
        out.append(
            f'    <li class="card">\n{_link(href, m, "title", lang)}'
            f'      <p class="meta"><time datetime="{escape_text(machine_time(at))}">'
            f"{escape_text(when(at))}</time> · {place}</p>\n    </li>\n"
        )
    return Markup("".join(out))  # noqa: S704  (every value above is escaped)
