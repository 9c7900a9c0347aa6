"""The top of the public board (portal/lists/board_html.py) writes what the template
wrote: the crumbs, the facts, the objections' section and the changes, in both languages,
for a title or benefit only in Indonesian, a replaced version, no amount, objections open
or closed and each kind of summary, with markup in the staff-written texts."""

# ruff: noqa: E501  (the old template's lines kept as they were)

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from flask import render_template_string, url_for

from portal.lists.board_html import board_top

# templates/lists/board.html from the crumbs to the changes' section, before it became
# board_top (with the frame and the title it was written in).
OLD_TOP = (
    '{% from "_macros/ui.html" import fallback_note %}{% set title = tr(period, "title") %}'
    "{% with %}\n"
    '<p class="crumbs"><a href="{{ url_for(\'lists.index\') }}">{{ _("Recipient lists") }}</a></p>\n'
    "<h1>{{ title }}</h1>\n"
    "{{ fallback_note(title) }}\n"
    "{% if version.id != latest.id %}\n"
    '<p class="notice notice-warning" role="status">{{ _("This is version %(n)d, replaced by a later version.", n=version.number) }} <a href="{{ url_for(\'lists.board\', period_id=period.id) }}">{{ _("See the latest version") }}</a></p>\n'
    "{% endif %}\n"
    '<dl class="facts">\n'
    '  <dt>{{ _("Programme") }}</dt><dd>{{ tr(period.programme, "name") }}</dd>\n'
    '  <dt>{{ _("Period") }}</dt><dd>{{ period.starts_on|day }} – {{ period.ends_on|day }}</dd>\n'
    '  <dt>{{ _("Each household receives") }}</dt><dd>{% set benefit = tr(period, "benefit") %}<span{% if benefit.fallback %} lang="id"{% endif %}>{{ benefit }}</span>{% if period.amount is not none %} ({{ period.amount|money }}){% endif %}</dd>\n'
    '  <dt>{{ _("Households") }}</dt><dd>{{ version.households }}</dd>\n'
    '  <dt>{{ _("Version") }}</dt><dd>{{ version.number }} · {{ _("published %(when)s", when=version.published_at|when) }}</dd>\n'
    '  <dt>{{ _("Village decision") }}</dt><dd>{{ _("Special village meeting on %(day)s at %(place)s: %(n)d present, quorum %(q)d, BPD present.", day=version.decision.held_on|day, place=version.decision.place, n=version.decision.attendees_count, q=version.decision.quorum_required) }}</dd>\n'
    '  <dt>{{ _("Approved by the village head") }}</dt><dd>{{ version.approval.at|when }}</dd>\n'
    "</dl>\n"
    "\n"
    '<p><a href="{{ url_for(\'distribution.index\', daftar=period.id) }}">{{ _("Where and when this aid is handed out") }}</a></p>\n'
    "\n"
    '<section aria-labelledby="objections-h">\n'
    '<h2 id="objections-h">{{ _("Objections") }}</h2>\n'
    "{% if open %}\n"
    '<p>{{ _("Anyone may object until %(day)s: that a listed household should not receive this aid, or that a household left out should.", day=version.objection_until|day) }}</p>\n'
    '<p><a class="button" href="{{ url_for(\'lists.objection\', period_id=period.id) }}">{{ _("Object that a household was left out") }}</a></p>\n'
    "{% else %}\n"
    '<p>{{ _("The objection period ended on %(day)s.", day=version.objection_until|day) }}</p>\n'
    "{% endif %}\n"
    "</section>\n"
    "\n"
    "{% set s = version.summary %}\n"
    "{% if s.previous or s.objections %}\n"
    '<section aria-labelledby="changes-h">\n'
    '<h2 id="changes-h">{{ _("Changes since version %(n)d", n=s.previous) if s.previous else _("Objections decided") }}</h2>\n'
    "{% if s.previous %}\n"
    '<p>{{ ngettext("%(num)d household added", "%(num)d households added", s.added) }}{% if s.added_names %}: {{ s.added_names|join(", ") }}{% endif %}.</p>\n'
    '<p>{{ ngettext("%(num)d household removed", "%(num)d households removed", s.removed) }}{% if s.removed_names %}: {{ s.removed_names|join(", ") }}{% endif %}.</p>\n'
    "{% endif %}\n"
    "{% if s.objections %}\n"
    '<p>{{ _("Objections decided: %(upheld)d upheld, %(rejected)d rejected.", upheld=s.objection_counts.upheld, rejected=s.objection_counts.rejected) }}</p>\n'
    "<ul>\n"
    "  {% for o in s.objections %}\n"
    '  <li>{{ _("Objection no. %(id)d", id=o.id) }}: {{ objection_kinds[o.kind] }} – <strong>{{ objection_statuses[o.status] }}</strong></li>\n'
    "  {% endfor %}\n"
    "</ul>\n"
    "{% endif %}\n"
    "</section>\n"
    "{% endif %}\n"
    "\n"
    "{% endwith %}"
)

SUMMARIES = [
    {},
    {"previous": None, "objections": []},
    {
        "previous": 1,
        "added": 1,
        "removed": 2,
        "added_names": ["Ani <b>", "B&B"],
        "removed_names": [],
        "objections": [
            {"id": 3, "kind": "remove", "status": "upheld"},
            {"id": 4, "kind": "include", "status": "rejected"},
        ],
        "objection_counts": {"upheld": 1, "rejected": 1},
    },
    {"previous": 2, "added": 0, "removed": 1, "added_names": [], "removed_names": ["C 'D'"]},
    {
        "objections": [{"id": 9, "kind": "include", "status": "open"}],
        "objection_counts": {"upheld": 0, "rejected": 0},
    },
]


def _period(english: bool, amount):
    return SimpleNamespace(
        id=7,
        title_id="BLT <Januari> & Maret",
        title_en="BLT January & March" if english else None,
        benefit_id='Rp300.000 "tunai"',
        benefit_en="IDR 300,000 in cash" if english else "",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 3, 31),
        amount=amount,
        programme=SimpleNamespace(name_id="Program <BLT>", name_en=None if english else "BLT"),
    )


def _version(vid: int, summary: dict):
    return SimpleNamespace(
        id=vid,
        number=vid,
        households=33,
        published_at=datetime(2026, 12, 6, 11, 48, tzinfo=UTC),
        objection_until=date(2026, 12, 20),
        summary=summary,
        decision=SimpleNamespace(
            held_on=date(2026, 12, 3),
            place="Balai <Desa> & 'Duri'",
            attendees_count=62,
            quorum_required=40,
        ),
        approval=SimpleNamespace(at=datetime(2026, 12, 6, 11, 50)),
    )


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("summary", SUMMARIES)
def test_board_top_writes_what_the_template_wrote(app, lang, summary):
    with app.test_request_context("/daftar-penerima/7", headers={"Accept-Language": lang}):
        for english in (True, False):
            for amount in (900_000, None):
                period = _period(english, amount)
                for latest_id in (2, 3):
                    version, latest = _version(2, summary), SimpleNamespace(id=latest_id)
                    for is_open in (True, False):
                        values = dict(period=period, version=version, latest=latest)
                        old = render_template_string(OLD_TOP, open=is_open, **values)
                        new = board_top(period, version, latest, is_open, url_for)
                        assert f"{new}\n" == old
