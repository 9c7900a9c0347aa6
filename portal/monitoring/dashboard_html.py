"""The public dashboard's content (/pemantauan/) written by a plain function
(monitoring/index.html calls it): the introduction, the plan with its goals and the
year's activities, and the indicators' table. In Jinja every `_()` cost some fifteen
Python calls, the table's `{% call %}` some fifty and every value an escape or an
attribute look-up through the context. The markup is the template's was, byte for byte
(tests/test_monitoring_dashboard_html.py keeps the old template text and compares, in
both languages): values are escaped as Jinja escaped them; catalogue texts are left as
Jinja's `_()` left them (not escaped); a number put into a translated text is formatted
as Jinja's Markup `%` formatted it. The activities and the indicator rows are views.py's
own writers (activity_items, indicator_table_rows); the addresses come from the
template's `url_for` (passed in)."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from portal.i18n import Localized, catalogue, current_lang, localized
from portal.monitoring.views import activity_items, indicator_table_rows
from portal.text import escape_text


def _text(t: Localized) -> str:
    """templating.text's markup: the text in its <span>, lang="id" when it fell back."""
    lang = ' lang="id"' if t.fallback else ""
    return f"<span{lang}>{escape_text(t.text)}</span>"


def _plan_section(plan, year: int, tree: list, url_for: Callable[..., str], t, lang: str) -> str:
    """The plan: its title and years, vision, goals and the activities of `year`."""
    out = [
        '<section aria-labelledby="plan-heading">\n'
        f'<h2 id="plan-heading">{_text(localized(plan, "title", lang))} '
        f"({escape(plan.first_year)}–{escape(plan.last_year)})</h2>\n"
    ]
    vision = localized(plan, "vision", lang)
    if vision:
        out.append(f"<p>{_text(vision)}</p>")
    if plan.goals:
        goals = "".join([f"<li>{_text(localized(g, 'title', lang))}</li>" for g in plan.goals])
        out.append(f"<h3>{t('Goals')}</h3>\n<ol>{goals}</ol>\n")
    out.append(f"<h3>{t('Activities in %(year)d') % {'year': year}}</h3>\n")
    if tree:
        out.append(f'<ul class="results">\n{activity_items(tree, url_for)}</ul>\n')
    else:
        out.append(f"<p>{t('No activity is planned for this year yet.')}</p>")
    out.append("</section>\n")
    return "".join(out)


def _indicators(rows: list, years: list[int], url_for: Callable[..., str], t) -> str:
    """The indicators' table in its scrolling region (templating.scroll_table's)."""
    label = t("Indicators")
    year_heads = "".join([f'<th scope="col">{year}</th>' for year in years])
    target = t("Target %(year)d") % {"year": years[-1]}
    return (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{label}">\n'
        '<table class="stack">\n'
        f'  <caption class="visually-hidden">{label}</caption>\n'
        "  <thead><tr>\n"
        f'    <th scope="col">{t("Code")}</th><th scope="col">{t("Indicator")}</th>'
        f'<th scope="col">{t("Unit")}</th>\n'
        f'    <th scope="col">{t("Baseline")}</th>\n'
        f"{year_heads}"
        f'    <th scope="col">{target}</th>\n'
        "  </tr></thead>\n"
        "  <tbody>\n"
        f"{indicator_table_rows(rows, years, url_for)}  </tbody>\n"
        "</table>\n</div>"
    )


def dashboard_body(
    plan, year: int, tree: list, rows: list, years: list[int], url_for: Callable[..., str]
) -> Markup:
    """The dashboard's content block: `plan` (services.current_plan's, or None), the
    activities of `year` (`tree`), the indicator `rows` over `years`."""
    t = catalogue().ugettext
    lang = current_lang()
    intro = t(
        "What the village planned, how far each activity has come, and how the village "
        "is doing against its targets. Figures for a group of fewer than five households "
        "or people are not shown, so that nobody is identified."
    )
    out = [
        f"<h1>{t('Monitoring and the village plan')}</h1>\n"
        f"<p>{intro}</p>\n"
        '<p class="actions">\n'
        f'  <a href="{escape(url_for("monitoring.open_data", fmt="csv"))}">'
        f"{t('Open data (CSV)')}</a>\n"
        f'  <a href="{escape(url_for("monitoring.open_data", fmt="json"))}">'
        f"{t('Open data (JSON)')}</a>\n"
        f'  <a href="{escape(url_for("monitoring_evaluation.index"))}">{t("Evaluations")}</a>\n'
        "</p>\n\n"
    ]
    if plan:
        out.append(_plan_section(plan, year, tree, url_for, t, lang))
    else:
        out.append(f"<p>{t('The village plan has not been entered yet.')}</p>\n")
    out.append(
        '\n<section aria-labelledby="indicators-heading">\n'
        f'<h2 id="indicators-heading">{t("Indicators")}</h2>\n'
    )
    if rows:
        out.append(_indicators(rows, years, url_for, t))
    else:
        out.append(f"<p>{t('No indicator has been set up yet.')}</p>")
    out.append("</section>\n")
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
