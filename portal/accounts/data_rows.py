"""The sections of "My account" (what the portal keeps about a person), written by a plain
function (the page calls it as `data_rows`): Jinja spent some 40 Python calls a value on
the loop. The markup is the loop's was, byte for byte (tests/test_account_data_rows.py
keeps the old loop): every label and value escaped as Jinja's autoescape did, a value
shown as the `datum` filter shows it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from markupsafe import Markup

from portal.i18n import LazyText, catalogue
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


def data_rows(
    sections: Iterable[tuple[object, list[dict]]],
    labels: Mapping[str, object],
    statuses: Mapping[str, object],
    datum: Callable[[object], object],
) -> Markup:
    """<h3> and <dl>s of the (label, rows) `sections`: each row's keys read as `labels`
    says, a `status` value as `statuses` names it, any other value through `datum` (a
    plain non-empty str, which `datum` gives back as it is, escaped straight away)."""
    nothing = None
    out = []
    for label, rows in sections:
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
                    shown = escape(statuses[value])
                elif type(value) is str and value:
                    shown = escape_text(value)
                else:
                    shown = escape(datum(value))
                out.append(f"{_head(labels[key])}{shown}</dd>\n")
            out.append("  </dl>\n")
    return Markup("".join(out))  # noqa: S704  (every value above is escaped)
