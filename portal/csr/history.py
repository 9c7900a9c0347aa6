"""A pledge's dated, signed steps as templates/csr/_history.html lists them, written in
Python (`csr_history_events` in the templates): the Jinja loop cost some 120 Python
calls a step, and a pledge's page lists every step. The markup is the loop's, byte for
byte (tests/test_csr.py compares them)."""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.csr.amounts import _amounts, _need_amounts
from portal.csr.models import PLEDGE_STATUSES
from portal.i18n import catalogue, current_lang, when


def history_events(pledge, events) -> Markup:
    """The <li> of each step (`services.pledge_history(...).events`) of `pledge`."""
    lang = current_lang()
    if pledge.need:
        amount = _need_amounts(pledge.need, lang)
    else:
        amount = _amounts(pledge.kind, pledge.unit, lang)
    labels: dict[str, str] = {}

    def label(status: str) -> str:
        if status not in labels:
            labels[status] = escape(PLEDGE_STATUSES[status])
        return labels[status]

    unknown = None
    out = []
    for e in events:
        out += ['  <li>\n    <span class="nowrap">', escape(when(e.at, "short")), "</span>:\n"]
        if e.from_status:
            out += [label(e.from_status), " → "]
        out += ["<strong>", label(e.to_status), "</strong>\n"]
        if e.amount:
            out += ["(", amount(e.amount), ")"]
        if e.actor_name:
            name = escape(e.actor_name)
        else:  # what the template's _() gave: our own catalogue's text, as Markup
            name = unknown = unknown or catalogue().ugettext("unknown")
        out += ["    · ", name, "\n"]
        if e.note:
            out += ['<br><span class="meta">', escape(e.note), "</span>"]
        out.append("  </li>\n")
    return Markup("".join(out))  # noqa: S704 (every value escaped above)
