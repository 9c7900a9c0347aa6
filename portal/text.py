"""Markdown written by staff, rendered to HTML that cannot carry a script; and the
escape table of table rows written in Python."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

# markupsafe's escape() of a plain str, as one str.translate: the rows that pages write in
# Python (audit log, outbox, staff accounts) escape many values a row.
HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})

try:
    from markupsafe._speedups import _escape_inner
except ImportError:  # markupsafe built without its C speed-ups

    def _escape_inner(text: str) -> str:
        return text.translate(HTML_ESCAPES)


def escape_text(text) -> str:
    """What those rows call: the text escape() puts in its Markup, by markupsafe's own C
    escaping, some 30-140 ns a value where str.translate with the table above took
    0.6-1.9 us (it looks every character up in a dict). A lazy translation or a Markup
    is escaped as its str, as their .translate() did."""
    return _escape_inner(text if type(text) is str else str(text))


def escape_value(value) -> str:
    """escape(value) as a str, as Jinja writes a value: a plain str by escape_text's C
    escaping (escape() would build a Markup first), a Markup or anything with __html__ as
    its markup, anything else (None, a number, a lazy text) escaped as its str."""
    return _escape_inner(value) if type(value) is str else str(escape(value))


# escape_text for a value known to be a str (a stored text of a long table's row): the C
# function itself, without escape_text's Python call around it.
escape_str = _escape_inner


# CommonMark plus tables and strikethrough; raw HTML in the source is not passed through.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


@lru_cache(maxsize=1024)
def _render(source: str) -> str:
    html = _md.render(source)
    # Headings written as "# Title" become h2: the page already has its own h1.
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(source: str | None) -> Markup:
    """Sanitised HTML for a Markdown text (cached: the same text renders once)."""
    if not source:
        return Markup("")
    return Markup(_render(str(source)))  # noqa: S704 - nh3 has cleaned it


def plain_excerpt(source: str | None, length: int = 180) -> str:
    """The first words of a Markdown text, without markup, for lists and feeds (cached
    like the HTML: a list shows the same excerpts on every request)."""
    if not source:
        return ""
    return _excerpt(str(source), length)


@lru_cache(maxsize=1024)
def _excerpt(source: str, length: int) -> str:
    text = nh3.clean(_render(source), tags=set())
    text = re.sub(r"\s+", " ", text).strip()
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + "…"
