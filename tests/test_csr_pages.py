"""CSR pages' parts written in Python (portal/csr/history.py, rows.py): byte for byte
what the Jinja templates wrote before, in both languages."""

from __future__ import annotations

import itertools
from datetime import date

from flask import render_template_string

from portal.csr import services
from portal.csr.history import history_section
from portal.csr.models import Pledge
from portal.csr.services.deliveries import HistoryDelivery, HistoryEvent, PledgeHistory
from portal.extensions import db
from tests.test_csr import make_company, make_need, pledge_for  # noqa: F401 (fixtures)

# templates/csr/_history.html as it was, before portal/csr/history.py's history_section
# (each page imported ui.html's scroll_table for it).
JINJA_HISTORY_SECTION = """{% from "_macros/ui.html" import scroll_table %}{# The dated, signed steps of a pledge and its deliveries (partner and staff pages, which
   import ui.html's scroll_table for it: an import costs some 300 calls a render):
   `history` is services.pledge_history(pledge.id); the steps and deliveries are written
   in Python (portal/csr/history.py). #}
{% set pledge_qty = csr_pledge_qty %}
<h2>{{ _("History") }}</h2>
<ol class="csr-history">
{{ history_events(pledge, history.events) }}</ol>
{% if history.deliveries %}
<h2>{{ _("Deliveries") }}</h2>
{% call scroll_table(_('Deliveries')) %}
<table>
  <caption class="visually-hidden">{{ _("Deliveries") }}</caption>
  <thead><tr><th scope="col">{{ _("Date") }}</th><th scope="col" class="num">{{ _("Amount") }}</th><th scope="col">{{ _("Note") }}</th><th scope="col">{{ _("Documents") }}</th></tr></thead>
  <tbody>
  {# The rows are written in Python (portal/csr/history.py). #}
{{ history_deliveries(pledge, history.deliveries, url_for) }}  </tbody>
</table>
{% endcall %}
{% endif %}
"""  # noqa: E501


def test_the_history_section_is_the_old_template(app, make_need, make_company):  # noqa: F811
    """history_section writes what templates/csr/_history.html wrote, in both languages,
    on the partner's and the staff's pages: a pledge against a need and an offer, with
    steps and deliveries, with steps only, and with neither."""
    from portal.csr.history import history_deliveries, history_events

    company = make_company()
    pledge = pledge_for(company, make_need(kind="goods", unit_id="karung", unit_en="sack"))
    offer = services.make_offer(
        company, kind="goods", description="Semen", amount=7, unit="<sak>", actor=company.user
    )
    now = db.session.get(Pledge, pledge.id).created_at
    events = [
        HistoryEvent(now, None, "pledged", 50, "PT <Maju>", None),
        HistoryEvent(now, "pledged", "confirmed", None, None, "Catatan & <b>tebal</b>"),
    ]
    deliveries = [
        HistoryDelivery(3, date(2026, 8, 17), 20, True, "Catatan & <b>", "Budi <B>", None),
        HistoryDelivery(4, date(2026, 12, 1), 5, False, None, None, "abc.png"),
    ]
    histories = (
        PledgeHistory(events, deliveries),
        PledgeHistory(events, []),
        PledgeHistory([], []),
    )
    seen = set()
    for lang, path in itertools.product(("id", "en"), ("/csr/akun", "/staf/csr/janji")):
        with app.app_context(), app.test_request_context(f"{path}?lang={lang}"):
            for item, history in itertools.product((pledge, offer), histories):
                item = db.session.get(Pledge, item.id)
                old = render_template_string(
                    JINJA_HISTORY_SECTION,
                    history_events=history_events,
                    history_deliveries=history_deliveries,
                    pledge=item,
                    history=history,
                )
                new = render_template_string(
                    "{{ history_section(pledge, history, url_for) }}",
                    history_section=history_section,
                    pledge=item,
                    history=history,
                )
                assert new == old
                seen.add(new.split("</h2>")[0])
    assert len(seen) == 2  # each language its own heading


