"""The ledger pages' shared parts written by plain functions: the round's three ledger
pages' nav (ledger/_nav.html) and the cash and per-item figures (ledger/_figures.html,
the staff closing page's and the public reconciliation's). As includes they cost a new
template context and some hundred Python calls each. The markup is the templates',
byte for byte (tests/test_distribution_rows.py compares)."""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.distribution.rows import balances_table
from portal.i18n import catalogue, current_lang, money
from portal.text import escape_text

_PAGES = (
    ("stock", "distribution_ledger.stock", "Stock"),
    ("closing", "distribution_ledger.closing", "Closing and reconciliation"),
    ("sample", "distribution_ledger.sample", "Arrival check"),
)


def ledger_nav(round_id: int, active: str, url_for) -> Markup:
    """The nav between the round's stock, closing and arrival check pages, `active`
    marked as the current page. `url_for` is the template's."""
    ugettext = catalogue().ugettext
    # What the template's _() gave: our catalogue's text, as Markup (not escaped again).
    current = ' aria-current="page"'
    links = "".join(
        f'    <li><a href="{escape(url_for(endpoint, round_id=round_id))}"'
        f"{current if key == active else ''}>{ugettext(label)}</a></li>\n"
        for key, endpoint, label in _PAGES
    )
    return Markup(  # noqa: S704 (every value escaped above)
        f'<nav aria-label="{ugettext("This round")}">\n  <ul class="actions">\n{links}'
        "  </ul>\n</nav>"
    )


def ledger_figures(figures, names: dict, prefix: str) -> Markup:
    """Cash (budgeted, paid, left) and the ledger summed per item, headings' ids
    starting with `prefix`."""
    ugettext = catalogue().ugettext
    lang = current_lang()
    prefix = escape(prefix)

    def rupiah(value) -> str:
        return escape_text(money(value, lang))

    return Markup(  # noqa: S704 (every value escaped above)
        f'<h2 id="{prefix}-cash">{ugettext("Cash")}</h2>\n<dl class="facts">\n'
        f'  <dt>{ugettext("Budgeted")}</dt><dd data-cash="budgeted">'
        f"{rupiah(figures.cash_budgeted)}</dd>\n"
        f'  <dt>{ugettext("Paid")}</dt><dd data-cash="paid">{rupiah(figures.cash_paid)}</dd>\n'
        f"  <dt>{ugettext('Budgeted, not paid')}</dt><dd>{rupiah(figures.cash_left)}</dd>\n"
        f'</dl>\n<h2 id="{prefix}-items">{ugettext("Items, all points")}</h2>\n'
        f"{balances_table(figures.per_item().values(), names, f'{prefix}-items')}"
    )
