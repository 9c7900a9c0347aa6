"""The pledge tables' rows of the staff pledge list and company page and of the
partner's account page, the staff index's needs, the public board's need cards and a
need's public pledges, written in Python (`csr_staff_pledge_rows`,
`csr_partner_pledge_rows`, `csr_board_cards`, `csr_need_pledge_rows` in the templates),
and the staff pledge page's status steps (`csr_step_forms`): the Jinja loops cost some
150-250 Python calls a row. The markup is the loop's, byte for
byte (tests/test_csr.py compares)."""

from __future__ import annotations

from flask import current_app
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from portal.csr.amounts import _amounts, _bars, _need_amounts, _need_texts
from portal.csr.models import COMPANY_STATUSES, NEED_KINDS, SECTORS
from portal.i18n import catalogue, current_lang, day, localized
from portal.status_tags import status_tag_html, status_tag_of


def _status_tag(status: str) -> str:
    """ui.html's status_tag("csr.pledge", status), as it writes it."""
    tag = status_tag_of("csr.pledge", status)
    return (
        f'<span class="{escape(tag.css_class)}" data-status="{escape(status)}">'
        f"{escape(tag.label)}</span>"
    )


def _links(url_for, endpoint: str, key: str):
    """id -> the escaped address of `endpoint` for that id: one address built, the others
    by putting the id in place of its 0 (url_for for each, if the address does not end
    with the id)."""
    zero = str(escape(url_for(endpoint, **{key: 0})))
    if zero.endswith("/0"):
        head = zero[:-1]
        return lambda id_: f"{head}{int(id_)}"
    return lambda id_: escape(url_for(endpoint, **{key: id_}))


class _Cells:
    """What a row shows of a pledge: its need's title (or the offer, cut short) and the
    amounts, status and end of the row."""

    def __init__(self):
        self.lang = current_lang()
        self.env = current_app.jinja_env
        self.offer = None
        self.tags: dict[str, str] = {}

    def tag(self, status: str) -> str:
        if status not in self.tags:
            self.tags[status] = _status_tag(status)
        return self.tags[status]

    def what(self, p, title) -> str:
        if p.need:
            return title(p.need)
        # What the template's _() gave: our catalogue's text as Markup, % escapes.
        self.offer = self.offer or Markup(catalogue().ugettext("Offer: %(what)s"))  # noqa: S704
        return self.offer % {"what": do_truncate(self.env, p.description, 60)}

    def rest(self, p) -> str:
        need = p.need
        amount = _need_amounts(need, self.lang) if need else _amounts(p.kind, p.unit, self.lang)
        return (
            f'    <td class="num">{amount(p.amount)}</td>\n'
            f'    <td class="num">{amount(p.delivered)}</td>\n'
            f"    <td>{self.tag(p.status)}</td>\n  </tr>\n"
        )


def staff_pledge_rows(pledges, url_for, with_company: bool = True) -> Markup:
    """Each pledge's <tr>: number, company (`with_company`), need or offer, pledged,
    delivered, status. `url_for` is the template's (it keeps the addresses)."""
    cells = _Cells()
    pledge_link = _links(url_for, "csr_manage.pledge", "pledge_id")
    if with_company:
        company_link = _links(url_for, "csr_manage.company", "company_id")
    out = []
    for p in pledges:
        out.append(f'  <tr>\n    <td><a href="{pledge_link(p.id)}">{p.id}</a></td>\n')
        if with_company:
            company = p.company
            href = company_link(p.company_id)
            tag = ""
            if not company.is_verified:
                label = escape(COMPANY_STATUSES[company.status])
                tag = f' <span class="tag tag-warn">{label}</span>'
            out.append(f'    <td><a href="{href}">{escape(company.name)}</a>{tag}</td>\n')
        out.append(f"    <td>{cells.what(p, _staff_title)}</td>\n{cells.rest(p)}")
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def _staff_title(need) -> str:
    return escape(need.title_id)


