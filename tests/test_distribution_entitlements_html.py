"""The entitlements page (/staf/penyaluran/<id>/penerima): its count, table and pager
written in Python (rows.entitlements_table) are what entitlements.html's Jinja wrote,
byte for byte in both languages (the whole page's content rendered from the old
template and today's), with one page, two pages (the pager), none and a filter; and
the page reads the round and its entitlements with their lines in two statements,
however many lines its entitlements have."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.distribution.models import ENTITLEMENT_STATUSES
from portal.distribution.rows import entitlements_table
from portal.row_pages import counted_page
from tests.test_distribution_rows import OLD_LOOP, ROWS
from tests.test_query_counts import counting

ROOT = Path(__file__).resolve().parent.parent

# entitlements.html before its count and table became a function (without `extends`).
OLD = """{% from "_macros/ui.html" import status_tag, pager %}
{% block title %}{{ _("Entitlements") }} – {{ round.title_id }}{% endblock %}
{% macro filters(rt, rw, status) %}
<form method="get" class="filters">
  <div class="field">
    <label for="rt">{{ _("RT") }}</label>
    <input id="rt" name="rt" type="number" min="1" max="999" inputmode="numeric" value="{{ rt or '' }}">
  </div>
  <div class="field">
    <label for="rw">{{ _("RW") }}</label>
    <input id="rw" name="rw" type="number" min="1" max="999" inputmode="numeric" value="{{ rw or '' }}">
  </div>
  <div class="field">
    <label for="status">{{ _("Status") }}</label>
    <select id="status" name="status">
      <option value="">{{ _("All") }}</option>
      {% for key, label in statuses.items() %}<option value="{{ key }}"{% if status == key %} selected{% endif %}>{{ label }}</option>{% endfor %}
    </select>
  </div>
  <button type="submit">{{ _("Show") }}</button>
</form>
{% endmacro %}
{% block content %}
<p class="crumbs"><a href="{{ url_for('manage.dashboard') }}">{{ _("Staff area") }}</a> › <a href="{{ url_for('distribution_manage.index') }}">{{ _("Distribution rounds") }}</a> › <a href="{{ url_for('distribution_manage.round_page', round_id=round.id) }}">{{ round.title_id }}</a></p>
<h1>{{ _("Entitlements") }}</h1>
{# Without a filter (the list as first shown) the form is kept per worker. #}
{% if rt or rw or status %}{{ filters(rt, rw, status) }}{% else %}{% call kept_fragment("entitlements-filters") %}{{ filters(none, none, none) }}{% endcall %}{% endif %}
<p>{{ ngettext("%(num)d entitlement", "%(num)d entitlements", page.total) }}</p>
{% if page.items %}
{% call scroll_table(_('Entitlements')) %}
<table>
{% call kept_fragment("entitlements-head") %}  <thead><tr><th scope="col">{{ _("RT/RW") }}</th><th scope="col">{{ _("Collector") }}</th><th scope="col">{{ _("Alternate") }}</th><th scope="col">{{ _("Due") }}</th><th scope="col">{{ _("Status") }}</th></tr></thead>
{% endcall %}
  <tbody>
{{ entitlement_rows(page.items, url_for('registry.household', household_id=0)[:-1]) }}  </tbody>
</table>
{% endcall %}
{{ pager(page, 'distribution_manage.entitlements', round_id=round.id) }}
{% endif %}
{% endblock %}
"""  # noqa: E501


def old_entitlement_rows(items, stem):
    """The rows as the template's loop wrote them (OLD_LOOP), for the old template."""
    rows = render_template_string(
        '{% from "_macros/ui.html" import status_tag %}' + OLD_LOOP, items=items, stem=stem
    )
    return rows.removeprefix("  <tbody>\n").removesuffix("  </tbody>")


def _new() -> str:
    source = (ROOT / "templates/distribution/manage/entitlements.html").read_text("utf-8")
    return source.split("\n", 1)[1]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_entitlements_page_writes_what_the_template_wrote(app, lang):
    from markupsafe import Markup

    round_ = SimpleNamespace(id=7, title_id="Penyaluran <1> & 'dua'")
    cases = [
        (counted_page(ROWS, 4, page=1, per_page=50), None, None, None),
        (counted_page(ROWS, 123, page=2, per_page=50), 3, None, "due"),  # the pager
        (counted_page([], 0, page=1, per_page=50), None, 2, None),
    ]
    path = "/staf/penyaluran/7/penerima?page=2&status=due"
    with app.test_request_context(path, headers={"Accept-Language": lang}):
        for page, rt, rw, status in cases:
            values = dict(round=round_, page=page, rt=rt, rw=rw, status=status)
            values["statuses"] = ENTITLEMENT_STATUSES
            old = render_template_string(
                OLD,
                entitlement_rows=lambda items, stem: Markup(old_entitlement_rows(items, stem)),  # noqa: S704
                **values,
            )
            new = render_template_string(_new(), entitlements_table=entitlements_table, **values)
            assert new == old
            assert ('rel="next"' in new) == (page.total == 123)


def test_the_page_reads_its_entitlements_and_their_lines_in_one_statement(app, make_user):
    """The round and its page of entitlements, each with its lines (two items each
    here): as many statements for a page of many entitlements as for one of none."""
    from portal.distribution import services
    from portal.extensions import db
    from tests.distribution_helpers import approved_round
    from tests.test_query_counts import _client

    round_, _version, _operator, _head = approved_round(make_user, households=20)
    round_id = round_.id
    with counting(db.engine) as seen:
        page = services.entitlement_page(round_id, lang="en")
    assert len(seen) == 1 and page.total == len(page.items) > 1
    assert all(len(e.lines) == 2 and e.due.endswith(" l") for e in page.items)
    assert page.items[0].lines[0].startswith("Rice ")
    client = _client(app, make_user("auditor"))
    counts = []
    for query in ("", "?status=collected"):
        path = f"/staf/penyaluran/{round_id}/penerima{query}"
        client.get(path)
        with counting(db.engine) as seen:
            assert client.get(path).status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1]
