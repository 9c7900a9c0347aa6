"""The top of a public board (/daftar-penerima/<id>) written by one plain function: the
crumbs, the title, the facts of the period and version, the objections' section and the
changes since the version before. The template spent some 400 Python calls on them (a
call through the context for each of twenty _(), an attribute look-up and an escape for
every value); the markup is the template's was, byte for byte
(tests/test_lists_board_html.py keeps the old template and compares, in both
languages). Texts from the catalogue are written as Jinja's _() wrote them (not
escaped); staff-written texts and names are escaped, numbers need nothing."""

from __future__ import annotations

from markupsafe import Markup

from portal.i18n import FALLBACK_NOTE, catalogue, current_lang, day, localized, money, when
from portal.lists.models import OBJECTION_KINDS, OBJECTION_STATUSES
from portal.text import escape_text


def board_top(period, version, latest, is_open: bool, url_for) -> Markup:
    """From the crumbs to the changes' section of the board of `version` (`latest` the
    period's newest), objections open or not; `url_for` the templates' one."""
    lang = current_lang()
    gettext = catalogue().ugettext
    title = localized(period, "title", lang)
    out = [
        f'<p class="crumbs"><a href="{url_for("lists.index")}">{gettext("Recipient lists")}</a>'
        f"</p>\n<h1>{escape_text(title)}</h1>\n"
    ]
    if title.fallback:
        out.append(f'<p class="fallback" lang="{lang}">{FALLBACK_NOTE.__html__()}</p>')
    out.append("\n")
    if version.id != latest.id:
        replaced = gettext("This is version %(n)d, replaced by a later version.")
        out.append(
            f'<p class="notice notice-warning" role="status">{replaced % {"n": version.number}}'
            f' <a href="{url_for("lists.board", period_id=period.id)}">'
            f"{gettext('See the latest version')}</a></p>\n"
        )
    out.append(_facts(period, version, lang, gettext))
    out.append(
        f'<p><a href="{url_for("distribution.index", daftar=period.id)}">'
        f"{gettext('Where and when this aid is handed out')}</a></p>\n\n"
        f'<section aria-labelledby="objections-h">\n<h2 id="objections-h">'
        f"{gettext('Objections')}</h2>\n"
    )
    until = escape_text(day(version.objection_until))
    if is_open:
        anyone = gettext(
            "Anyone may object until %(day)s: that a listed household should not receive "
            "this aid, or that a household left out should."
        )
        out.append(
            f"<p>{anyone % {'day': until}}</p>\n"
            f'<p><a class="button" href="{url_for("lists.objection", period_id=period.id)}">'
            f"{gettext('Object that a household was left out')}</a></p>\n"
        )
    else:
        ended = gettext("The objection period ended on %(day)s.")
        out.append(f"<p>{ended % {'day': until}}</p>\n")
    out.append("</section>\n\n")
    out.append(_changes(version.summary or {}, gettext))
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)


def _facts(period, version, lang: str, gettext) -> str:
    benefit = localized(period, "benefit", lang)
    amount = "" if period.amount is None else f" ({escape_text(money(period.amount, lang))})"
    benefit_lang = ' lang="id"' if benefit.fallback else ""
    decision = version.decision
    meeting = gettext(
        "Special village meeting on %(day)s at %(place)s: %(n)d present, quorum %(q)d, BPD present."
    ) % {
        "day": escape_text(day(decision.held_on)),
        "place": escape_text(decision.place),
        "n": decision.attendees_count,
        "q": decision.quorum_required,
    }
    published = gettext("published %(when)s") % {"when": escape_text(when(version.published_at))}
    programme = escape_text(localized(period.programme, "name", lang))
    return (
        f'<dl class="facts">\n'
        f"  <dt>{gettext('Programme')}</dt><dd>{programme}</dd>\n"
        f"  <dt>{gettext('Period')}</dt><dd>{escape_text(day(period.starts_on))} – "
        f"{escape_text(day(period.ends_on))}</dd>\n"
        f"  <dt>{gettext('Each household receives')}</dt><dd>"
        f"<span{benefit_lang}>{escape_text(benefit)}</span>{amount}</dd>\n"
        f"  <dt>{gettext('Households')}</dt><dd>{version.households}</dd>\n"
        f"  <dt>{gettext('Version')}</dt><dd>{version.number} · {published}</dd>\n"
        f"  <dt>{gettext('Village decision')}</dt><dd>{meeting}</dd>\n"
        f"  <dt>{gettext('Approved by the village head')}</dt><dd>"
        f"{escape_text(when(version.approval.at))}</dd>\n</dl>\n\n"
    )


def _changes(s: dict, gettext) -> str:
    """The section on the changes since the version before and the objections decided
    (the version's summary), when it has either."""
    previous, objections = s.get("previous"), s.get("objections")
    if not (previous or objections):
        return ""
    ngettext = catalogue().ungettext
    if previous:
        heading = gettext("Changes since version %(n)d") % {"n": previous}
    else:
        heading = gettext("Objections decided")
    out = [f'<section aria-labelledby="changes-h">\n<h2 id="changes-h">{heading}</h2>\n']
    if previous:
        for key, one, many in (
            ("added", "%(num)d household added", "%(num)d households added"),
            ("removed", "%(num)d household removed", "%(num)d households removed"),
        ):
            n = s.get(key)
            names = s.get(f"{key}_names")
            listed = f": {', '.join([escape_text(name) for name in names])}" if names else ""
            out.append(f"<p>{ngettext(one, many, n) % {'num': n}}{listed}.</p>\n")
    if objections:
        counts = s.get("objection_counts") or {}
        decided = gettext("Objections decided: %(upheld)d upheld, %(rejected)d rejected.")
        number = gettext("Objection no. %(id)d")
        out.append(
            f"<p>{decided % {'upheld': counts.get('upheld'), 'rejected': counts.get('rejected')}}"
            f"</p>\n<ul>\n"
        )
        for o in objections:
            kind, status = OBJECTION_KINDS.get(o.get("kind"), ""), o.get("status")
            out.append(
                f"  <li>{number % {'id': o.get('id')}}: {kind} – "
                f"<strong>{OBJECTION_STATUSES.get(status, '')}</strong></li>\n"
            )
        out.append("</ul>\n")
    out.append("</section>\n")
    return "".join(out)
