"""Amounts in a need's unit, for the CSR templates (`_macros/csr.html` exports these as
`qty`, `need_qty` and `pledge_qty`): plain functions, because a board card shows six
amounts and a Jinja macro call costs some forty Python calls where these cost a few.
The output is the macros' was: the formatted number, then the escaped unit."""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.i18n import catalogue, current_lang, localized, money, number


def qty(kind, value, unit=None) -> Markup:
    """Rupiah for money; otherwise the number and, when there is one, the unit."""
    if kind == "money":
        return escape(money(value))
    text = escape(number(value))
    if unit:
        return Markup(f"{text} {escape(unit)}")  # noqa: S704  (both parts escaped)
    return text


def need_qty(need, value) -> Markup:
    """`value` in the need's unit, in the reader's language."""
    if need.kind == "money":
        return escape(money(value))
    return qty(need.kind, value, localized(need, "unit", current_lang()))


def pledge_qty(pledge, value) -> Markup:
    """`value` in the pledge's need's unit, or in the offer's own unit."""
    if pledge.need:
        return need_qty(pledge.need, value)
    return qty(pledge.kind, value, pledge.unit)


def bars(need, p) -> Markup:
    """Two bars against the target: pledged and delivered (`_macros/csr.html` exports
    this as `bars`; the markup is what the macro wrote, byte for byte). A bar never runs
    past its end; the words say the real share, and say so when it is more than was
    needed."""
    ugettext = catalogue().ugettext

    def _(text, **variables):
        return Markup(ugettext(text)) % variables  # noqa: S704  (our own catalogue)

    nid = escape(need.id)
    target = escape(p.target)
    over_pledged = (
        f'<span class="tag tag-over">{_("More pledged than needed")}</span>'
        if p.over_pledged
        else ""
    )
    over_delivered = (
        f'<span class="tag tag-over">{_("More delivered than needed")}</span>'
        if p.over_delivered
        else ""
    )
    still = (
        _("Still needed: %(amount)s.", amount=need_qty(need, p.still_needed))
        if p.still_needed
        else ""
    )
    pledged = _(
        "%(pct)d%% · %(amount)s of %(target)s",
        pct=p.pct_pledged,
        amount=need_qty(need, p.pledged),
        target=need_qty(need, p.target),
    )
    delivered = _("%(pct)d%% · %(amount)s", pct=p.pct_delivered, amount=need_qty(need, p.delivered))
    confirmed = _(
        "Confirmed by the village office: %(amount)s (%(pct)d%%).",
        amount=need_qty(need, p.confirmed),
        pct=p.pct_confirmed,
    )
    return Markup(  # noqa: S704  (every value above is escaped or Markup)
        '<div class="csr-progress">\n'
        '  <div class="csr-bar">\n'
        f'    <label for="need-{nid}-pledged">{_("Pledged")}</label>\n'
        f'    <progress id="need-{nid}-pledged" class="pledged" max="{target}"'
        f' value="{escape(p.bar(p.pledged))}">{escape(p.pct_pledged)}%</progress>\n'
        f'    <span class="csr-pct">{pledged}</span>\n'
        f"{over_pledged}  </div>\n"
        '  <div class="csr-bar">\n'
        f'    <label for="need-{nid}-delivered">{_("Delivered")}</label>\n'
        f'    <progress id="need-{nid}-delivered" class="delivered" max="{target}"'
        f' value="{escape(p.bar(p.delivered))}">{escape(p.pct_delivered)}%</progress>\n'
        f'    <span class="csr-pct">{delivered}</span>\n'
        f"{over_delivered}  </div>\n"
        f'  <p class="meta">{confirmed}\n'
        f"{still}</p>\n"
        "</div>\n"
    )
