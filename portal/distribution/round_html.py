"""The public round page's parts (/penyaluran/<id>) written by plain functions
(distribution/round.html calls them): its head with the facts, its points with their
time slots and its progress. In Jinja every `_()` cost some fifteen Python calls, every
table's `{% call %}` some fifty and every value an escape, a filter or an attribute
look-up through the context; the page paid some two thousand calls for them. The markup
is the template's was, byte for byte (tests/test_distribution_round_html.py keeps the
old template text and compares, in both languages): values are escaped as Jinja escaped
them; catalogue texts are left as Jinja's `_()` left them (not escaped); the values put
into a translated text are escaped as Jinja's Markup `%` escaped them.

The addresses come from the template's own `url_for` (passed in)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from markupsafe import Markup

from portal.distribution.models import UNITS
from portal.distribution.rows import group_rows, points_html
from portal.distribution.services.common import quantity_text
from portal.i18n import FALLBACK_NOTE, Localized, catalogue, current_lang, day, localized, money
from portal.status_tags import status_tag_html
from portal.text import escape_value as _e

ENDED = ("closed", "reconciled")


def _text(t: Localized) -> str:
    """templating.text's markup: the text in its <span>, lang="id" when it fell back."""
    lang = ' lang="id"' if t.fallback else ""
    return f"<span{lang}>{_e(t.text)}</span>"


def _quantities(items: Iterable, lang: str) -> str:
    """Each item's name, quantity and unit, "; " between them (the facts' <dd>)."""
    return "; ".join(
        f"{_text(localized(item, 'name', lang))} {_e(quantity_text(item.quantity_milli, lang))} "
        f"{_e(UNITS[item.unit])}"
        for item in items
    )


def round_head(
    round_, title: Localized, version, items: list, url_for: Callable[..., str]
) -> Markup:
    """The crumbs, the title with its fallback note, the <dl class="facts"> (status,
    dates, the recipient list's version, what each household receives) and the notes."""
    ugettext = catalogue().ugettext
    lang = current_lang()
    note = f'<p class="fallback" lang="{lang}">{FALLBACK_NOTE}</p>' if title.fallback else ""
    listed = ""
    if version:
        period = (
            version.period_title_en
            if lang == "en" and version.period_title_en
            else version.period_title_id
        )
        href = url_for("lists.board", period_id=version.period_id, versi=version.number)
        listed = (
            f'<dt>{ugettext("Recipient list")}</dt><dd><a href="{_e(href)}">{_e(period)}</a>, '
            f"{ugettext('version %(n)d') % {'n': version.number}}</dd>"
        )
    cash = round_.cash_amount
    receives = _e(money(cash, lang)) if cash else ""
    if items:
        receives += ("; " if cash else "") + _quantities(items, lang)
    if round_.use_food_formula:
        formula = ugettext("larger households get more food, by the programme's formula")
        receives += f" ({formula})"
    notes = localized(round_, "notes", lang)
    return Markup(  # noqa: S704  (see the module: values escaped above)
        f'<p class="crumbs"><a href="{_e(url_for("distribution.index"))}">'
        f"{ugettext('Distribution of aid')}</a></p>\n"
        f"<h1>{_text(title)}</h1>\n"
        f"{note}\n"
        '<dl class="facts">\n'
        f"  <dt>{ugettext('Status')}</dt><dd>{status_tag_html('distribution.round', round_.status)}"
        "</dd>\n"
        f"  <dt>{ugettext('Dates')}</dt><dd>{_e(day(round_.starts_on))} – {_e(day(round_.ends_on))}"
        "</dd>\n"
        f"{listed}"
        f"  <dt>{ugettext('Each household receives')}</dt>\n"
        f"  <dd>{receives}</dd>\n"
        "</dl>\n" + (f"<p>{_text(notes)}</p>" if notes else "")
    )


def _table(named: str, head: str, body: str) -> str:
    """templating.scroll_table's region round a table with its head and rows."""
    return (
        f'<div class="table-wrap" tabindex="0" role="region" {named}>\n<table>\n'
        f"{head}  <tbody>\n{body}  </tbody>\n</table>\n\n</div>"
    )


def round_body(page, min_group: int, url_for: Callable[..., str]) -> Markup:
    """What follows the head and the notes on what to bring: an ended round's link to its
    evaluation (and to the survey it links while that is open: the round's
    evaluation_survey_id), the points with their time slots and the progress (`page`:
    services.public_round_page's)."""
    ugettext = catalogue().ugettext
    round_ = page.round
    out = []
    if round_.status in ENDED:
        href = url_for("monitoring_evaluation.round_page", ref=round_.id)
        survey = ""
        if round_.evaluation_survey_id:
            answer = ugettext(
                "Answer the short survey about this distribution with the code on your invitation"
            )
            survey = f' · <a href="{_e(url_for("participation.code_survey"))}">{answer}</a>'

        out.append(
            f'<p><a href="{_e(href)}">{ugettext("Evaluation of this round")}</a>{survey}</p>\n'
        )
    out.append(
        '<section aria-labelledby="points-h">\n'
        f'<h2 id="points-h">{ugettext("Points and time slots")}</h2>\n'
        f"{points_html(page.points, public=True)}</section>\n\n"
    )
    out.append(progress_section(round_, page.progress, min_group, url_for))
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)


