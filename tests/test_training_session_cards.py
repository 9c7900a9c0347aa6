# ruff: noqa: E501  (OLD is the template's loop, its lines as they were)
"""The course page's session cards (portal/training/session_cards.py) write what the
template's loop wrote (training/course.html), in both languages, for every kind of card:
a place held or waited for, open for a resident, open for a visitor, open for a signed-in
non-resident, closed; seats free or full."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from flask import render_template_string
from markupsafe import Markup

from portal.training.session_cards import session_cards

# The template's loop before the cards became a function (current_user as `user`).
OLD = """<ul>
  {% for s in sessions %}
  <li class="card" id="sesi-{{ s.id }}">
    <p><strong>{{ s.starts_at|when }}</strong> – {{ s.ends_at|when('HH:mm') }}</p>
    <p class="meta">{{ s.where }}</p>
    <p>{% if s.free %}{{ ngettext("%(num)d seat free of %(total)d", "%(num)d seats free of %(total)d", s.free, total=s.seats) }}{% else %}{{ _("Full: new sign-ups join the waitlist.") }}{% endif %}</p>
    {% set place = mine.get(s.id) %}
    {% if place %}
      <p class="notice">{% if place.status == 'enrolled' %}{{ _("You have a place.") }}{% else %}{{ _("You are number %(pos)d on the waitlist.", pos=waitlist_position(place)) }}{% endif %}
      <a href="{{ url_for('training.my_place', place_id=place.id) }}">{{ _("Details") }}</a></p>
    {% elif session_open(s) %}
      {% if taker %}
      <form method="post" action="{{ url_for('training.sign_up', session_id=s.id) }}">
        {{ token }}
        <button type="submit">{% if s.free %}{{ _("Sign up") }}{% else %}{{ _("Join the waitlist") }}{% endif %}</button>
      </form>
      {% elif not user.is_authenticated %}
      <p><a class="button" href="{{ url_for('accounts.login', next=url_for('training.course', course_id=course.id)) }}">{{ _("Log in to sign up") }}</a></p>
      {% endif %}
    {% endif %}
    <p><a href="{{ url_for('training.session_ics', session_id=s.id) }}">{{ _("Add to calendar (.ics)") }}</a></p>
  </li>
  {% endfor %}
</ul>"""
NEW = """<ul>
{{ session_cards(sessions, mine, course_id=course.id, taker=taker, \
signed_in=user.is_authenticated, token=token, is_open=session_open, \
position=waitlist_position) }}</ul>"""


def _session(number: int, free: int, where: str = 'Balai <desa> & "RW 2"'):
    return SimpleNamespace(
        id=number, free=free, seats=12, where=where,
        starts_at=datetime(2026, 3, 4, 1 + number, 30, tzinfo=UTC),
        ends_at=datetime(2026, 3, 4, 5 + number, 0, tzinfo=UTC),
    )  # fmt: skip


SESSIONS = [_session(1, 5), _session(2, 0), _session(3, 1), _session(4, 0), _session(5, 7, "")]
MINE = {
    1: SimpleNamespace(id=40, status="enrolled"),
    2: SimpleNamespace(id=41, status="waitlisted"),
}
CLOSED = {5}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_session_cards_write_what_the_loop_wrote(app, lang):
    values = {
        "course": SimpleNamespace(id=7),
        "mine": MINE,
        "session_open": lambda s: s.id not in CLOSED,
        "waitlist_position": lambda place: 3,
        "session_cards": session_cards,
    }
    with app.test_request_context("/pelatihan/kursus/7", headers={"Accept-Language": lang}):
        compared = 0
        for taker, signed_in in ((True, True), (False, False), (False, True)):
            for token in ("", '<input name="csrf_token" type="hidden" value="a.b-c">'):
                for sessions in (SESSIONS, SESSIONS[2:3], []):
                    page = {
                        **values,
                        "sessions": sessions,
                        "taker": taker,
                        "token": Markup(token),  # noqa: S704  (a fixed test value)
                        "user": SimpleNamespace(is_authenticated=signed_in),
                    }
                    theirs = render_template_string(OLD, **page)
                    ours = render_template_string(NEW, **page)
                    assert ours == theirs, (taker, signed_in, token, len(sessions))
                    compared += 1
        assert compared == 18
