"""The subscribers page's consent rows (/staf/kabar/pelanggan), written by a plain
function (the template calls it as `consent_rows`): the latest consents, five cells a
row, where Jinja spent some 40 Python calls a row. The markup is the template's loop's,
byte for byte: every value escaped as Jinja did, the time as its `when` filter writes it
(tests/test_notify_consent_rows.py compares them in both languages)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import get_timezone
from markupsafe import Markup

from portal.i18n import DATETIME_PATTERNS, _when, current_lang
from portal.text import escape_text


def consent_rows(consents: Iterable) -> Markup:
    """<tr>s of `consents` (manage._consent_rows': at, masked phone, what, how, topics;
    the four texts str)."""
    # when(at) with the language, pattern and time zone found once, not per row.
    lang, zone = current_lang(), get_timezone()
    pattern = DATETIME_PATTERNS.get(lang, "medium")
    out = []
    for at, phone, action, how, topics in consents:
        stamp = escape_text(_when(at, pattern, lang, zone))
        out.append(
            f'  <tr><td class="nowrap">{stamp}</td><td>{escape_text(phone)}</td>'
            f"<td>{escape_text(action)}</td><td>{escape_text(how)}</td>"
            f"<td>{escape_text(topics)}</td></tr>\n"
        )
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
