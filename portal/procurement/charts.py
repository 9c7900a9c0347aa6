"""The public summary's bar charts (templates/procurement/summary.html's `bars`), written
by a plain function: as a Jinja macro each chart cost some 230 Python calls. Bars drawn
on the server as SVG (no JavaScript, no inline style under the CSP), each with a table of
the same figures beside it. The markup is the macro's, byte for byte (the macro is kept
in tests/test_procurement_charts.py, which compares)."""

from __future__ import annotations

from flask import current_app
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from portal.text import escape_text


def _text(value) -> str:
    """markupsafe's escape, a plain str (most labels and amounts) without its calls."""
    return escape_text(value) if type(value) is str else escape(value)


def bars(id, title, rows) -> Markup:  # noqa: A002  (the macro's argument)
    """`rows`: [(label, value, shown text)]; `id` names the chart's title and caption."""
    env = current_app.jinja_env
    id = escape(id)  # noqa: A001
    title = escape(title)
    top = max(row[1] for row in rows) if rows else 0
    svg = []
    table = []
    for index, (label, value, shown) in enumerate(rows):
        y = index * 30
        width = round(value * 300 / top, 1) if top else 0
        svg.append(
            f'    <text x="0" y="{y + 11}" class="pr-label">'
            f"{_text(do_truncate(env, label, 38, True, '…'))}</text>\n"
            f'    <rect x="0" y="{y + 15}" width="300" height="10" class="pr-track"></rect>\n'
            f'    <rect x="0" y="{y + 15}" width="{width}" height="10" class="pr-fill"></rect>\n'
        )
        table.append(
            f'      <tr><th scope="row">{_text(label)}</th>'
            f'<td class="num">{_text(shown)}</td></tr>\n'
        )
    return Markup(  # noqa: S704 (every value escaped above)
        '<div class="pr-pair">\n'
        f'  <svg class="pr-chart" viewBox="0 0 300 {len(rows) * 30 + 4}" role="img"'
        f' aria-labelledby="{id}-title">\n'
        f'    <title id="{id}-title">{title}</title>\n'
        f"{''.join(svg)}  </svg>\n"
        f'<div class="table-wrap" tabindex="0" role="region" aria-labelledby="{id}-caption">\n'
        f'    <table>\n      <caption id="{id}-caption">{title}</caption>\n      <tbody>\n'
        f"{''.join(table)}      </tbody>\n    </table>\n\n</div></div>\n"
    )
