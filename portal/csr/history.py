"""A pledge's dated, signed steps and its deliveries as templates/csr/_history.html lists
them, written in Python (`csr_history_events` and `csr_history_deliveries` in the
templates): the Jinja loops cost some 120 Python calls a step or delivery, and a
pledge's page lists every one. The markup is the loops', byte for byte
(tests/test_csr.py compares them)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import get_timezone
from markupsafe import Markup, escape

from portal.csr.amounts import _amounts, _need_amounts
from portal.csr.models import PLEDGE_STATUSES
from portal.i18n import _when, catalogue, current_lang, day, when
from portal.text import escape_text


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
            labels[status] = escape_text(str(PLEDGE_STATUSES[status]))
        return labels[status]

    unknown = tz = None
    out = []
    for e in events:
        at = e.at
        if isinstance(at, datetime):  # i18n.when's text, the time zone found once
            tz = tz or get_timezone()
            stamp = _when(at, "short", lang, tz)
        else:
            stamp = when(at, "short")
        out += ['  <li>\n    <span class="nowrap">', escape(stamp), "</span>:\n"]
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


def history_deliveries(pledge, deliveries, url_for) -> Markup:
    """The <tr> of each delivery (`services.pledge_history(...).deliveries`) of
    `pledge`: day, amount (and "beyond target"), note and who recorded it, the
    acknowledgement and the attachment's links. `url_for` is the template's."""
    lang = current_lang()
    if pledge.need:
        amount = _need_amounts(pledge.need, lang)
    else:
        amount = _amounts(pledge.kind, pledge.unit, lang)
    ugettext = catalogue().ugettext
    words: dict[str, str] = {}

    def word(text: str) -> str:  # what the template's _() gave: our catalogue's text
        if text not in words:
            words[text] = ugettext(text)
        return words[text]

    out = []
    for d in deliveries:
        beyond = ""
        if d.beyond_target:
            beyond = f' <span class="tag tag-over">{word("beyond target")}</span>'
        recorded = Markup(word("Recorded by %(name)s")) % {  # noqa: S704 (our catalogue)
            "name": d.recorded_by_name or "?"
        }
        receipt = escape(url_for("csr.delivery_receipt", delivery_id=d.id))
        attachment = ""
        if d.attachment_file:
            href = escape(url_for("csr.attachment", delivery_id=d.id))
            attachment = f'<br><a href="{href}">{word("Receipt or photo")}</a>'
        out.append(
            f'  <tr>\n    <td class="nowrap">{escape(day(d.delivered_on))}</td>\n'
            f'    <td class="num">{amount(d.amount)}{beyond}</td>\n'
            f'    <td>{escape(d.note or "")}<br><span class="meta">{recorded}</span></td>\n'
            f'    <td>\n      <a href="{receipt}">{word("Acknowledgement (PDF)")}</a>\n'
            f"{attachment}    </td>\n  </tr>\n"
        )
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def history_section(pledge, history, url_for) -> Markup:
    """templates/csr/_history.html as it was (the partner's and the staff's pledge
    pages): the "History" heading and list of steps, then, when there are any, the
    deliveries' heading and table in ui.html's scroll_table wrapper. `history` is
    services.pledge_history(pledge.id); `url_for` the template's. Written here, the
    page needs neither the include nor the import of ui.html for scroll_table."""
    ugettext = catalogue().ugettext  # what the template's _() gave: our catalogue's text
    out = [
        f"<h2>{ugettext('History')}</h2>\n",
        '<ol class="csr-history">\n',
        history_events(pledge, history.events),
        "</ol>\n",
    ]
    if history.deliveries:
        deliveries = ugettext("Deliveries")
        out += [
            f"<h2>{deliveries}</h2>\n",
            f'<div class="table-wrap" tabindex="0" role="region" aria-label="{deliveries}">\n',
            "<table>\n",
            f'  <caption class="visually-hidden">{deliveries}</caption>\n',
            f'  <thead><tr><th scope="col">{ugettext("Date")}</th>'
            f'<th scope="col" class="num">{ugettext("Amount")}</th>'
            f'<th scope="col">{ugettext("Note")}</th>'
            f'<th scope="col">{ugettext("Documents")}</th></tr></thead>\n',
            "  <tbody>\n",
            history_deliveries(pledge, history.deliveries, url_for),
            "  </tbody>\n</table>\n\n</div>",
        ]
    return Markup("".join(out))  # noqa: S704 (every value escaped by the writers above)
