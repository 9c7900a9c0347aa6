"""The calendar of sessions' rows (/pelatihan/kalender), written by a plain function (the
template calls it as `calendar_rows`): Jinja spent some 200 Python calls a row on four
cells (the column names translated again, the URL, the time and the title looked up on
each). The markup is the loop's, byte for byte (tests/test_training_calendar_rows.py
compares them in both languages): stored values are escaped as Jinja did."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import get_timezone
from markupsafe import Markup, escape

from portal.i18n import DATETIME_PATTERNS, _when, current_lang, localized, when


def calendar_rows(sessions: Iterable, course_url: str, labels) -> Markup:
    """Each session's <tr>: when, its course (a link), the place, the free seats.
    `course_url` is the address of course 0 (the template's url_for), `labels` the
    template's (_("When"), _("Course"), _("Place"), _("Free seats"))."""
    head, _zero, tail = str(escape(course_url)).rpartition("/0")
    when_label, course_label, place_label, free_label = (str(escape(x)) for x in labels)
    # when(starts_at) with the language, pattern and time zone found once, not per row.
    lang, zone = current_lang(), get_timezone()
    pattern = DATETIME_PATTERNS.get(lang, "medium")
    out = []
    for s in sessions:
        starts = s.starts_at
        stamp = _when(starts, pattern, lang, zone) if isinstance(starts, datetime) else when(starts)
        out.append(
            f'  <tr>\n    <td data-label="{when_label}">{escape(stamp)}</td>\n'
            f'    <td data-label="{course_label}"><a href="{head}/{s.course_id}{tail}">'
            f"{escape(localized(s.course, 'title', lang))}</a></td>\n"
            f'    <td data-label="{place_label}">{escape(s.where)}</td>\n'
            f'    <td data-label="{free_label}" class="num">{escape(s.free)}</td>\n  </tr>\n'
        )
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
