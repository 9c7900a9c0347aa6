"""The staff monitoring page's indicator rows (portal/monitoring/staff_rows.py) write
what the template's loop wrote, in both languages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.monitoring.staff_rows import staff_indicator_rows

# The loop of monitoring/manage/index.html before it became a function, split.
OLD_LOOP = (
    "  <tbody>\n"
    '  {% set computed, entered = _("Computed by the portal"), _("Entered by staff") %}\n'
    "  {% for i in indicators %}\n"
    "  <tr><td>{{ i.code }}</td><td><a href=\"{{ url_for('monitoring_manage.indicator', "
    'indicator_id=i.id) }}">{{ i.name_id }}</a></td><td>{% if i.computed %}{{ computed }}'
    "{% else %}{{ entered }}{% endif %}</td></tr>\n"
    "  {% endfor %}\n"
    "  </tbody>"
)
NEW = (
    "  <tbody>\n{{ staff_indicator_rows(indicators, "
    "url_for('monitoring_manage.indicator', indicator_id=0)[:-1]) }}  </tbody>"
)
INDICATORS = [
    SimpleNamespace(id=3, code="1.3.1", name_id='Warga & <KK> "miskin"', computed=None),
    SimpleNamespace(id=41, code="O'2", name_id="Penerima tepat sasaran", computed="on_list"),
    SimpleNamespace(id=7, code="9", name_id="", computed=""),
]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_staff_indicator_rows_write_what_the_template_wrote(app, lang):
    with app.test_request_context("/staf/pemantauan/", headers={"Accept-Language": lang}):
        for shown in (INDICATORS, []):
            old = render_template_string(OLD_LOOP, indicators=shown)
            new = render_template_string(
                NEW, indicators=shown, staff_indicator_rows=staff_indicator_rows
            )
            assert new == old
            if shown:
                assert "Warga &amp; &lt;KK&gt; &#34;miskin&#34;" in new and "O&#39;2" in new
                assert ("Computed by the portal" in new) is (lang == "en")
