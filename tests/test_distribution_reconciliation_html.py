"""The public reconciliation page's content written in Python
(portal/distribution/reconciliation_html.py) is what distribution/ledger/public.html's
Jinja wrote (its figures as ledger_html.ledger_figures writes them, which
tests/test_distribution_rows.py holds to the old _figures.html), byte for byte, in both
languages: counts under five and not, cash or none, a closing day or none, a sample
check recorded or not."""

from __future__ import annotations

import itertools
from datetime import datetime
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.distribution.ledger_html import ledger_figures
from portal.distribution.reconciliation_html import public_body
from portal.distribution.services.ledger import Balance

# ledger/public.html's content block before it became a function (with "|" after it: a
# template's own last newline is dropped, a block's is not).
OLD = """{% macro count(n) %}{% if n and n < small %}{{ _("fewer than %(num)d", num=small) }}{% else %}{{ n }}{% endif %}{% endmacro %}
<h1>{{ _("Reconciliation") }}: {{ tr(round, "title") }}</h1>
<p>{{ status_tag_of("distribution.round", round.status).label }}{% if round.closed_at %} · {{ _("closed on %(day)s", day=round.closed_at|day) }}{% endif %}</p>
<p class="hint">{{ _("What the round received and handed out, in numbers only. Received + moved in - moved out - handed over - returned - damaged - lost = on hand.") }}</p>
<h2>{{ _("Households") }}</h2>
<dl class="facts">
{% for key in ("collected", "partly_collected", "not_collected", "cancelled") %}
  <dt>{{ status_tag_of("distribution.entitlement", key).label }}</dt><dd>{{ count(figures.statuses.get(key, 0)) }}</dd>
{% endfor %}
</dl>
{{ ledger_figures(figures, {"points": {}, "items": names["items"]}, "pub") }}{# the comment's newline is trimmed, as the include's was #}
<h2>{{ _("Did the aid arrive?") }}</h2>
{% if summary.checked %}
<p>{{ _("A random sample of the households that collected was called or visited.") }}</p>
<dl class="facts">
  <dt>{{ _("Households asked") }}</dt><dd>{{ count(summary.checked) }}</dd>
  {% for key, label in check_results.items() %}<dt>{{ label }}</dt><dd>{{ count(summary.results.get(key, 0)) }}</dd>{% endfor %}
  <dt>{{ _("Someone asked for or took a part") }}</dt><dd>{{ count(summary.part_taken) }}</dd>
  <dt>{{ _("Complaints filed") }}</dt><dd>{{ count(summary.complaints) }}</dd>
</dl>
{% else %}
<p>{{ _("The check of a sample of households has not been recorded yet.") }}</p>
{% endif %}
|"""  # noqa: E501
NEW = "{{ public_body(round, figures, summary, names, small) }}|"
NAMES = {
    "points": {1: "Balai"},
    "items": {
        5: SimpleNamespace(id=5, name_id="Beras", name_en="Rice", unit="kg"),
        6: SimpleNamespace(id=6, name_id="Minyak & <gula>", name_en=None, unit="l"),
    },
}


def _figures(cash: bool, small: bool):
    balances = {
        5: Balance(point_id=None, item_id=5, received=680000, handed_over=285500, lost=5000),
        6: Balance(point_id=None, item_id=6, received=1234567, moved_out=1500, damaged=250),
    }
    return SimpleNamespace(
        statuses={"collected": 27, "partly_collected": 3 if small else 8, "cancelled": 0},
        cash_budgeted=9_900_000 if cash else None,
        cash_paid=8_550_000 if cash else 0,
        cash_left=1_350_000 if cash else 0,
        per_item=lambda: balances,
    )


def _summary(checked: bool, small: bool):
    return SimpleNamespace(
        checked=(3 if small else 12) if checked else 0,
        results={"received_full": 2 if small else 9, "problems": 1},
        part_taken=0,
        complaints=4 if small else 7,
    )


CASES = list(itertools.product((True, False), (True, False), (True, False)))


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("cash", "small", "checked"), CASES)
def test_public_reconciliation_writes_what_the_template_wrote(app, lang, cash, small, checked):
    round_ = SimpleNamespace(
        id=1,
        status="closed" if cash else "reconciled",
        title_id="Penyaluran <BLT> & 'awal'",
        title_en="First round" if small else None,
        closed_at=datetime(2026, 12, 6, 3, 0) if checked else None,
    )
    values = {
        "round": round_,
        "figures": _figures(cash, small),
        "summary": _summary(checked, small),
        "names": NAMES,
        "small": 5,
    }
    with app.test_request_context("/penyaluran/1/rekonsiliasi", headers={"Accept-Language": lang}):
        app.preprocess_request()
        old = render_template_string(OLD, **values, ledger_figures=ledger_figures)
        new = render_template_string(NEW, **values, public_body=public_body)
    assert new == old
    assert "Minyak &amp; &lt;gula&gt;" in new