# templates/csr/manage/pledge.html's top as it was, before portal/csr/facts.py.
JINJA_PLEDGE_TOP = """{% from "_macros/ui.html" import status_tag %}{% set pledge_qty = csr_pledge_qty %}
<p class="crumbs"><a href="{{ url_for('csr_manage.index') }}">{{ _("Village needs and pledges") }}</a> › <a href="{{ url_for('csr_manage.pledges') }}">{{ _("Pledges") }}</a></p>
<h1>{{ _("Pledge #%(id)d", id=pledge.id) }}</h1>
<p>{{ status_tag("csr.pledge", pledge.status) }}
{% if not pledge.company.is_verified %}<span class="tag tag-warn">{{ _("Company not verified: not public") }}</span>{% endif %}</p>
<dl class="facts">
  <dt>{{ _("Company") }}</dt><dd><a href="{{ url_for('csr_manage.company', company_id=pledge.company_id) }}">{{ pledge.company.name }}</a></dd>
  <dt>{{ _("Need") }}</dt><dd>{% if pledge.need %}<a href="{{ url_for('csr_manage.need_edit', need_id=pledge.need_id) if editor else url_for('csr.need', need_id=pledge.need_id) }}">{{ pledge.need.title_id }}</a>{% else %}{{ _("None yet (an offer)") }}{% endif %}</dd>
  {% if pledge.description %}<dt>{{ _("Offer") }}</dt><dd>{{ pledge.description }}</dd>{% endif %}
  <dt>{{ _("Kind") }}</dt><dd>{{ need_kinds[pledge.kind] }}</dd>
  <dt>{{ _("Pledged") }}</dt><dd>{{ pledge_qty(pledge, pledge.amount) }}</dd>
  {% if pledge.kind != 'money' %}<dt>{{ _("Estimated value") }}</dt><dd>{{ pledge.value|money }}</dd>{% endif %}
  <dt>{{ _("Delivered") }}</dt><dd>{{ pledge_qty(pledge, pledge.delivered) }} ({{ _("remaining: %(amount)s", amount=pledge_qty(pledge, pledge.remaining)) }})</dd>
  {% if pledge.expected_on %}<dt>{{ _("Expected by") }}</dt><dd>{{ pledge.expected_on|day }}</dd>{% endif %}
  {% if pledge.conditions %}<dt>{{ _("Conditions") }}</dt><dd>{{ pledge.conditions }}</dd>{% endif %}
  {% if pledge.receipt_code %}<dt>{{ _("Acknowledgement") }}</dt><dd><a href="{{ url_for('csr.pledge_receipt', pledge_id=pledge.id) }}">PDF</a></dd>{% endif %}
</dl>"""  # noqa: E501


def test_the_pledge_top_is_the_old_template(app, make_need, make_company):  # noqa: F811
    """pledge_top writes what the staff pledge page's template wrote, in both languages:
    a pledge against a need (for an editor and for a reader) and an offer in its own
    unit, with and without a description, value, date expected, conditions and receipt,
    of a verified company and of one that is not; names and texts escaped."""
    from portal.csr.facts import pledge_top
    from portal.csr.models import NEED_KINDS
    from portal.csr.services.deliveries import pledge_with_progress

    company = make_company()
    money_need = make_need(kind="money")
    pledge = pledge_for(company, make_need(kind="goods", unit_id="karung", unit_en="sack"))
    cash = pledge_for(company, money_need, amount=1_500_000)
    offer = services.make_offer(
        company, kind="goods", description="Semen <b>", amount=7, unit="<sak>", actor=company.user
    )
    db.session.commit()
    seen = set()
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/staf/csr/janji?lang={lang}"):
            for pledge_id, editor, extra in itertools.product(
                (pledge.id, cash.id, offer.id), (True, False), (False, True)
            ):
                item = pledge_with_progress(pledge_id)[0]
                if extra:
                    item.expected_on, item.conditions = date(2027, 1, 5), "Syarat & <i>"
                    item.receipt_code, item.description = "ABC123", "Uraian <u>"
                    item.company.status = "pending" if editor else "verified"
                    item.company.name = "PT <Maju> & Co"
                old = render_template_string(
                    JINJA_PLEDGE_TOP, pledge=item, editor=editor, need_kinds=NEED_KINDS
                )
                new = render_template_string(
                    "{{ pledge_top(pledge, editor, url_for) }}",
                    pledge_top=pledge_top,
                    pledge=item,
                    editor=editor,
                )
                assert new == old
                assert "<b>" not in new and "<i>" not in new and "<Maju>" not in new
                seen.add(new)
    assert len(seen) == 22  # an offer without extras: the same for an editor and a reader