def partner_pledge_rows(pledges, url_for) -> Markup:
    """The partner's own pledges (its account page): each <tr> with the need's title in
    the reader's language (or the offer) linked to the pledge, pledged, delivered,
    status."""
    cells = _Cells()
    link = _links(url_for, "csr.my_pledge", "pledge_id")
    out = []
    for p in pledges:
        href = link(p.id)
        what = cells.what(p, lambda need: escape(localized(need, "title", cells.lang)))
        out.append(f'  <tr>\n    <td><a href="{href}">{what}</a></td>\n{cells.rest(p)}')
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def staff_need_rows(needs, progress, public_progress, tags, token, url_for) -> Markup:
    """The staff index's needs: each <tr> with rank, title (linked for editors), kind,
    target, pledged (public / all), delivered, published or draft, and for editors the
    publish button. `tags` is (published, draft) as the template wrote them; `token` the
    CSRF token (editors) or None."""
    lang = current_lang()
    ugettext = catalogue().ugettext
    closed = publish = unpublish = None
    out = []
    links = {}  # an endpoint's addresses, once it is needed
    token = None if token is None else escape(token)

    def link(endpoint: str, need_id: int) -> str:
        if endpoint not in links:
            links[endpoint] = _links(url_for, endpoint, "need_id")
        return links[endpoint](need_id)

    for need in needs:
        p, pp = progress[need.id], public_progress[need.id]
        title = escape(need.title_id)
        if token is not None:
            title = f'<a href="{link("csr_manage.need_edit", need.id)}">{title}</a>'
        target = _need_amounts(need, lang)(need.target)
        out.append(
            f'  <tr>\n    <td class="num">{escape(need.rank)}</td>\n'
            f'    <td>{title}<br><span class="meta">{escape(NEED_KINDS[need.kind])}</span></td>\n'
            f'    <td class="num">{target}</td>\n'
            f'    <td class="num">{pp.pct_pledged}% / {p.pct_pledged}%</td>\n'
            f'    <td class="num">{p.pct_delivered}%</td>\n'
            f"    <td>\n      {tags[0] if need.published else tags[1]}\n"
        )
        if not need.is_open:
            closed = closed or ugettext("Closed for pledges")
            out.append(f'<span class="tag tag-muted">{closed}</span>')
        if token is not None:
            if need.published:
                endpoint = "csr_manage.need_unpublish"
                label = unpublish = unpublish or ugettext("Unpublish")
            else:
                endpoint = "csr_manage.need_publish"
                label = publish = publish or ugettext("Publish")
            out.append(
                f'      <form class="inline" method="post" action="{link(endpoint, need.id)}">\n'
                f'        <input type="hidden" name="csrf_token" value="{token}">'
                '<input type="hidden" name="back" value="list">\n'
                f'        <button type="submit" class="small">{label}'
                f'<span class="visually-hidden">: {escape(need.title_id)}</span>'
                "</button>\n      </form>\n"
            )
        out.append("    </td>\n  </tr>\n")
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def board_cards(items, url_for) -> Markup:
    """The board's cards (templates/csr/_needs.html): each need of `items` ((need,
    progress) pairs) with its kind, deadline, title linked in the reader's language
    (lang="id" when it falls back), target and bars. `url_for` is the template's."""
    lang = current_lang()
    ugettext = catalogue().ugettext
    # What the template's _() gave: our catalogue's text, % the values escaped (the
    # amounts are escaped markup already).
    needed_by = target = None
    kinds: dict[str, str] = {}
    href = None
    out = []
    for need, p in items:
        title = localized(need, "title", lang)
        deadline = ""
        if need.deadline:
            needed_by = needed_by or ugettext("Needed by %(date)s")
            deadline = needed_by % {"date": escape(day(need.deadline))}
        target = target or ugettext("Target: %(amount)s")
        # One address built, the others by putting the need's id in place of its 0.
        if href is None:
            href = str(escape(url_for("csr.need", need_id=0)))
        if href.endswith("/0"):
            link = f"{href[:-1]}{int(need.id)}"
        else:
            link = escape(url_for("csr.need", need_id=need.id))
        fallback = ' lang="id"' if title.fallback else ""
        kind = kinds.get(need.kind)
        if kind is None:
            kind = kinds[need.kind] = escape(NEED_KINDS[need.kind])
        out.append(
            '  <li class="card">\n'
            f'    <p class="meta"><span class="tag">{kind}</span>\n'
            f"{deadline}</p>\n"
            f'    <h2 class="h3"><a href="{link}"{fallback}>{escape(title.text)}</a></h2>\n'
            f"    <p>{target % {'amount': _need_texts(need, lang)(need.target)}}</p>\n"
            f"    {_bars(need, p, lang, ugettext)}\n"
            "  </li>\n"
        )
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def need_pledge_rows(need, pledges, url_for) -> Markup:
    """A need's public page's pledges (templates/csr/need.html): each <tr> with the
    company linked, pledged, delivered (in the need's unit), status and date, each cell
    labelled for the stacked table. `url_for` is the template's."""
    lang = current_lang()
    amount = _need_amounts(need, lang)
    ugettext = catalogue().ugettext
    # What the template's _() gave: our catalogue's text, as Markup (not escaped again).
    partner, pledged, delivered, status, when = (
        ugettext(text) for text in ("Partner", "Pledged", "Delivered", "Status", "Date")
    )
    link = _links(url_for, "csr.company", "company_id")
    tags: dict[str, str] = {}
    out = []
    for p in pledges:
        href = link(p.company_id)
        if p.status not in tags:
            tags[p.status] = _status_tag(p.status)
        out.append(
            "  <tr>\n"
            f'    <td data-label="{partner}"><a href="{href}">{escape(p.company.name)}</a></td>\n'
            f'    <td data-label="{pledged}" class="num">{amount(p.amount)}</td>\n'
            f'    <td data-label="{delivered}" class="num">{amount(p.delivered)}</td>\n'
            f'    <td data-label="{status}">{tags[p.status]}</td>\n'
            f'    <td data-label="{when}" class="nowrap">{escape(day(p.created_at))}</td>\n'
            "  </tr>\n"
        )
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


