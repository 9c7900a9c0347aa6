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
