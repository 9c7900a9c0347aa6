"""The rows of the public figures page (`figures.html`, "Requests by month"), written by
a plain function (the template calls it as `figure_rows`): Jinja's loop spent some 50
Python calls a month on its filters. The markup is the loop's was, byte for byte
(tests/test_change_request_figure_rows.py keeps the old loop): a month named as the
`day` filter names it ("MMMM y"), a median as the `number` filter writes it, every cell
escaped as Jinja's autoescape did."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from markupsafe import Markup, escape

from portal.i18n import current_lang, day, number

# A month's name as `day(first_day, "MMMM y")` writes it, per language and worker: the
# same twelve months are on every page.
_MONTH_NAMES: dict[tuple[str, date], str] = {}


def _month_name(first_day: date, lang: str) -> str:
    key = (lang, first_day)
    name = _MONTH_NAMES.get(key)
    if name is None:
        if len(_MONTH_NAMES) > 1000:
            _MONTH_NAMES.clear()
        name = _MONTH_NAMES[key] = day(first_day, "MMMM y")
    return name


def figure_rows(months: Iterable, fewer: object) -> Markup:
    """<tr>s of `months` (reports.Month): a hidden figure (None) says `fewer`."""
    lang = current_lang()
    hidden = escape(fewer)
    out = []
    for m in months:
        cells = "".join(
            f"<td>{hidden if n is None else escape(n)}</td>"
            for n in (m.received, m.accepted, m.refused)
        )
        median = "–" if m.median_days is None else escape(number(m.median_days, lang))
        out.append(
            f'  <tr><th scope="row">{escape(_month_name(m.first_day, lang))}</th>'
            f"{cells}<td>{median}</td></tr>\n"
        )
    return Markup("".join(out))  # noqa: S704  (every value above is escaped)
