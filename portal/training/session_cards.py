"""The course page's session cards (/pelatihan/kursus/<id>), written by a plain function
(the template calls it as `session_cards`): Jinja spent some 200 Python calls a session
on one card (its URLs, words and times looked up again on each). The markup is the
loop's, byte for byte (tests/test_training_session_cards.py compares them in both
languages, for every kind of card): values are escaped as Jinja did, the words from our
catalogue left as Jinja's _() left them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from flask import url_for as flask_url_for
from flask_babel import get_timezone
from markupsafe import Markup, escape

from portal.i18n import DATETIME_PATTERNS, _when, catalogue, current_lang, when


def _stem(url_for: Callable[..., str], endpoint: str, key: str) -> tuple[str, str]:
    """The endpoint's escaped URL for number 0 (`key`), split around it: (before, after)."""
    head, _zero, tail = str(escape(url_for(endpoint, **{key: 0}))).rpartition("/0")
    return head + "/", tail


def _login_link(url_for: Callable[..., str], course_id: int, label: str) -> str:
    """A card's login link, back to the course after logging in."""
    login = escape(url_for("accounts.login", next=url_for("training.course", course_id=course_id)))
    return f'      <p><a class="button" href="{login}">{label}</a></p>\n'


def _time(value, pattern: str, lang: str, zone) -> str:
    if isinstance(value, datetime):
        return _when(value, pattern, lang, zone)
    return when(value, pattern)


def session_cards(
    sessions: Iterable,
    mine: Mapping,
    *,
    course_id: int,
    taker: bool,
    signed_in: bool,
    token,
    is_open: Callable,
    position: Callable,
    url_for: Callable[..., str] = flask_url_for,
) -> Markup:
    """Each session's <li class="card">: when, where, seats, the reader's place (from
    `mine`, by session: its state and position on the waitlist by `position`), or while
    it `is_open` the sign-up form for a `taker` (with the CSRF field `token`) or the
    login link for someone not `signed_in`; and the .ics link. `url_for`: the
    template's (it keeps the addresses), else Flask's."""
    cat = catalogue()
    t = cat.ugettext
    lang, zone = current_lang(), get_timezone()
    pattern = DATETIME_PATTERNS.get(lang, "medium")
    place_head, place_tail = _stem(url_for, "training.my_place", "place_id")
    sign_head, sign_tail = _stem(url_for, "training.sign_up", "session_id")
    ics_head, ics_tail = _stem(url_for, "training.session_ics", "session_id")
    login_link = None  # made when a card first needs it (only for someone not signed in)
    full, have, details = (
        t("Full: new sign-ups join the waitlist."),
        t("You have a place."),
        t("Details"),
    )
    sign_up, join, ics = t("Sign up"), t("Join the waitlist"), t("Add to calendar (.ics)")
    out = []
    for s in sessions:
        seats = (
            cat.ungettext(
                "%(num)d seat free of %(total)d", "%(num)d seats free of %(total)d", s.free
            )
            % {"num": s.free, "total": s.seats}
            if s.free
            else full
        )
        out.append(
            f'  <li class="card" id="sesi-{s.id}">\n'
            f"    <p><strong>{escape(_time(s.starts_at, pattern, lang, zone))}</strong> – "
            f"{escape(_time(s.ends_at, 'HH:mm', lang, zone))}</p>\n"
            f'    <p class="meta">{escape(s.where)}</p>\n    <p>{seats}</p>\n'
        )
        place = mine.get(s.id)
        if place:
            if place.status == "enrolled":
                state = have
            else:
                state = t("You are number %(pos)d on the waitlist.") % {"pos": position(place)}
            out.append(
                f'      <p class="notice">{state}      '
                f'<a href="{place_head}{place.id}{place_tail}">{details}</a></p>\n'
            )
        elif is_open(s):
            if taker:
                out.append(
                    f'      <form method="post" action="{sign_head}{s.id}{sign_tail}">\n'
                    f"        {escape(token)}\n"
                    f'        <button type="submit">{sign_up if s.free else join}</button>\n'
                    "      </form>\n"
                )
            elif not signed_in:
                if login_link is None:
                    login_link = _login_link(url_for, course_id, t("Log in to sign up"))
                out.append(login_link)
        out.append(f'    <p><a href="{ics_head}{s.id}{ics_tail}">{ics}</a></p>\n  </li>\n')
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
