"""The staff round page's parts (/staf/penyaluran/<id>, distribution/manage/round.html)
written by plain functions: its head (the crumbs, the title, the status with the public
page's and the posters' links, the facts), its next steps, its progress, what each
household receives and the approvals. The forms, and the points and items of a draft an
editor may remove parts of, stay in the template. In Jinja every `_()` cost some fifteen
Python calls, every `can()` and macro call more, and each value an escape or a filter;
the page paid about a thousand calls for these parts. The markup is the template's was,
byte for byte (tests/test_distribution_round_manage_html.py keeps the old template and
compares, over every status and reader, in both languages): values are escaped as
Jinja escaped them; catalogue texts are left as Jinja's `_()` left them (not escaped);
the numbers put into a translated text as Jinja's `%` put them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from markupsafe import Markup, escape

from portal.distribution.models import UNITS
from portal.distribution.services.common import quantity_text
from portal.i18n import catalogue, current_lang, day, money, when
from portal.notify.poster_html import poster_links_html
from portal.status_tags import status_tag_html
from portal.text import escape_text

PUBLIC = ("approved", "open", "closed", "reconciled")


def _e(value) -> str:
    """escape(value) as a str: plain text through escape_text, the rest as Jinja."""
    if value.__class__ is str:
        return escape_text(value)
    return str(escape(value))


def round_head(round_, version, may_edit: bool, url_for: Callable[..., str]) -> str:
    """The crumbs, the title, the status (with the public page's and the posters' links
    once the round is public), the facts and a draft's edit link for an editor."""
    catalogue_ = catalogue()
    ugettext, ungettext = catalogue_.ugettext, catalogue_.ungettext
    status, round_id = round_.status, round_.id
    out = [
        f'<p class="crumbs"><a href="{_e(url_for("manage.dashboard"))}">'
        f'{ugettext("Staff area")}</a> › <a href="{_e(url_for("distribution_manage.index"))}">'
        f"{ugettext('Distribution rounds')}</a></p>\n"
        f"<h1>{_e(round_.title_id)}</h1>\n"
        f"<p>{status_tag_html('distribution.round', status)}"
    ]
    if status in PUBLIC:
        public = _e(url_for("distribution.round_page", round_id=round_id))
        out.append(f' <a href="{public}">{ugettext("Public page")}</a></p>\n')
        out.append(poster_links_html("round", round_id, url_for))
    else:
        out.append("</p>\n")
    listed = ""
    if version:
        households = version.households
        counted = ungettext("%(num)d household", "%(num)d households", households)
        listed = (
            f"{_e(version.period_title_id)}, "
            f"{ugettext('version %(n)d') % {'n': version.number}} "
            f"({counted % {'num': households}})"
        )
    cash = round_.cash_amount
    formula = ugettext("Yes") if round_.use_food_formula else ugettext("No")
    out.append(
        '<dl class="facts">\n'
        f"  <dt>{ugettext('Dates')}</dt><dd>{_e(day(round_.starts_on))} – "
        f"{_e(day(round_.ends_on))}</dd>\n"
        f"  <dt>{ugettext('Recipient list')}</dt><dd>{listed}</dd>\n"
        f"  <dt>{ugettext('Cash per household')}</dt>"
        f"<dd>{_e(money(cash)) if cash else '–'}</dd>\n"
        f"  <dt>{ugettext('Food formula')}</dt><dd>{formula}</dd>\n"
    )
    if round_.cancel_reason:
        out.append(
            f"<dt>{ugettext('Reason for cancelling')}</dt><dd>{_e(round_.cancel_reason)}</dd>"
        )
    out.append("</dl>\n")
    if status == "draft" and may_edit:
        edit = _e(url_for("distribution_manage.edit", round_id=round_id))
        out.append(f'<p><a href="{edit}">{ugettext("Edit the round")}</a></p>')
    return "".join(out)


def _button(action: str, token: str, label: str, css: str = "") -> str:
    """A POST button's inline form with the page's CSRF input (`token`)."""
    return (
        f'<form class="inline" method="post" action="{_e(action)}">{token}'
        f'<button type="submit"{css}>{label}</button></form>'
    )


