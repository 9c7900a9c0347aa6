"""The sections of "My account" (what the portal keeps about a person), written by a plain
function (the page calls it as `data_rows`): Jinja spent some 40 Python calls a value on
the loop. The markup is the loop's was, byte for byte (tests/test_account_data_rows.py
keeps the old loop): every label and value escaped as Jinja's autoescape did, a value
shown as the `datum` filter shows it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from markupsafe import Markup

from portal.i18n import LazyText, catalogue, current_lang
from portal.templating import fast_escape as escape
from portal.text import escape_text

# A label's "<dt>" line start, by the label (and its type: Markup is not escaped again),
# per worker: the same few dozen labels on every page. Only fixed texts (str, Markup)
# are kept, and a lazy label by its text in the reader's language.
_HEADS: dict[tuple[type, str], str] = {}


def _head(label) -> str:
    kind = type(label)
    if kind is LazyText:
        # Its __html__ is its text in the reader's language as it is: kept by that text.
        label, kind = Markup(str(label)), Markup  # noqa: S704  (our catalogue's words)
    elif kind is not Markup and kind is not str:
        return f"    <dt>{escape(label)}</dt><dd>"
    head = _HEADS.get((kind, label))
    if head is None:
        if len(_HEADS) > 1000:
            _HEADS.clear()
        head = _HEADS[kind, label] = f"    <dt>{escape(label)}</dt><dd>"
    return head


# A lazy text without variables as the page writes it (its __html__: its translation,
# as it is), by language and source text, per worker: the sections' names, the status
# names and the other fixed words of the rows are the same few dozen on every page, and
# each made up its translation again (some 12 Python calls).
_LAZY: dict[tuple[str, str], str] = {}


def _lazy_html(text: LazyText, lang: str) -> str:
    key = (lang, text._string)
    html = _LAZY.get(key)
    if html is None:
        if len(_LAZY) > 1000:
            _LAZY.clear()
        html = _LAZY[key] = str(text)
    return html


def data_rows(
    sections: Iterable[tuple[object, list[dict]]],
    labels: Mapping[str, object],
    statuses: Mapping[str, object],
    datum: Callable[[object], object],
) -> Markup:
    """<h3> and <dl>s of the (label, rows) `sections`: each row's keys read as `labels`
    says, a `status` value as `statuses` names it, any other value through `datum` (a
    plain non-empty str, which `datum` gives back as it is, escaped straight away)."""
    nothing = empty = None
    lang = current_lang()
    out = []
    for label, rows in sections:
        if type(label) is LazyText and not label._variables:
            out.append(f"<h3>{_lazy_html(label, lang)}</h3>\n")
        else:
            out.append(f"<h3>{escape(label)}</h3>\n")
        if not rows:
            if nothing is None:
                # Our catalogue's words, as Jinja's _() left them (not escaped).
                nothing = f'<p class="meta">{catalogue().ugettext("Nothing.")}</p>\n'
            out.append(nothing)
            continue
        for row in rows:
            out.append('  <dl class="facts account-data">\n')
            for key, value in row.items():
                if key == "status" and value in statuses:
                    shown = statuses[value]
                    if type(shown) is LazyText and not shown._variables:
                        shown = _lazy_html(shown, lang)
                    else:
                        shown = escape(shown)
                elif type(value) is str and value:
                    shown = escape_text(value)
                elif type(value) is LazyText and not value._variables:
                    # What `datum` gives back of a text (never a date), written as Jinja
                    # wrote it.
                    shown = _lazy_html(value, lang)
                elif value is None:
                    if empty is None:  # the same for every empty value of the page
                        empty = escape(datum(None))
                    shown = empty
                else:
                    shown = escape(datum(value))
                # A label's "<dt>" start as _head keeps it, looked up here directly.
                label = labels[key]
                kind = type(label)
                head = _HEADS.get((kind, label)) if kind is Markup or kind is str else None
                out.append(f"{head or _head(label)}{shown}</dd>\n")
            out.append("  </dl>\n")
    return Markup("".join(out))  # noqa: S704  (every value above is escaped)
