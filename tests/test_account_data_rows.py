"""The sections of "My account" (portal/accounts/data_rows.py) write what the template's
loop wrote, in both languages."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask import render_template_string
from markupsafe import Markup

from portal.accounts import residents
from portal.accounts.data_rows import data_rows
from portal.accounts.views import _datum, _PageLabels
from portal.i18n import lazy_gettext as _l

# The template's loop before the sections became a function (accounts/account.html).
OLD_LOOP = """{% for label, rows in sections %}
<h3>{{ label }}</h3>
{% if rows %}
  {% for row in rows %}
  <dl class="facts account-data">
    {% for key, value in row.items() %}
    <dt>{{ field_labels[key] }}</dt><dd>{% if key == 'status' and value in statuses %}\
{{ statuses[value] }}{% else %}{{ value|datum }}{% endif %}</dd>
    {% endfor %}
  </dl>
  {% endfor %}
{% else %}
<p class="meta">{{ _("Nothing.") }}</p>
{% endif %}
{% endfor %}
"""

SECTIONS = [
    (
        _l("Account"),
        [
            {
                "name": "Siti & <Aminah>",
                "phone": None,
                "email": "",
                "status": "verified",
                "created_at": datetime(2026, 8, 17, 3, 4, 5),
            }
        ],
    ),
    (_l("Verification"), []),
    (
        "Plain <label>",
        [
            {"status": "odd<status>", "day": date(2026, 1, 2), "count": 3, "flag": True},
            {"unknown_key<>": 'say "hi"', "markup": Markup("<b>kept</b>")},
        ],
    ),
]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_data_rows_write_what_the_loop_wrote(app, lang):
    with app.test_request_context("/akun", headers={"Accept-Language": lang}):
        statuses = residents.VERIFICATION_STATUSES
        old = render_template_string(
            OLD_LOOP, sections=SECTIONS, field_labels=_PageLabels(), statuses=statuses
        )
        new = data_rows(SECTIONS, _PageLabels(), statuses, _datum)
    assert str(new) == old
    assert "Siti &amp; &lt;Aminah&gt;" in new and "odd&lt;status&gt;" in new
    assert ("Nothing." if lang == "en" else "Tidak ada") in new


@pytest.mark.parametrize("lang", ["id", "en"])
def test_data_rows_keep_label_heads_as_the_loop_wrote_them(app, lang):
    """The "<dt>" starts kept per worker: plain labels escaped, Markup as it is, a lazy
    label (not kept) read in the language of each request; twice the same."""
    labels = {
        "name": "Name & <kin>",
        "status": Markup("<b>Status</b>"),
        "phone": _l("Phone"),
        "email": "Name & <kin>",
    }
    sections = [("S", [{"name": "a", "status": "verified", "phone": "", "email": "b"}])]
    with app.test_request_context("/akun", headers={"Accept-Language": lang}):
        statuses = residents.VERIFICATION_STATUSES
        old = render_template_string(
            OLD_LOOP, sections=sections, field_labels=labels, statuses=statuses
        )
        first = data_rows(sections, labels, statuses, _datum)
        second = data_rows(sections, labels, statuses, _datum)
    assert str(first) == str(second) == old
    assert "<dt>Name &amp; &lt;kin&gt;</dt>" in old and "<dt><b>Status</b></dt>" in old
    assert ("<dt>Phone</dt>" if lang == "en" else "<dt>Telepon</dt>") in old


def test_data_rows_write_lazy_texts_as_the_loop_wrote_them_in_each_language(app):
    """Lazy section names, statuses and values (kept per language and text), one with
    variables (not kept), and empty values: what the loop wrote, the English page after
    the Indonesian one and back."""
    sections = [
        (_l("Account"), [{"status": "pending", "voted_as": _l("Your household")}]),
        (_l("Votes (that you voted, never what)"), []),
        (
            "Plain & <b>",
            [
                {"voted_as": _l("You"), "note": None, "other": None},
                {"voted_as": _l("At most %(n)d characters.", n=3), "note": ""},
                {"status": "odd", "note": _l("Nothing.")},
            ],
        ),
        (_l("At most %(n)d characters.", n=7), []),
    ]
    labels = {"status": _l("Status"), "voted_as": _l("Voted"), "note": "Note <x>", "other": "O"}
    statuses = {"pending": _l("Waiting for the village office"), "odd": "Odd <status>"}
    written = {}
    for lang in ("id", "en", "id"):
        # An app context of its own: the language is worked out once per context.
        with (
            app.app_context(),
            app.test_request_context("/akun", headers={"Accept-Language": lang}),
        ):
            old = render_template_string(
                OLD_LOOP, sections=sections, field_labels=labels, statuses=statuses
            )
            new = str(data_rows(sections, labels, statuses, _datum))
        assert new == old
        written.setdefault(lang, new)
        assert written[lang] == new
    assert "Your household" in written["en"] and "Your household" not in written["id"]
    assert "At most 3 characters." in written["en"] and "Odd &lt;status&gt;" in written["en"]