def _steps(round_, may_edit: bool, may_oversee: bool, token, url_for) -> str:
    """The "next steps" section: approve, open, the entitlements, the invitations, the
    stock, closing and the arrival check, as the round's status and the reader allow."""
    ugettext = catalogue().ugettext
    status, round_id = round_.status, round_.id
    out = [f'<section aria-labelledby="steps-h">\n<h2 id="steps-h">{ugettext("Next steps")}</h2>\n']
    if status == "draft":
        if may_oversee:
            action = url_for("distribution_manage.approve", round_id=round_id)
            hint = ugettext(
                "Approval makes one entitlement for every household of the list; "
                "what is due cannot change afterwards."
            )
            out.append(
                f"  {_button(action, token, ugettext('Approve the round'))}\n"
                f'  <p class="hint">{hint}</p>\n'
            )
        else:
            waiting = ugettext(
                "When the points, time slots and items are ready, "
                "the village head approves the round."
            )
            out.append(f"  <p>{waiting}</p>\n")
    elif status == "approved" and may_edit:
        action = url_for("distribution_manage.open_round", round_id=round_id)
        out.append(f"  {_button(action, token, ugettext('Open the round'))}\n")
    entitlements = _e(url_for("distribution_manage.entitlements", round_id=round_id))
    listed = f'  <p><a href="{entitlements}">{ugettext("Entitlements")}</a>'
    if status in ("approved", "open"):
        if may_edit:
            a4, a6 = (
                _e(url_for("distribution_manage.invitations_pdf", round_id=round_id, tata=tata))
                for tata in ("a4", "a6")
            )
            listed += (
                f' · {ugettext("Invitations:")} <a href="{a4}">{ugettext("four to an A4 page")}'
                f'</a> · <a href="{a6}">{ugettext("one per A6 page")}</a>'
            )
        out.append(f"{listed}</p>\n")
        if may_edit:
            action = url_for("distribution_manage.send_invitations", round_id=round_id)
            hint = ugettext(
                "To residents with a verified account and a phone or e-mail address; "
                "each household's message goes out once."
            )
            send = _button(
                action, token, ugettext("Send the invitations as messages"), ' class="secondary"'
            )
            out.append(f'{send}\n  <p class="hint">{hint}</p>')
    elif status in ("closed", "reconciled", "cancelled"):
        out.append(f"{listed}</p>\n")
    if status != "cancelled":
        stock = _e(url_for("distribution_ledger.stock", round_id=round_id))
        out.append(f'  <p><a href="{stock}">{ugettext("Stock")}</a>')
        if status in ("open", "closed", "reconciled"):
            closing = _e(url_for("distribution_ledger.closing", round_id=round_id))
            out.append(f' · <a href="{closing}">{ugettext("Closing and reconciliation")}</a>')
        if status in ("closed", "reconciled"):
            sample = _e(url_for("distribution_ledger.sample", round_id=round_id))
            out.append(f' · <a href="{sample}">{ugettext("Checking that aid arrived")}</a>')
        out.append("</p>\n")
    out.append("</section>\n")
    return "".join(out)


def _progress(progress) -> str:
    """The whole round's households collected of due, and the cancelled ones."""
    total = progress.total
    if not total.due:
        return ""
    catalogue_ = catalogue()
    ugettext, ungettext = catalogue_.ugettext, catalogue_.ungettext
    numbers = {"collected": total.collected, "due": total.due, "percent": total.percent}
    collected = ugettext("%(collected)d of %(due)d households collected (%(percent)d%%).")
    cancelled = ""
    if progress.cancelled:
        one, many = "%(num)d entitlement cancelled.", "%(num)d entitlements cancelled."
        cancelled = f" {ungettext(one, many, progress.cancelled) % {'num': progress.cancelled}}"
    return (
        '<section aria-labelledby="progress-h">\n'
        f'<h2 id="progress-h">{ugettext("Progress")}</h2>\n'
        f"<p>{collected % numbers}{cancelled}</p>\n"
        "</section>\n"
    )


def round_top(
    round_, version, progress, may_edit: bool, may_oversee: bool, token, url_for
) -> Markup:
    """The page's content before its points: round_head, the next steps (`token`: the
    CSRF input of the page's buttons) and the progress (services.progress_total's)."""
    return Markup(  # noqa: S704  (see the module: values escaped)
        f"{round_head(round_, version, may_edit, url_for)}\n"
        f"{_steps(round_, may_edit, may_oversee, token, url_for)}\n"
        f"{_progress(progress)}"
    )


def items_section(round_, items: Iterable) -> Markup:
    """What each household receives (nothing may be removed): the cash and each item's
    names, quantity and unit, the food formula's note, "Nothing yet." without either."""
    ugettext = catalogue().ugettext
    lang = current_lang()
    cash, formula = round_.cash_amount, round_.use_food_formula
    out = [
        '<section aria-labelledby="items-h">\n'
        f'<h2 id="items-h">{ugettext("What each household receives")}</h2>\n'
        "<ul>\n"
    ]
    if cash:
        out.append(f"<li>{_e(money(cash, lang))}</li>")
    by_formula = f" – {ugettext('by the food formula')}"
    empty = True
    for item in items:
        empty = False
        english = f" ({_e(item.name_en)})" if item.name_en else ""
        out.append(
            f"  <li>{_e(item.name_id)}{english}: {_e(quantity_text(item.quantity_milli, lang))} "
            f"{_e(UNITS[item.unit])}{by_formula if formula and item.formula_key else ''} </li>\n"
        )
    if empty and not cash:
        out.append(f"<li>{ugettext('Nothing yet.')}</li>")
    out.append("</ul>\n</section>")
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped)


def approvals_section(approvals: Iterable) -> Markup:
    """The approvals (approved_at, added, cancelled, reason), "" without any."""
    approvals = list(approvals)
    if not approvals:
        return Markup("")
    catalogue_ = catalogue()
    ugettext, ungettext = catalogue_.ugettext, catalogue_.ungettext
    out = [
        '<section aria-labelledby="approvals-h">\n'
        f'<h2 id="approvals-h">{ugettext("Approvals")}</h2>\n'
        "<ol>\n"
    ]
    for a in approvals:
        added = ungettext("%(num)d household added", "%(num)d households added", a.added)
        text = f"  <li>{_e(when(a.approved_at))}: {added % {'num': a.added}}"
        if a.cancelled:
            cancelled = ungettext("%(num)d cancelled", "%(num)d cancelled", a.cancelled)
            text += f", {cancelled % {'num': a.cancelled}}"
        if a.reason:
            text += f" – {_e(a.reason)}"
        out.append(f"{text}</li>\n")
    out.append("</ol>\n</section>\n")
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped)
