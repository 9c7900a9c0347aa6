"""The public board's totals tables (templates/csr/board.html's "Totals": per partner,
per kind, per year), written in Python (`csr_totals_tables`): the Jinja loops and
three scroll_table calls cost some 400 Python calls a page. The markup is the
template's, byte for byte (tests/test_csr.py compares). Rupiah hold digits,
separators and letters only and need no escaping; names and labels are escaped."""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.csr.models import NEED_KINDS
from portal.i18n import catalogue, current_lang, money


def _table(caption: str, first: str, pledged: str, delivered: str, rows: list[str]) -> str:
    # ui.html's scroll_table around the table: the caption (our catalogue's text, as
    # the template's _() gave it) names the region.
    return (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{caption}">\n'
        f"<table>\n  <caption>{caption}</caption>\n"
        f'  <thead><tr><th scope="col">{first}</th><th scope="col" class="num">{pledged}</th>'
        f'<th scope="col" class="num">{delivered}</th></tr></thead>\n'
        f"  <tbody>\n{''.join(rows)}  </tbody>\n</table>\n\n</div>"
    )


def totals_tables(totals: dict, url_for) -> Markup:
    """The three tables of `services.totals()`. `url_for` is the template's."""
    lang = current_lang()
    ugettext = catalogue().ugettext
    pledged, delivered = ugettext("Pledged"), ugettext("Delivered")
    href = str(escape(url_for("csr.company", company_id=0)))
    head = href[:-1] if href.endswith("/0") else None

    def link(company_id) -> str:
        if head is not None:
            return f"{head}{int(company_id)}"
        return escape(url_for("csr.company", company_id=company_id))

    def cells(p, d) -> str:
        return f'<td class="num">{money(p, lang)}</td><td class="num">{money(d, lang)}</td></tr>\n'

    partners = [
        f'  <tr><td><a href="{link(i)}">{escape(name)}</a></td>{cells(p, d)}'
        for i, name, p, d in totals["partners"]
    ]
    kinds = [f"  <tr><td>{escape(NEED_KINDS[k])}</td>{cells(p, d)}" for k, p, d in totals["kinds"]]
    years = [f"  <tr><td>{escape(y)}</td>{cells(p, d)}" for y, p, d in totals["years"]]
    return Markup(  # noqa: S704 (every value escaped above)
        _table(ugettext("Per partner"), ugettext("Partner"), pledged, delivered, partners)
        + _table(ugettext("Per kind"), ugettext("Kind"), pledged, delivered, kinds)
        + _table(ugettext("Per year"), ugettext("Year"), pledged, delivered, years)
    )
