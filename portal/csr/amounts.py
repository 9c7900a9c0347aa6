"""Amounts in a need's unit and the progress bars, for the CSR templates
(`_macros/csr.html` exports these as `qty`, `need_qty`, `pledge_qty` and `bars`): plain
functions, because a board card shows six amounts and two bars, and a Jinja macro call
costs some forty Python calls where these cost a few. The markup is the macros' was,
byte for byte. Formatted numbers and rupiah hold digits, separators and letters only,
so they need no escaping; units are staff-written and are escaped."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from portal.i18n import catalogue, current_lang, localized, money, number


def _texts(kind, unit, lang: str) -> Callable[[object], str]:
    """value -> its markup as a plain str (see `_amounts`): for writers that put it
    straight into their own markup."""
    if kind == "money":
        return lambda value: money(value, lang)
    if unit:
        unit = escape(unit)
        return lambda value: f"{number(value, lang)} {unit}"
    return lambda value: number(value, lang)


def _amounts(kind, unit, lang: str) -> Callable[[object], Markup]:
    """value -> its markup: rupiah for money, else the number and the unit, if any."""
    if kind == "money":
        return lambda value: Markup(money(value, lang))  # noqa: S704  (see the module)
    if unit:
        unit = escape(unit)
        return lambda value: Markup(f"{number(value, lang)} {unit}")  # noqa: S704
    return lambda value: Markup(number(value, lang))  # noqa: S704  (see the module)


def qty(kind, value, unit=None) -> Markup:
    """Rupiah for money; otherwise the number and, when there is one, the unit."""
    return _amounts(kind, unit, current_lang())(value)


def _need_amounts(need, lang: str) -> Callable[[object], Markup]:
    if need.kind == "money":
        return _amounts("money", None, lang)
    return _amounts(need.kind, localized(need, "unit", lang), lang)


def _need_texts(need, lang: str) -> Callable[[object], str]:
    if need.kind == "money":
        return _texts("money", None, lang)
    return _texts(need.kind, localized(need, "unit", lang), lang)


def need_qty(need, value) -> Markup:
    """`value` in the need's unit, in the reader's language."""
    return _need_amounts(need, current_lang())(value)


def pledge_qty(pledge, value) -> Markup:
    """`value` in the pledge's need's unit, or in the offer's own unit."""
    if pledge.need:
        return need_qty(pledge.need, value)
    return qty(pledge.kind, value, pledge.unit)


def bars(need, p) -> Markup:
    """Two bars against the target: pledged and delivered. A bar never runs past its
    end; the words say the real share, and say so when it is more than was needed."""
    return Markup(_bars(need, p, current_lang(), catalogue().ugettext))  # noqa: S704


def _bars(need, p, lang: str, ugettext) -> str:
    """`bars` as a str, for `lang` and the catalogue's `ugettext` (the board's cards)."""
    amount = _need_texts(need, lang)
    # What Jinja's _() gives (the translation as Markup, % the values): every value
    # here is Markup already or a number, so plain % gives the same text.
    nid = int(need.id)
    target = int(p.target)
    over_pledged = (
        f'<span class="tag tag-over">{ugettext("More pledged than needed")}</span>'
        if p.over_pledged
        else ""
    )
    over_delivered = (
        f'<span class="tag tag-over">{ugettext("More delivered than needed")}</span>'
        if p.over_delivered
        else ""
    )
    still = p.still_needed
    still = ugettext("Still needed: %(amount)s.") % {"amount": amount(still)} if still else ""
    pct_pledged, pct_delivered = p.pct_pledged, p.pct_delivered
    pledged = ugettext("%(pct)d%% · %(amount)s of %(target)s") % {
        "pct": pct_pledged,
        "amount": amount(p.pledged),
        "target": amount(target),
    }
    delivered = ugettext("%(pct)d%% · %(amount)s") % {
        "pct": pct_delivered,
        "amount": amount(p.delivered),
    }
    confirmed = ugettext("Confirmed by the village office: %(amount)s (%(pct)d%%).") % {
        "amount": amount(p.confirmed),
        "pct": p.pct_confirmed,
    }
    return (  # our own catalogue; the values are escaped amounts or numbers
        '<div class="csr-progress">\n'
        '  <div class="csr-bar">\n'
        f'    <label for="need-{nid}-pledged">{ugettext("Pledged")}</label>\n'
        f'    <progress id="need-{nid}-pledged" class="pledged" max="{target}"'
        f' value="{p.bar(p.pledged)}">{pct_pledged}%</progress>\n'
        f'    <span class="csr-pct">{pledged}</span>\n'
        f"{over_pledged}  </div>\n"
        '  <div class="csr-bar">\n'
        f'    <label for="need-{nid}-delivered">{ugettext("Delivered")}</label>\n'
        f'    <progress id="need-{nid}-delivered" class="delivered" max="{target}"'
        f' value="{p.bar(p.delivered)}">{pct_delivered}%</progress>\n'
        f'    <span class="csr-pct">{delivered}</span>\n'
        f"{over_delivered}  </div>\n"
        f'  <p class="meta">{confirmed}\n'
        f"{still}</p>\n"
        "</div>\n"
    )