# templates/csr/manage/company.html's top as it was, before portal/csr/facts.py.
JINJA_COMPANY_TOP = """{% from "_macros/ui.html" import status_tag %}
<p class="crumbs"><a href="{{ url_for('csr_manage.index') }}">{{ _("Village needs and pledges") }}</a> › <a href="{{ url_for('csr_manage.companies') }}">{{ _("Companies") }}</a></p>
<h1>{{ company.name }}</h1>
<p>{{ status_tag("csr.company", company.status) }}
{% if company.is_verified %}<a href="{{ url_for('csr.company', company_id=company.id) }}">{{ _("Public page") }}</a>{% endif %}</p>
{% if company.logo_file %}<p><img class="csr-logo" src="{{ url_for('csr.logo', company_id=company.id) }}" alt="{{ _('Logo of %(company)s', company=company.name) }}" width="96" height="96"></p>{% endif %}
<dl class="facts">
  <dt>{{ _("Sector") }}</dt><dd>{{ sectors[company.sector] }}</dd>
  <dt>{{ _("Contact person") }}</dt><dd>{{ company.contact_name }}</dd>
  <dt>{{ _("E-mail address") }}</dt><dd>{{ company.user.email }}</dd>
  {% if company.contact_phone %}<dt>{{ _("Phone") }}</dt><dd>{{ company.contact_phone }}</dd>{% endif %}
  {% if company.website %}<dt>{{ _("Website") }}</dt><dd><a href="{{ company.website }}" rel="noopener noreferrer nofollow">{{ company.website }}</a></dd>{% endif %}
  <dt>{{ _("Language of receipts") }}</dt><dd>{{ company.locale }}</dd>
  <dt>{{ _("Registered") }}</dt><dd>{{ company.created_at|day }}</dd>
  {% if company.verified_at %}<dt>{{ _("Verified on") }}</dt><dd>{{ company.verified_at|day }}</dd>{% endif %}
  {% if company.status_note %}<dt>{{ _("Note") }}</dt><dd>{{ company.status_note }}</dd>{% endif %}
  <dt>{{ _("Pledged") }}</dt><dd>{{ summary.pledged|money }}</dd>
  <dt>{{ _("Delivered") }}</dt><dd>{{ summary.delivered|money }}</dd>
</dl>"""  # noqa: E501


def test_the_company_top_is_the_old_template(app, make_company):  # noqa: F811
    """company_top writes what the staff company page's template wrote, in both
    languages: a verified company with every optional fact (and a logo) and a pending
    one with none; its name and texts escaped."""
    from datetime import datetime

    from portal.csr.facts import company_top
    from portal.csr.models import SECTORS, Company

    full = make_company(
        name="PT <Maju> & Co",
        contact_phone="0812 <1>",
        website="https://maju.example/?a=1&b=<2>",
        verified_at=datetime(2026, 8, 17, 20, 30),
        status_note="Catatan & <b>",
        logo_file="logo.png",
    )
    bare = make_company(status="pending")
    summary = {"pledged": 1_500_000, "delivered": 250_000}
    seen = set()
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/staf/csr/mitra?lang={lang}"):
            for company_id in (full.id, bare.id):
                company = db.session.get(Company, company_id)
                old = render_template_string(
                    JINJA_COMPANY_TOP, company=company, summary=summary, sectors=SECTORS
                )
                new = render_template_string(
                    "{{ company_top(company, summary, url_for) }}",
                    company_top=company_top,
                    company=company,
                    summary=summary,
                )
                assert new == old
                assert "<b>" not in new and "<Maju>" not in new and "<2>" not in new
                seen.add(new)
    assert len(seen) == 4 and all("/csr/logo/" in t or "<img" not in t for t in seen)


