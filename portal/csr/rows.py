"""The staff pledge tables' rows (the pledge list and a company's page), written in
Python (`csr_staff_pledge_rows` in the templates): the Jinja loop cost some 250 Python
calls a row. The markup is the loop's, byte for byte (tests/test_csr.py compares)."""

from __future__ import annotations

from flask import current_app
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from portal.csr.amounts import _amounts, _need_amounts
from portal.csr.models import COMPANY_STATUSES
from portal.i18n import catalogue, current_lang
from portal.status_tags import status_tag_of


def _status_tag(status: str) -> str:
    """ui.html's status_tag("csr.pledge", status), as it writes it."""
    tag = status_tag_of("csr.pledge", status)
    return (
        f'<span class="{escape(tag.css_class)}" data-status="{escape(status)}">'
        f"{escape(tag.label)}</span>"
    )


def staff_pledge_rows(pledges, url_for, with_company: bool = True) -> Markup:
    """Each pledge's <tr>: number, company (`with_company`), need or offer, pledged,
    delivered, status. `url_for` is the template's (it keeps the addresses)."""
    lang = current_lang()
    env = current_app.jinja_env
    offer = None
    out = []
    for p in pledges:
        href = escape(url_for("csr_manage.pledge", pledge_id=p.id))
        out.append(f'  <tr>\n    <td><a href="{href}">{p.id}</a></td>\n')
        if with_company:
            company = p.company
            href = escape(url_for("csr_manage.company", company_id=p.company_id))
            tag = ""
            if not company.is_verified:
                label = escape(COMPANY_STATUSES[company.status])
                tag = f' <span class="tag tag-warn">{label}</span>'
            out.append(f'    <td><a href="{href}">{escape(company.name)}</a>{tag}</td>\n')
        need = p.need
        if need:
            what = escape(need.title_id)
            amount = _need_amounts(need, lang)
        else:  # what the template's _() gave: our catalogue's text as Markup, % escapes
            offer = offer or Markup(catalogue().ugettext("Offer: %(what)s"))  # noqa: S704
            what = offer % {"what": do_truncate(env, p.description, 60)}
            amount = _amounts(p.kind, p.unit, lang)
        out.append(
            f"    <td>{what}</td>\n"
            f'    <td class="num">{amount(p.amount)}</td>\n'
            f'    <td class="num">{amount(p.delivered)}</td>\n'
            f"    <td>{_status_tag(p.status)}</td>\n  </tr>\n"
        )
    return Markup("".join(out))  # noqa: S704 (every value escaped above)
