"""Parts of a period's staff page (/staf/daftar-penerima/<id>) written by plain
functions (manage/period.html calls them): its facts, its steps and its records (the
changes and the meetings). In Jinja every `_()` of them cost some twenty Python calls
and every value an escape, a filter or an attribute look-up through the context; the
page had about a hundred. The markup is the template's was, byte for byte
(tests/test_lists_period_html.py keeps the old template text and compares): values are
escaped as Jinja escaped them; catalogue texts and labels are left as Jinja's `_()` and
lazy labels left them (not escaped); the values put into a translated text are escaped
as Jinja's Markup `%` escaped them.

The addresses come from the template's own `url_for` (passed in), the CSRF token from
its `csrf_token` (called only when a form is written)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from markupsafe import Markup

from portal.i18n import catalogue, current_lang, day, money, when
from portal.lists.models import CHANGE_ACTIONS, COMPOSITIONS
from portal.text import escape_value as _e


def facts(period, programme_name: str, count: int) -> Markup:
    """The period's <dl class="facts">: programme, dates, budget, benefit, households
    on the list (with their cash) and the rules."""
    t = catalogue().ugettext
    lang = current_lang()
    amount = period.amount
    budget = "–" if period.budget is None else _e(money(period.budget, lang))
    benefit = _e(period.benefit_id)
    cash = ""
    if amount is not None:
        benefit += f" ({_e(money(amount, lang))})"
        cash = f" · {_e(money(count * amount, lang))}"
    rules = _e(", ".join(period.rule_need_levels.split()))
    if period.rule_max_desil:
        rules += f" · desil ≤ {_e(period.rule_max_desil)}"
    if period.rule_min_members:
        rules += f" · ≥ {_e(period.rule_min_members)}"
    rules += f" · {COMPOSITIONS[period.rule_composition]}"
    return Markup(  # noqa: S704  (see the module: values escaped above)
        '<dl class="facts">\n'
        f"  <dt>{t('Programme')}</dt><dd>{_e(programme_name)}</dd>\n"
        f"  <dt>{t('Period')}</dt><dd>{_e(day(period.starts_on))} – "
        f"{_e(day(period.ends_on))}</dd>\n"
        f"  <dt>{t('Budget')}</dt><dd>{budget}</dd>\n"
        f"  <dt>{t('Each household receives')}</dt><dd>{benefit}</dd>\n"
        f"  <dt>{t('Households on the list')}</dt><dd>{_e(count)}{cash}</dd>\n"
        f"  <dt>{t('Rules')}</dt><dd>{rules}</dd>\n"
        "</dl>"
    )


def _csrf_form(action: str, token: str, label: str) -> str:
    return (
        f'    <form class="inline" method="post" action="{_e(action)}"><input '
        f'name="csrf_token" type="hidden" value="{_e(token)}"><button type="submit" '
        f'class="small">{label}</button></form>\n'
    )


def steps_start(
    period,
    count: int,
    changes,
    decisions,
    approval,
    approval_holds: bool,
    may_edit: bool,
    url_for: Callable[..., str],
    csrf_token: Callable[[], str],
) -> Markup:
    """The steps up to the village head's approval as it stands (the draft, the
    meeting, the approval), without the approval's form and the item's end."""
    t = catalogue().ugettext
    if count or changes:
        draft = t("done")
    elif may_edit:
        action = url_for("lists_manage.propose", period_id=period.id)
        draft = _csrf_form(action, csrf_token(), t("Propose from the registry"))
    else:
        draft = t("not yet")
    if decisions:
        d = decisions[0]
        quorum = t("quorum met") if d.quorum_met else t("no quorum")
        bpd = f", {t('BPD present')}" if d.bpd_present else ""
        meeting = f"{_e(day(d.held_on))}, {_e(d.place)} ({quorum}{bpd})"
    else:
        meeting = t("not yet")
    if may_edit:
        link = url_for("lists_manage.decision", period_id=period.id)
        meeting += f' · <a href="{_e(link)}">{t("Record a meeting")}</a>'
    if approval:
        approved = t("%(name)s (%(role)s), %(when)s") % {
            "name": _e(approval.approver_name),
            "role": _e(approval.approver_role),
            "when": _e(when(approval.at)),
        }
        if not approval_holds:
            changed = t("the list changed since; a new approval is needed")
            approved += f" – <strong>{changed}</strong>"
    else:
        approved = t("not yet")
    head = t("Village head's approval")
    return Markup(  # noqa: S704  (see the module: values escaped above)
        f"  <li>{t('Draft list from the registry')}:\n{draft}</li>\n"
        f"  <li>{t('Special village meeting')}:\n{meeting}</li>\n"
        f"  <li>{head}:\n{approved}"
    )


def steps_end(
    period,
    approval,
    approval_holds: bool,
    version_number,
    version_approval_id,
    may_edit: bool,
    print_full: bool,
    url_for: Callable[..., str],
    csrf_token: Callable[[], str],
) -> Markup:
    """The approval item's end and the last step (publishing)."""
    t = catalogue().ugettext
    if version_number is not None:
        board = url_for("lists.board", period_id=period.id)
        published = (
            f"{t('version %(n)d') % {'n': version_number}} · "
            f'<a href="{_e(board)}">{t("public board")}</a>'
        )
        if print_full:
            pdf = url_for("lists_manage.print_pdf", period_id=period.id, number=version_number)
            published += (
                f' · <a href="{_e(pdf)}">'
                f"{t('Notice-board print with full names (PDF, staff only)')}</a>"
            )
    else:
        published = t("not yet")
    # As the template's `and`: the approval's id read only when it holds.
    if (
        may_edit
        and approval_holds
        and (version_number is None or version_approval_id != approval.id)
    ):
        action = url_for("lists_manage.publish", period_id=period.id)
        published += _csrf_form(action, csrf_token(), t("Publish the next version"))
    return Markup(f"</li>\n  <li>{t('Publish')}:\n{published}</li>")  # noqa: S704


def records(changes: Iterable, decisions: Iterable, url_for: Callable[..., str], attendee_items):
    """The changes with their reasons and the meetings (each with its attendees, as
    `attendee_items` writes them), each under its heading when there are any."""
    t = catalogue().ugettext
    out = []
    if changes:
        household = t("household %(id)d")
        out.append(f"<h2>{t('Changes and their reasons')}</h2>\n<ul>\n")
        for c in changes:
            action = CHANGE_ACTIONS.get(c.action)
            action = _e(c.action) if action is None else str(action)
            actor = _e(c.actor_name) if c.actor_name else "–"
            out.append(
                f"  <li>{_e(when(c.at))} · {actor} · {household % {'id': c.household_id}} · "
                f"{action}: {_e(c.reason)}</li>\n"
            )
        out.append("</ul>\n")
    if decisions:
        present, minutes = t("%(n)d present, quorum %(q)d."), t("Scan of the minutes")
        out.append(f"<h2>{t('Meetings')}</h2>\n")
        for d in decisions:
            scan = ""
            if d.scan_file:
                link = url_for("lists_manage.decision_scan", decision_id=d.id)
                scan = f' <a href="{_e(link)}">{minutes}</a>'
            counted = present % {"n": d.attendees_count, "q": d.quorum_required}
            out.append(
                f"<h3>{_e(day(d.held_on))} · {_e(d.place)}</h3>\n<p>{counted}{scan}</p>\n"
                f"<ul>{attendee_items(d.attendees)}</ul>\n"
                f"<p><strong>{t('Decisions')}:</strong> {_e(d.decisions)}</p>\n"
            )
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