# templates/csr/manage/companies.html's rows as the Jinja loop wrote them, before
# portal/csr/rows.py's company_rows.
JINJA_COMPANY_ROWS = """{% from "_macros/ui.html" import status_tag %}
  {% for c in companies %}
  <tr>
    <td><a href="{{ url_for('csr_manage.company', company_id=c.id) }}">{{ c.name }}</a></td>
    <td>{{ sectors[c.sector] }}</td>
    <td>{{ c.contact_name }}</td>
    <td>{{ status_tag("csr.company", c.status) }}</td>
    <td class="nowrap">{{ c.created_at|day }}</td>
  </tr>
  {% endfor %}
"""


def test_the_company_rows_are_the_jinja_loop(app, make_company):  # noqa: F811
    """company_rows writes what the staff company list's loop wrote, in both languages,
    for the list of every company and of one status (plain rows; names escaped)."""
    from portal.csr.models import SECTORS
    from portal.csr.rows import company_rows

    make_company(name="PT <Maju> & Co")
    make_company(status="pending", name="CV Baru")
    make_company(status="rejected")
    seen = set()
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/staf/csr/mitra?lang={lang}"):
            for status in (None, "pending"):
                companies = services.list_companies(status)
                assert len(companies) == (3 if status is None else 1)
                old = render_template_string(
                    JINJA_COMPANY_ROWS, companies=companies, sectors=SECTORS
                )
                new = render_template_string(
                    "{{ company_rows(companies, url_for) }}",
                    company_rows=company_rows,
                    companies=companies,
                )
                assert new == old
                assert "<Maju>" not in new
                seen.add(new)
    assert len(seen) == 4


# The staff pledge list's status filter as the template wrote it, before rows.py's
# status_links (the company list's the same without the counts).
JINJA_STATUS_LINKS = """<p class="actions">
  <a href="{{ url_for(endpoint) }}"{% if not status %} aria-current="page"{% endif %}>{{ _("All") }}</a>
  {% for key, label in statuses.items() %}
  <a href="{{ url_for(endpoint, status=key) }}"{% if status == key %} aria-current="page"{% endif %}>{{ label }}{% if counts is not none %} ({{ counts.get(key, 0) }}){% endif %}</a>
  {% endfor %}
</p>"""  # noqa: E501


def test_the_status_links_are_the_template(app):
    """status_links writes what the pledge and company lists' templates wrote, in both
    languages, for every status shown (and none), with and without counts."""
    from portal.csr.models import COMPANY_STATUSES, PLEDGE_STATUSES
    from portal.csr.rows import status_links

    counts = {"offered": 3, "confirmed": 12}
    cases = (
        ("csr_manage.pledges", PLEDGE_STATUSES, counts),
        ("csr_manage.companies", COMPANY_STATUSES, None),
    )
    seen = set()
    for lang, (endpoint, statuses, numbers) in itertools.product(("id", "en"), cases):
        with app.app_context(), app.test_request_context(f"/staf/csr/janji?lang={lang}"):
            for status in (None, *statuses):
                values = {"endpoint": endpoint, "statuses": statuses, "status": status}
                old = render_template_string(JINJA_STATUS_LINKS, counts=numbers, **values)
                new = render_template_string(
                    "{{ status_links(url_for, endpoint, statuses, status, counts) }}",
                    status_links=status_links,
                    counts=numbers,
                    **values,
                )
                assert new == old and new.count("aria-current") == 1
                seen.add(new)
    assert len(seen) == 2 * (len(PLEDGE_STATUSES) + len(COMPANY_STATUSES) + 2)