# A status step's heading and button (any other step is a withdrawal), as the template.
_STEP_WORDS = {
    "confirmed": ("Confirm the pledge", "Confirm"),
    "closed": ("Close the pledge", "Close"),
}
_WITHDRAW_WORDS = ("Withdraw the pledge", "Withdraw")
_CONFIRM_HINT = (
    "Confirm once the village and the company have agreed. An acknowledgement with a "
    "verification code is issued."
)
_CLOSE_HINT = "Not everything was delivered: say why in the note."


def step_forms(pledge, steps, token, url_for) -> Markup:
    """The staff pledge page's form of each status step (`services.allowed_steps`): the
    step, a note and the button, with the CSRF `token`. `url_for` is the template's."""
    # What the template's _() gave: our catalogue's text, as Markup (not escaped again).
    ugettext = catalogue().ugettext
    action = escape(url_for("csr_manage.pledge_status", pledge_id=pledge.id))
    token = escape(token)
    note = ugettext("Note (optional)")
    out = []
    for step in steps:
        heading, button = _STEP_WORDS.get(step, _WITHDRAW_WORDS)
        hints = ""
        if step == "confirmed":
            hints = f'<p class="hint">{ugettext(_CONFIRM_HINT)}</p>'
        if step == "closed" and pledge.remaining:
            hints += f'<p class="hint">{ugettext(_CLOSE_HINT)}</p>'
        name = escape(step)
        secondary = "" if step == "confirmed" else ' class="secondary"'
        out.append(
            f'  <form method="post" action="{action}" novalidate class="card csr-step">\n'
            f'    <input type="hidden" name="csrf_token" value="{token}">\n'
            f'    <input type="hidden" name="to" value="{name}">\n'
            f'    <h2 class="h3">{ugettext(heading)}</h2>\n'
            f'{hints}    <div class="field">\n'
            f'      <label for="note-{name}">{note}</label>\n'
            f'      <textarea id="note-{name}" name="note" rows="2" maxlength="1000"></textarea>\n'
            "    </div>\n"
            f'    <button type="submit"{secondary}>{ugettext(button)}</button>\n'
            "  </form>\n"
        )
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def company_rows(companies, url_for) -> Markup:
    """The staff company list's rows (templates/csr/manage/companies.html): each <tr>
    with the name linked, sector, contact person, status and the day registered.
    `url_for` is the template's."""
    link = _links(url_for, "csr_manage.company", "company_id")
    tags: dict[str, str] = {}
    out = []
    for c in companies:
        if c.status not in tags:
            tags[c.status] = status_tag_html("csr.company", c.status)
        out.append(
            "  <tr>\n"
            f'    <td><a href="{link(c.id)}">{escape(c.name)}</a></td>\n'
            f"    <td>{escape(SECTORS[c.sector])}</td>\n"
            f"    <td>{escape(c.contact_name)}</td>\n"
            f"    <td>{tags[c.status]}</td>\n"
            f'    <td class="nowrap">{escape(day(c.created_at))}</td>\n'
            "  </tr>\n"
        )
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def status_links(url_for, endpoint: str, statuses, current, counts=None) -> Markup:
    """The staff lists' status filter (pledges, companies): "All" and each status
    linked, the one shown marked as the current page, with how many when `counts` is
    given (a dict; 0 when absent). `url_for` is the template's."""
    base = str(escape(url_for(endpoint)))
    mark = ' aria-current="page"'
    out = [
        f'<p class="actions">\n  <a href="{base}"{"" if current else mark}>'
        f"{catalogue().ugettext('All')}</a>\n"
    ]
    for key, label in statuses.items():
        if key.isidentifier() and key.isascii():  # as url_for writes it
            href = f"{base}?status={key}"
        else:
            href = escape(url_for(endpoint, status=key))
        count = "" if counts is None else f" ({counts.get(key, 0)})"
        out.append(
            f'  <a href="{href}"{mark if current == key else ""}>{escape(label)}{count}</a>\n'
        )
    out.append("</p>")
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def need_pledges(need, pledges, url_for) -> Markup:
    """A need's public page's "Pledges" section (templates/csr/need.html): the heading,
    then the table of `pledges` (need_pledge_rows) in ui.html's scroll_table wrapper,
    or the words that there is none yet. `url_for` is the template's."""
    ugettext = catalogue().ugettext  # what the template's _() gave: our catalogue's text
    label = ugettext("Pledges")
    if not pledges:
        return Markup(f"<h2>{label}</h2>\n<p>{ugettext('No pledge yet.')}</p>\n")  # noqa: S704
    head = "".join(
        f'<th scope="col"{css}>{ugettext(text)}</th>'
        for text, css in (
            ("Partner", ""),
            ("Pledged", ' class="num"'),
            ("Delivered", ' class="num"'),
            ("Status", ""),
            ("Date", ""),
        )
    )
    return Markup(  # noqa: S704 (our catalogue; the rows escape every value)
        f"<h2>{label}</h2>\n"
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{label}">\n'
        '<table class="stack">\n'
        f'  <caption class="visually-hidden">{label}</caption>\n'
        f"  <thead><tr>{head}</tr></thead>\n"
        "  <tbody>\n"
        f"{need_pledge_rows(need, pledges, url_for)}  </tbody>\n</table>\n\n</div>"
    )


_NEED_HEADS = ("Rank", "Title", "Target", "Pledged (public / all)", "Delivered", "Status")


def staff_needs_table(needs, progress, public_progress, token, url_for) -> Markup:
    """The staff index's table of needs in ui.html's scroll_table wrapper: caption,
    head and staff_need_rows (`token`: the CSRF token for editors, or None)."""
    ugettext = catalogue().ugettext  # what the template's _() gave: our catalogue's text
    label = ugettext("Needs")
    tags = (
        status_tag_html("publication", "published"),
        status_tag_html("publication", "draft"),
    )
    head = "".join(f'<th scope="col">{ugettext(text)}</th>' for text in _NEED_HEADS)
    rows = staff_need_rows(needs, progress, public_progress, tags, token, url_for)
    return Markup(  # noqa: S704 (our catalogue; the rows escape every value)
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{label}">\n'
        f'<table>\n  <caption class="visually-hidden">{label}</caption>\n'
        f"  <thead><tr>{head}</tr></thead>\n  <tbody>\n{rows}  </tbody>\n</table>\n\n</div>"
    )
