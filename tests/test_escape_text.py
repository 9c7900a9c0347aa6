"""portal.text.escape_text, what the rows written in Python escape every value with: the
text markupsafe's escape() gives, for every kind of value those rows pass."""

from __future__ import annotations

import pytest
from flask_babel import lazy_gettext
from markupsafe import Markup, escape

from portal.text import HTML_ESCAPES, escape_str, escape_text

TEXTS = [
    "",
    "Budi Santoso",
    "Siti & Sons <b>\"bold\"</b> 'quoted'",
    "RT 01/RW 02 — Dusun Krajan · Rp 1.500.000",
    "&amp; already escaped stays escaped again",
    "ñ 漢字 emoji 🙂 <script>alert(1)</script>",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_str_is_escaped_as_markupsafe_and_the_old_table_escape_it(text):
    assert escape_text(text) == str(escape(text)) == text.translate(HTML_ESCAPES)
    assert type(escape_text(text)) is str
    assert escape_str(text) == escape_text(text) and type(escape_str(text)) is str


def test_a_markup_and_a_lazy_translation_are_escaped_as_their_text(app):
    marked = Markup("<em>Tani</em> & co")
    assert (
        escape_text(marked)
        == "&lt;em&gt;Tani&lt;/em&gt; &amp; co"
        == marked.translate(HTML_ESCAPES)
    )
    with app.test_request_context("/?lang=en"):
        label = lazy_gettext("Log in")
        assert escape_text(label) == str(escape(str(label))) == label.translate(HTML_ESCAPES)


@pytest.mark.parametrize("value", [*TEXTS, None, 7, Markup("<em>kept</em> & <b>")])
def test_escape_value_writes_a_value_as_jinja_does(app, value):
    from portal.text import escape_value

    assert escape_value(value) == str(escape(value))
    assert type(escape_value(value)) is str
    with app.test_request_context("/?lang=en"):
        label = lazy_gettext("Log in")
        assert escape_value(label) == str(escape(label))