# templates/csr/need.html's pledges section as it was, before rows.py's need_pledges.
JINJA_NEED_PLEDGES_SECTION = """{% from "_macros/ui.html" import scroll_table %}
<h2>{{ _("Pledges") }}</h2>
{% if pledges %}
{% call scroll_table(_('Pledges')) %}
<table class="stack">
  <caption class="visually-hidden">{{ _("Pledges") }}</caption>
  <thead><tr><th scope="col">{{ _("Partner") }}</th><th scope="col" class="num">{{ _("Pledged") }}</th><th scope="col" class="num">{{ _("Delivered") }}</th><th scope="col">{{ _("Status") }}</th><th scope="col">{{ _("Date") }}</th></tr></thead>
  <tbody>
  {# The rows are written in Python (portal/csr/rows.py). #}
{{ need_pledge_rows(need, pledges, url_for) }}  </tbody>
</table>
{% endcall %}
{% else %}
<p>{{ _("No pledge yet.") }}</p>
{% endif %}
"""  # noqa: E501


def test_the_need_pledges_section_is_the_old_template(app, make_need, make_company):  # noqa: F811
    """need_pledges writes what the need page's template wrote, in both languages: a
    need with pledges (a company's name escaped) and one with none."""
    from portal.csr.models import Need
    from portal.csr.rows import need_pledge_rows, need_pledges

    goods = make_need(kind="goods", unit_id="karung", unit_en="sack")
    empty = make_need(kind="money", unit_id=None, unit_en=None, target=1_000_000)
    pledge_for(make_company(name="PT <Maju> & Jaya"), goods, 20)
    pledge_for(make_company(), goods, 5)
    seen = set()
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/csr/kebutuhan/1?lang={lang}"):
            for need_id in (goods.id, empty.id):
                need = db.session.get(Need, need_id)
                pledges = services.public_pledges_for_need(need)
                values = {"need": need, "pledges": pledges}
                old = render_template_string(
                    JINJA_NEED_PLEDGES_SECTION, need_pledge_rows=need_pledge_rows, **values
                )
                new = render_template_string(
                    "{{ need_pledges(need, pledges, url_for) }}",
                    need_pledges=need_pledges,
                    **values,
                )
                assert new == old and "<Maju>" not in new
                assert len(pledges) == (2 if need_id == goods.id else 0)
                seen.add(new)
    assert len(seen) == 4


# templates/csr/manage/index.html's table as it was, before rows.py's staff_needs_table.
JINJA_NEEDS_TABLE = """{% from "_macros/ui.html" import scroll_table, published_tag %}
{% set published, draft = published_tag(True), published_tag(False) %}
{% call scroll_table(_('Needs')) %}
<table>
  <caption class="visually-hidden">{{ _("Needs") }}</caption>
  <thead><tr><th scope="col">{{ _("Rank") }}</th><th scope="col">{{ _("Title") }}</th><th scope="col">{{ _("Target") }}</th><th scope="col">{{ _("Pledged (public / all)") }}</th><th scope="col">{{ _("Delivered") }}</th><th scope="col">{{ _("Status") }}</th></tr></thead>
  <tbody>
  {# The rows are written in Python (portal/csr/rows.py). #}
{{ staff_need_rows(needs, progress, public_progress, (published, draft), token, url_for) }}  </tbody>
</table>
{% endcall %}
"""  # noqa: E501


