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

from markupsafe import Markup, escape

from portal.distribution.models import UNITS
from portal.distribution.rows import group_rows, slot_rows
from portal.distribution.services.common import quantity_text
from portal.i18n import FALLBACK_NOTE, Localized, catalogue, current_lang, day, localized, money
from portal.status_tags import status_tag_html
from portal.text import escape_text

ENDED = ("closed", "reconciled")


def _e(value) -> str:
    """escape(value) as a str: plain text through one escape_text, the rest as Jinja."""
    if value.__class__ is str:
        return escape_text(value)
    return str(escape(value))


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
    t = catalogue().ugettext
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
            f'<dt>{t("Recipient list")}</dt><dd><a href="{_e(href)}">{_e(period)}</a>, '
            f"{t('version %(n)d') % {'n': version.number}}</dd>"
        )
    cash = round_.cash_amount
    receives = _e(money(cash, lang)) if cash else ""
    if items:
        receives += ("; " if cash else "") + _quantities(items, lang)
    if round_.use_food_formula:
        formula = t("larger households get more food, by the programme's formula")
        receives += f" ({formula})"
    notes = localized(round_, "notes", lang)
    return Markup(  # noqa: S704  (see the module: values escaped above)
        f'<p class="crumbs"><a href="{_e(url_for("distribution.index"))}">'
        f"{t('Distribution of aid')}</a></p>\n"
        f"<h1>{_text(title)}</h1>\n"
        f"{note}\n"
        '<dl class="facts">\n'
        f"  <dt>{t('Status')}</dt><dd>{status_tag_html('distribution.round', round_.status)}"
        "</dd>\n"
        f"  <dt>{t('Dates')}</dt><dd>{_e(day(round_.starts_on))} – {_e(day(round_.ends_on))}"
        "</dd>\n"
        f"{listed}"
        f"  <dt>{t('Each household receives')}</dt>\n"
        f"  <dd>{receives}</dd>\n"
        "</dl>\n" + (f"<p>{_text(notes)}</p>" if notes else "")
    )


def _table(named: str, head: str, body: str) -> str:
    """templating.scroll_table's region round a table with its head and rows."""
    return (
        f'<div class="table-wrap" tabindex="0" role="region" {named}>\n<table>\n'
        f"{head}  <tbody>\n{body}  </tbody>\n</table>\n\n</div>"
    )


def points_section(points: Iterable, slots: dict) -> Markup:
    """The points: each one's name, address, hours and map link, and its time slots
    (slot_texts.SlotText by point id) in a table."""
    t = catalogue().ugettext
    opening, slots_of, map_text = t("open %(from)s–%(until)s"), t("Time slots: %(point)s"), t("Map")
    head = (
        f'  <thead><tr><th scope="col">{t("RT/RW")}</th><th scope="col">{t("Day")}</th>'
        f'<th scope="col">{t("Time")}</th></tr></thead>\n'
    )
    out = [
        '<section aria-labelledby="points-h">\n'
        f'<h2 id="points-h">{t("Points and time slots")}</h2>\n'
    ]
    for point in points:
        name = _e(point.name)
        hours = opening % {
            "from": _e(point.opens_at.strftime("%H.%M")),
            "until": _e(point.closes_at.strftime("%H.%M")),
        }
        link = (
            f' · <a href="{_e(point.map_url)}" rel="noopener">{map_text}</a>'
            if point.map_url
            else ""
        )
        out.append(f'<h3>{name}</h3>\n<p class="meta">{_e(point.address)} · {hours}{link}</p>\n')
        point_slots = slots.get(point.id, ())
        if point_slots:
            label = slots_of % {"point": name}  # the name escaped, as Markup's % did
            out.append(_table(f'aria-label="{label}"', head, slot_rows(point_slots)))
    out.append("</section>")
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
    t = catalogue().ugettext
    total, cash = progress.total, round_.cash_amount
    numbers = {"collected": total.collected, "due": total.due, "percent": total.percent}
    collected = t("%(collected)d of %(due)d households collected (%(percent)d%%).")
    out = [f"<p><strong>{collected % numbers}</strong>"]
    if cash:
        paid = {"paid": _e(money(total.cash_paid, lang)), "due": _e(money(total.cash_due, lang))}
        out.append(f" {t('Cash paid: %(paid)s of %(due)s.') % paid}")
    out.append(
        f'</p>\n<progress max="{total.due}" value="{total.collected}" '
        f'aria-labelledby="progress-h">{total.percent}%</progress>\n'
    )
    if progress.items:
        head = (
            f'  <thead><tr><th scope="col">{t("Item")}</th><th scope="col">{t("Handed over")}'
            f'</th><th scope="col">{t("Due")}</th></tr></thead>\n'
        )
        out.append(f'<h3 id="items-h">{t("Items")}</h3>\n')
        out.append(_table('aria-labelledby="items-h"', head, _item_rows(progress.items, lang)))
    too_few = Markup(  # noqa: S704  (a catalogue text and a number)
        f'<td colspan="{3 if cash else 2}">'
        f"{t('fewer than %(n)d households') % {'n': min_group}}</td>"
    )
    cash_head = f'<th scope="col">{t("Cash paid / due")}</th>' if cash else ""
    for heading, rows, key, first in (
        (t("Per RT/RW"), progress.by_rt, "rt", t("RT/RW")),
        (t("Per point"), progress.by_point, "point", t("Point")),
    ):
        head = (
            f'  <thead><tr><th scope="col">{first}</th><th scope="col">{t("Collected / due")}'
            f'</th><th scope="col">%</th>{cash_head}</tr></thead>\n'
        )
        out.append(f'<h3 id="by-{key}-h">{heading}</h3>\n')
        out.append(_table(f'aria-labelledby="by-{key}-h"', head, group_rows(rows, cash, too_few)))
    return "".join(out)


def progress_section(round_, progress, min_group: int, url_for: Callable[..., str]) -> Markup:
    """The progress (services.progress's) when the round is large enough to show, the
    reconciliation link of an ended round and the open data links."""
    t = catalogue().ugettext
    lang = current_lang()
    out = [
        '<section aria-labelledby="progress-h">\n',
        f'<h2 id="progress-h">{t("Progress")}</h2>\n',
    ]
    if progress.total.shown:
        out.append(_figures(round_, progress, min_group, lang))
    else:
        shown = t("This round has fewer than %(n)d households; no figures are shown.")
        out.append(f"<p>{shown % {'n': min_group}}</p>\n")
    if round_.status in ENDED:
        href = url_for("distribution_ledger.public_reconciliation", round_id=round_.id)
        out.append(
            f'<p><a href="{_e(href)}">{t("Reconciliation and the check that aid arrived")}</a></p>'
        )
    csv = url_for("distribution.open_data", round_id=round_.id, fmt="csv")
    json = url_for("distribution.open_data", round_id=round_.id, fmt="json")
    out.append(
        f'<p>{t("Open data:")} <a href="{_e(csv)}" download>CSV</a> · '
        f'<a href="{_e(json)}" download>JSON</a></p>\n</section>'
    )
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
