"""Posters and flyers of the public pages (announcements, meetings, programmes),
offered to the notify service; only what is published prints."""

from __future__ import annotations

from functools import cache, partial

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.i18n import localized, money, when
from portal.models_base import as_utc
from portal.notify import hooks
from portal.programmes.models import AID_TYPES, Programme
from portal.public import services
from portal.public.models import Announcement, Meeting
from portal.text import plain_excerpt


# The poster page lists each kind's published items by title: the id and the two
# titles as plain rows, each statement built once per process (with its cache key).
@cache
def _titles_statement(kind: str):
    model, order = {
        "announcement": (Announcement, Announcement.published_at.desc()),
        "meeting": (Meeting, Meeting.starts_at.desc()),
        "programme": (
            Programme,
            (Programme.is_open.desc(), Programme.name_id),  # services.programmes()
        ),
    }[kind]
    title = "name" if model is Programme else "title"
    order = order if isinstance(order, tuple) else (order,)
    query = select(
        model.id,
        getattr(model, f"{title}_id").label("title_id"),
        getattr(model, f"{title}_en").label("title_en"),
    ).where(model.published.is_(True))
    query = hooks.ranked(query, *order)
    return query if model is Programme else query.limit(100)


def _title(row) -> str:
    return str(localized(row, "title"))


# Each kind's choices as rows, which the poster page reads with the other kinds' at once.
_ROWS = {
    kind: hooks.ChoiceRows(statement=partial(_titles_statement, kind), label=_title)
    for kind in ("announcement", "meeting", "programme")
}


def _titles(kind: str) -> list[tuple[int, str]]:
    return _ROWS[kind].read()


def announcement(item_id: int) -> hooks.PosterContent | None:
    item = services.published_announcement(item_id)
    if item is None:
        return None
    return hooks.PosterContent(
        title=str(localized(item, "title")),
        lines=[plain_excerpt(str(localized(item, "body")), 400)],
        path=url_for("public.announcement", announcement_id=item.id),
    )


def meeting(item_id: int) -> hooks.PosterContent | None:
    item = services.published_meeting(item_id)
    if item is None:
        return None
    return hooks.PosterContent(
        title=str(localized(item, "title")),
        lines=[
            _("When: %(when)s", when=when(as_utc(item.starts_at))),
            _("Where: %(place)s", place=item.place),
            plain_excerpt(str(localized(item, "agenda")), 300),
            _("Open to every resident."),
        ],
        path=url_for("public.meeting", meeting_id=item.id),
    )


def _programme_choices() -> list[tuple[int, str]]:
    # The published programmes in services.programmes()' order.
    return _titles("programme")


def programme(item_id: int) -> hooks.PosterContent | None:
    item = db.session.get(Programme, item_id)
    if item is None or item not in services.programmes():
        return None
    lines = [
        str(AID_TYPES.get(item.aid_type, "")),
        plain_excerpt(str(localized(item, "summary")), 300),
    ]
    if item.benefit_value:
        lines.append(_("Each household receives %(amount)s", amount=money(item.benefit_value)))
    return hooks.PosterContent(
        title=str(localized(item, "name")),
        lines=[line for line in lines if line],
        path=url_for("public.programme", slug=item.slug),
    )


def register() -> None:
    hooks.register_poster(
        "announcement",
        hooks.PosterProvider(
            label=_l("Announcements"),
            choices=lambda: _titles("announcement"),
            content=announcement,
            rows=_ROWS["announcement"],
        ),
    )
    hooks.register_poster(
        "meeting",
        hooks.PosterProvider(
            label=_l("Village meetings"),
            choices=lambda: _titles("meeting"),
            content=meeting,
            rows=_ROWS["meeting"],
        ),
    )
    hooks.register_poster(
        "programme",
        hooks.PosterProvider(
            label=_l("Aid programmes"),
            choices=_programme_choices,
            content=programme,
            rows=_ROWS["programme"],
        ),
    )
