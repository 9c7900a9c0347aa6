"""The staff pledge page's top (templates/csr/manage/pledge.html: the crumbs, heading,
status and the facts list), written in Python (`csr_pledge_top` in the template): the
template's dozen _() calls, four addresses and amounts cost some 400 Python calls a
page. The markup is the template's, byte for byte (tests/test_csr_pages.py compares)."""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.csr.amounts import _amounts, _need_amounts
from portal.csr.models import NEED_KINDS, SECTORS
from portal.i18n import catalogue, current_lang, day, localized, money
from portal.status_tags import status_tag_html


def pledge_top(pledge, editor: bool, url_for) -> Markup:
    """From the crumbs to the end of the facts list of `pledge` (a PledgeDetail, or a
    Pledge): `editor` is the template's can('edit'), `url_for` the template's."""
    _ = catalogue().ugettext  # what the template's _() gave: our catalogue's text
    lang = current_lang()
    need = pledge.need
    amount = _need_amounts(need, lang) if need else _amounts(pledge.kind, pledge.unit, lang)
    out = [
        f'<p class="crumbs"><a href="{escape(url_for("csr_manage.index"))}">'
        f"{_('Village needs and pledges')}</a> › "
        f'<a href="{escape(url_for("csr_manage.pledges"))}">{_("Pledges")}</a></p>\n'
        f"<h1>{Markup(_('Pledge #%(id)d')) % {'id': pledge.id}}</h1>\n"  # noqa: S704
        f"<p>{status_tag_html('csr.pledge', pledge.status)}\n",
    ]
    if not pledge.company.is_verified:
        out.append(f'<span class="tag tag-warn">{_("Company not verified: not public")}</span>')
    company = escape(url_for("csr_manage.company", company_id=pledge.company_id))
    out.append(
        '</p>\n<dl class="facts">\n'
        f'  <dt>{_("Company")}</dt><dd><a href="{company}">{escape(pledge.company.name)}</a></dd>\n'
        f"  <dt>{_('Need')}</dt><dd>"
    )
    if need:
        if editor:
            href = url_for("csr_manage.need_edit", need_id=pledge.need_id)
        else:
            href = url_for("csr.need", need_id=pledge.need_id)
        out.append(f'<a href="{escape(href)}">{escape(need.title_id)}</a>')
    else:
        out.append(_("None yet (an offer)"))
    out.append("</dd>\n")
    if pledge.description:
        out.append(f"<dt>{_('Offer')}</dt><dd>{escape(pledge.description)}</dd>")
    out.append(
        f"  <dt>{_('Kind')}</dt><dd>{escape(NEED_KINDS[pledge.kind])}</dd>\n"
        f"  <dt>{_('Pledged')}</dt><dd>{amount(pledge.amount)}</dd>\n"
    )
    if pledge.kind != "money":
        value = escape(money(pledge.value, lang))
        out.append(f"<dt>{_('Estimated value')}</dt><dd>{value}</dd>")
    remaining = Markup(_("remaining: %(amount)s")) % {  # noqa: S704 (our catalogue)
        "amount": amount(pledge.remaining)
    }
    out.append(f"  <dt>{_('Delivered')}</dt><dd>{amount(pledge.delivered)} ({remaining})</dd>\n")
    if pledge.expected_on:
        out.append(f"<dt>{_('Expected by')}</dt><dd>{escape(day(pledge.expected_on))}</dd>")
    if pledge.conditions:
        out.append(f"<dt>{_('Conditions')}</dt><dd>{escape(pledge.conditions)}</dd>")
    if pledge.receipt_code:
        receipt = escape(url_for("csr.pledge_receipt", pledge_id=pledge.id))
        out.append(f'<dt>{_("Acknowledgement")}</dt><dd><a href="{receipt}">PDF</a></dd>')
    out.append("</dl>")
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def company_top(company, summary, url_for) -> Markup:
    """The staff company page's crumbs, heading, status (and public page), logo and
    facts list, up to the end of the list: `summary` is its rupiah pledged and
    delivered (services.company_summary), `url_for` the template's."""
    _ = catalogue().ugettext  # what the template's _() gave: our catalogue's text
    lang = current_lang()
    name = escape(company.name)
    out = [
        f'<p class="crumbs"><a href="{escape(url_for("csr_manage.index"))}">'
        f"{_('Village needs and pledges')}</a> › "
        f'<a href="{escape(url_for("csr_manage.companies"))}">{_("Companies")}</a></p>\n'
        f"<h1>{name}</h1>\n<p>{status_tag_html('csr.company', company.status)}\n"
    ]
    if company.is_verified:
        public = escape(url_for("csr.company", company_id=company.id))
        out.append(f'<a href="{public}">{_("Public page")}</a>')
    out.append("</p>\n")
    if company.logo_file:
        src = escape(url_for("csr.logo", company_id=company.id))
        alt = Markup(_("Logo of %(company)s")) % {"company": company.name}  # noqa: S704
        out.append(f'<p><img class="csr-logo" src="{src}" alt="{alt}" width="96" height="96"></p>')
    out.append(
        '<dl class="facts">\n'
        f"  <dt>{_('Sector')}</dt><dd>{escape(SECTORS[company.sector])}</dd>\n"
        f"  <dt>{_('Contact person')}</dt><dd>{escape(company.contact_name)}</dd>\n"
        f"  <dt>{_('E-mail address')}</dt><dd>{escape(company.user.email)}</dd>\n"
    )
    if company.contact_phone:
        out.append(f"<dt>{_('Phone')}</dt><dd>{escape(company.contact_phone)}</dd>")
    if company.website:
        site = escape(company.website)
        out.append(
            f'<dt>{_("Website")}</dt><dd><a href="{site}" rel="noopener noreferrer nofollow">'
            f"{site}</a></dd>"
        )
    out.append(
        f"  <dt>{_('Language of receipts')}</dt><dd>{escape(company.locale)}</dd>\n"
        f"  <dt>{_('Registered')}</dt><dd>{escape(day(company.created_at))}</dd>\n"
    )
    if company.verified_at:
        out.append(f"<dt>{_('Verified on')}</dt><dd>{escape(day(company.verified_at))}</dd>")
    if company.status_note:
        out.append(f"<dt>{_('Note')}</dt><dd>{escape(company.status_note)}</dd>")
    out.append(
        f"  <dt>{_('Pledged')}</dt><dd>{escape(money(summary['pledged'], lang))}</dd>\n"
        f"  <dt>{_('Delivered')}</dt><dd>{escape(money(summary['delivered'], lang))}</dd>\n"
        "</dl>"
    )
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def need_facts(need, ballot, url_for) -> Markup:
    """A need's public page's facts list (templates/csr/need.html): kind, target, the
    deadline, its published programme, the village priority and the ballot that decided
    it, if any, and whether it takes pledges. `url_for` is the template's."""
    _ = catalogue().ugettext  # what the template's _() gave: our catalogue's text
    lang = current_lang()
    out = [
        '<dl class="facts">\n'
        f"  <dt>{_('Kind')}</dt><dd>{escape(NEED_KINDS[need.kind])}</dd>\n"
        f"  <dt>{_('Target')}</dt><dd>{_need_amounts(need, lang)(need.target)}</dd>\n"
    ]
    if need.deadline:
        out.append(f"<dt>{_('Needed by')}</dt><dd>{escape(day(need.deadline))}</dd>")
    programme = need.programme
    if programme and programme.published:
        href = escape(url_for("public.programme", slug=programme.slug))
        name = escape(localized(programme, "name", lang).text)
        out.append(f'<dt>{_("Programme")}</dt><dd><a href="{href}">{name}</a></dd>')
    priority = localized(need, "priority", lang)
    if priority:
        fallback = ' lang="id"' if priority.fallback else ""
        out.append(f"<dt>{_('Village priority')}</dt><dd{fallback}>{escape(priority.text)}</dd>")
    if ballot:
        question = localized(ballot, "question", lang)
        href = escape(url_for("participation.results", ballot_id=ballot.id))
        fallback = ' lang="id"' if question.fallback else ""
        out.append(
            f'<dt>{_("Decided by the ballot")}</dt><dd><a href="{href}"{fallback}>'
            f"{escape(question.text)}</a></dd>"
        )
    status = _("Accepting pledges") if need.is_open else _("Closed for pledges")
    out.append(f"  <dt>{_('Status')}</dt><dd>{status}</dd>\n</dl>")
    return Markup("".join(out))  # noqa: S704 (every value escaped above)