def _item_rows(items: Iterable, lang: str) -> str:
    rows = []
    for i in items:
        unit = _e(UNITS[i.item.unit])
        rows.append(
            f"  <tr><td>{_text(localized(i.item, 'name', lang))}</td>"
            f'<td class="num">{_e(quantity_text(i.delivered_milli, lang))} {unit}</td>'
            f'<td class="num">{_e(quantity_text(i.due_milli, lang))} {unit}</td></tr>\n'
        )
    return "".join(rows)


def _figures(round_, progress, min_group: int, lang: str) -> str:
    """The progress shown for a round large enough: the whole, the items, per RT/RW
    and per point."""
    ugettext = catalogue().ugettext
    total, cash = progress.total, round_.cash_amount
    numbers = {"collected": total.collected, "due": total.due, "percent": total.percent}
    collected = ugettext("%(collected)d of %(due)d households collected (%(percent)d%%).")
    out = [f"<p><strong>{collected % numbers}</strong>"]
    if cash:
        paid = {"paid": _e(money(total.cash_paid, lang)), "due": _e(money(total.cash_due, lang))}
        out.append(f" {ugettext('Cash paid: %(paid)s of %(due)s.') % paid}")
    out.append(
        f'</p>\n<progress max="{total.due}" value="{total.collected}" '
        f'aria-labelledby="progress-h">{total.percent}%</progress>\n'
    )
    if progress.items:
        head = (
            f'  <thead><tr><th scope="col">{ugettext("Item")}</th>'
            f'<th scope="col">{ugettext("Handed over")}'
            f'</th><th scope="col">{ugettext("Due")}</th></tr></thead>\n'
        )
        out.append(f'<h3 id="items-h">{ugettext("Items")}</h3>\n')
        out.append(_table('aria-labelledby="items-h"', head, _item_rows(progress.items, lang)))
    too_few = Markup(  # noqa: S704  (a catalogue text and a number)
        f'<td colspan="{3 if cash else 2}">'
        f"{ugettext('fewer than %(n)d households') % {'n': min_group}}</td>"
    )
    cash_head = f'<th scope="col">{ugettext("Cash paid / due")}</th>' if cash else ""
    for heading, rows, key, first in (
        (ugettext("Per RT/RW"), progress.by_rt, "rt", ugettext("RT/RW")),
        (ugettext("Per point"), progress.by_point, "point", ugettext("Point")),
    ):
        collected = ugettext("Collected / due")
        head = (
            f'  <thead><tr><th scope="col">{first}</th><th scope="col">{collected}'
            f'</th><th scope="col">%</th>{cash_head}</tr></thead>\n'
        )
        out.append(f'<h3 id="by-{key}-h">{heading}</h3>\n')
        out.append(_table(f'aria-labelledby="by-{key}-h"', head, group_rows(rows, cash, too_few)))
    return "".join(out)


def progress_section(round_, progress, min_group: int, url_for: Callable[..., str]) -> Markup:
    """The progress (services.progress's) when the round is large enough to show, the
    reconciliation link of an ended round and the open data links."""
    ugettext = catalogue().ugettext
    lang = current_lang()
    out = [
        '<section aria-labelledby="progress-h">\n',
        f'<h2 id="progress-h">{ugettext("Progress")}</h2>\n',
    ]
    if progress.total.shown:
        out.append(_figures(round_, progress, min_group, lang))
    else:
        shown = ugettext("This round has fewer than %(n)d households; no figures are shown.")
        out.append(f"<p>{shown % {'n': min_group}}</p>\n")
    if round_.status in ENDED:
        href = url_for("distribution_ledger.public_reconciliation", round_id=round_.id)
        checked = ugettext("Reconciliation and the check that aid arrived")
        out.append(f'<p><a href="{_e(href)}">{checked}</a></p>')
    csv = url_for("distribution.open_data", round_id=round_.id, fmt="csv")
    json = url_for("distribution.open_data", round_id=round_.id, fmt="json")
    out.append(
        f'<p>{ugettext("Open data:")} <a href="{_e(csv)}" download>CSV</a> · '
        f'<a href="{_e(json)}" download>JSON</a></p>\n</section>'
    )
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
