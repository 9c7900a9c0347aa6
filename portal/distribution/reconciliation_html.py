"""The public reconciliation page's content (/penyaluran/<id>/rekonsiliasi) written by a
plain function (distribution/ledger/public.html calls it): the households by status,
the cash and the ledger summed per item (ledger_html.ledger_figures, as the staff
ledger pages write them) and the sample check, counts under `small` shown
as "fewer than". In Jinja every `_()` cost some fifteen Python calls, every count a
macro call of some thirty and the ledger's table its `{% call %}`s and includes. The
markup is the templates' was (public.html, ledger/_figures.html and
ledger/_balances.html), byte for byte: tests/test_distribution_reconciliation_html.py
keeps the old template text and compares, in both languages. Values are escaped as Jinja
escaped them; catalogue texts are left as Jinja's `_()` left them (not escaped); a value
put into a translated text is escaped as Jinja's Markup `%` escaped it."""

from __future__ import annotations

from markupsafe import Markup

from portal.distribution.ledger_html import ledger_figures
from portal.distribution.models import CHECK_RESULTS
from portal.i18n import catalogue, day, localized
from portal.status_tags import status_tag_of
from portal.text import escape_value as _e

STATUSES = ("collected", "partly_collected", "not_collected", "cancelled")


def _sample(summary, count) -> str:
    t = catalogue().ugettext
    if not summary.checked:
        return f"<p>{t('The check of a sample of households has not been recorded yet.')}</p>\n"
    results = "".join(
        [
            f"<dt>{_e(label)}</dt><dd>{count(summary.results.get(key, 0))}</dd>"
            for key, label in CHECK_RESULTS.items()
        ]
    )
    return (
        f"<p>{t('A random sample of the households that collected was called or visited.')}</p>\n"
        '<dl class="facts">\n'
        f"  <dt>{t('Households asked')}</dt><dd>{count(summary.checked)}</dd>\n"
        f"{results}"
        f"  <dt>{t('Someone asked for or took a part')}</dt><dd>{count(summary.part_taken)}</dd>\n"
        f"  <dt>{t('Complaints filed')}</dt><dd>{count(summary.complaints)}</dd>\n"
        "</dl>\n"
    )


def public_body(round_, figures, summary, names: dict, small: int) -> Markup:
    """The page's content block: `figures` (services.reconciliation's), the sample
    check's `summary`, the items' `names`; a count under `small` is not shown."""
    t = catalogue().ugettext
    fewer = t("fewer than %(num)d") % {"num": small}

    def count(n) -> str:
        return fewer if n and n < small else _e(n)

    title = _e(localized(round_, "title"))
    closed = ""
    if round_.closed_at:
        closed = f" · {t('closed on %(day)s') % {'day': _e(day(round_.closed_at))}}"
    statuses = figures.statuses
    households = "".join(
        [
            f"  <dt>{_e(status_tag_of('distribution.entitlement', key).label)}</dt>"
            f"<dd>{count(statuses.get(key, 0))}</dd>\n"
            for key in STATUSES
        ]
    )
    hint = t(
        "What the round received and handed out, in numbers only. Received + moved in - "
        "moved out - handed over - returned - damaged - lost = on hand."
    )
    return Markup(  # noqa: S704  (see the module: values escaped above)
        f"<h1>{t('Reconciliation')}: {title}</h1>\n"
        f"<p>{_e(status_tag_of('distribution.round', round_.status).label)}{closed}</p>\n"
        f'<p class="hint">{hint}</p>\n'
        f"<h2>{t('Households')}</h2>\n"
        '<dl class="facts">\n'
        f"{households}"
        "</dl>\n"
        f"{ledger_figures(figures, {'points': {}, 'items': names['items']}, 'pub')}"
        f"<h2>{t('Did the aid arrive?')}</h2>\n"
        f"{_sample(summary, count)}"
    )
