"""The household page's need score (its heading, level, reasons table, the aid it fits
and the monthly food package), written by a plain function (household_body calls
it): Jinja spent some 250 Python calls on it (a call, a look-up or an
escape for every value, a macro call for the table's region). The markup is the
template's was, byte for byte (tests/test_registry_score_section.py); every value is
written through the escape Jinja used (portal.templating.fast_escape: lazy texts as
their __html__ gives them, labels escaped), our catalogue's formatted texts as `_()`
formatted them (Markup % values)."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup

from portal.i18n import catalogue, number
from portal.templating import fast_escape as esc


def score_section(assessment, t, need_levels: Mapping, aid_types: Mapping) -> Markup:
    """From `<h2 id="score-title">` to the food package: `assessment` a
    scoring.Assessment, `t` the page's texts (page_texts.household_texts), the labels
    the registry's translated tables."""
    ugettext = catalogue().ugettext
    level = assessment.need_level
    heading = ugettext("Need score: %(score)d of 100") % {"score": assessment.score}
    rows = "".join(
        f'  <tr><td>{esc(r.message)}</td><td class="num">'
        f"{'' if r.points is None else esc(r.points)}</td></tr>\n"
        for r in assessment.reasons
    )
    out = [
        f'<h2 id="score-title">{esc(heading)}</h2>\n'
        f'<p><span class="tag tag-level-{esc(level)}">{esc(need_levels[level])}</span> '
        f"{esc(assessment.level_reason)}</p>\n"
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{esc(t.score_made)}">'
        "\n<table>\n"
        f'  <caption class="visually-hidden">{esc(t.score_made)}</caption>\n'
        f'  <thead><tr><th scope="col">{esc(t.reason)}</th>'
        f'<th scope="col" class="num">{esc(t.points)}</th></tr></thead>\n'
        f"  <tbody>\n{rows}  </tbody>\n</table>\n\n</div>"
        f"<h3>{esc(t.aid_fits)}</h3>\n"
    ]
    if assessment.aid_reasons:
        fits = "".join(
            f"<li><strong>{esc(aid_types[key])}</strong>: {esc(why)}</li>"
            for key, why in assessment.aid_reasons.items()
        )
        out.append(f"<ul>\n{fits}</ul>\n")
    else:
        out.append(f"<p>{esc(t.no_aid)}</p>\n")
    if assessment.food:
        units = Markup(  # noqa: S704 (our catalogue's text; the value is escaped by %)
            ugettext("%(units)s consumption units (see the formula on the programme page).")
        ) % {"units": number(assessment.units)}
        lines = "".join(
            f"<li>{esc(line.label)}: {esc(number(line.quantity))} {esc(line.unit_label)}</li>"
            for line in assessment.food
        )
        out.append(
            f"<h3>{esc(t.monthly_food_package)}</h3>\n"
            f'<p class="meta">{units}</p>\n<ul>\n{lines}</ul>\n'
        )
    return Markup("".join(out))  # noqa: S704 (see the module: every value escaped above)