def test_the_staff_needs_table_is_the_old_template(app, make_need):  # noqa: F811
    """staff_needs_table writes what the staff index's template wrote, in both
    languages, for an editor (with the token) and a reader; published and draft needs."""
    from portal.csr.rows import staff_need_rows, staff_needs_table

    make_need(kind="goods", unit_id="karung", unit_en="sack", title_id="Beras <b>")
    make_need(kind="money", unit_id=None, unit_en=None, target=1_000_000, published=False)
    seen = set()
    for lang, token in itertools.product(("id", "en"), ("tok&en", None)):
        with app.app_context(), app.test_request_context(f"/staf/csr/?lang={lang}"):
            needs, progress, public_progress = services.needs_with_progress()
            values = {
                "needs": needs,
                "progress": progress,
                "public_progress": public_progress,
                "token": token,
            }
            old = render_template_string(
                JINJA_NEEDS_TABLE, staff_need_rows=staff_need_rows, **values
            )
            new = render_template_string(
                "{{ staff_needs_table(needs, progress, public_progress, token, url_for) }}",
                staff_needs_table=staff_needs_table,
                **values,
            )
            assert new == old and "<b>" not in new and len(needs) == 2
            seen.add(new)
    assert len(seen) == 4


# templates/csr/need.html's facts as they were, before portal/csr/facts.py's need_facts.
JINJA_NEED_FACTS = """{% set need_qty = csr_need_qty %}
<dl class="facts">
  <dt>{{ _("Kind") }}</dt><dd>{{ need_kinds[need.kind] }}</dd>
  <dt>{{ _("Target") }}</dt><dd>{{ need_qty(need, need.target) }}</dd>
  {% if need.deadline %}<dt>{{ _("Needed by") }}</dt><dd>{{ need.deadline|day }}</dd>{% endif %}
  {% if need.programme and need.programme.published %}<dt>{{ _("Programme") }}</dt><dd><a href="{{ url_for('public.programme', slug=need.programme.slug) }}">{{ tr(need.programme, 'name') }}</a></dd>{% endif %}
  {% set priority = tr(need, 'priority') %}
  {% if priority %}<dt>{{ _("Village priority") }}</dt><dd{% if priority.fallback %} lang="id"{% endif %}>{{ priority }}</dd>{% endif %}
  {% if ballot %}<dt>{{ _("Decided by the ballot") }}</dt><dd>{% set question = tr(ballot, 'question') %}<a href="{{ url_for('participation.results', ballot_id=ballot.id) }}"{% if question.fallback %} lang="id"{% endif %}>{{ question }}</a></dd>{% endif %}
  <dt>{{ _("Status") }}</dt><dd>{% if need.is_open %}{{ _("Accepting pledges") }}{% else %}{{ _("Closed for pledges") }}{% endif %}</dd>
</dl>"""  # noqa: E501


def test_the_need_facts_are_the_old_template(app):
    """need_facts writes what the need page's template wrote, in both languages: a need
    with every fact (a published programme, a priority and a ballot, some only in
    Indonesian, texts escaped) and a bare one (a draft programme, no English)."""
    from types import SimpleNamespace as Obj

    from portal.csr.facts import need_facts
    from portal.csr.models import NEED_KINDS

    programme = Obj(slug="paket-pangan", published=True, name_id="Paket <P>", name_en=None)
    full = Obj(
        kind="goods",
        unit_id="karung",
        unit_en="sacks",
        target=200,
        deadline=date(2027, 1, 5),
        programme=programme,
        priority_id="Usulan & <i>",
        priority_en="Proposal & <i>",
        is_open=True,
    )
    bare = Obj(
        kind="money",
        unit_id=None,
        unit_en=None,
        target=1_500_000,
        deadline=None,
        programme=Obj(slug="x", published=False, name_id="X", name_en="X"),
        priority_id=None,
        priority_en=None,
        is_open=False,
    )
    ballot = Obj(id=2, question_id="Prioritas <2026>", question_en=None)
    seen = set()
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/csr/kebutuhan/1?lang={lang}"):
            for need, question in ((full, ballot), (bare, None), (full, None)):
                values = {"need": need, "ballot": question}
                old = render_template_string(JINJA_NEED_FACTS, need_kinds=NEED_KINDS, **values)
                new = render_template_string(
                    "{{ need_facts(need, ballot, url_for) }}", need_facts=need_facts, **values
                )
                assert new == old and "<i>" not in new and "<P>" not in new
                seen.add(new)
    assert len(seen) == 6
