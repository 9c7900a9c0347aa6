"""The staff list's rows (/staf/pengaduan/), written by a plain function (the template
calls it as `complaint_rows`): a page of up to 25 complaints, where Jinja spent some 60
Python calls a row. The markup is the template's loop's, byte for byte (tests/
test_complaints_staff_rows.py): labels escaped as Jinja did, the status tag
status_tags' markup, the catalogue's own strings as Jinja's gettext left them."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import get_timezone
from markupsafe import Markup

from portal.complaints.models import CATEGORIES, PRIORITIES
from portal.complaints.services import is_overdue
from portal.i18n import DATETIME_PATTERNS, _when, catalogue, current_lang
from portal.models_base import utcnow
from portal.status_tags import status_tag_html
from portal.text import escape_text

_FLAGGED = ("high", "urgent")


def complaint_rows(rows: Iterable, detail_stem: str) -> Markup:
    """<tr>s of staff_page's rows; `detail_stem` is a complaint's address without its
    number (the number follows it)."""
    gettext = catalogue().ugettext
    about_staff = f' <span class="tag tag-pin">{gettext("About staff")}</span>'
    late = f' <span class="tag tag-danger">{gettext("Overdue")}</span>'
    # when(created_at) with the language, pattern and time zone found once, not per row.
    lang, zone, now = current_lang(), get_timezone(), utcnow()
    pattern = DATETIME_PATTERNS.get(lang, "medium")
    tags: dict[str, Markup] = {}
    out = []
    for c in rows:
        tag = tags.get(c.status)
        if tag is None:
            tag = tags[c.status] = status_tag_html("complaint", c.status)
        category = escape_text(str(CATEGORIES[c.category]))
        if c.priority in _FLAGGED:
            label = escape_text(str(PRIORITIES[c.priority]))
            category += f' <span class="tag tag-warn">{label}</span>'
        if c.about_staff:
            category += about_staff
        name = escape_text(c.assigned_name) if c.assigned_to_id else "–"
        out.append(
            f'  <tr>\n    <td><a href="{detail_stem}{c.id}">{c.id}</a></td>\n'
            f'    <td class="nowrap">'
            f"{escape_text(_when(c.created_at, pattern, lang, zone))}</td>\n"
            f"    <td>{category}</td>\n"
            f"    <td>{tag}{late if is_overdue(c, now) else ''}</td>\n"
            f"    <td>{name}</td>\n  </tr>\n"
        )
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
