"""The sections of "My account" (what the portal keeps about a person), written by a plain
function (the page calls it as `data_rows`): Jinja spent some 40 Python calls a value on
the loop. The markup is the loop's was, byte for byte (tests/test_account_data_rows.py
keeps the old loop): every label and value escaped as Jinja's autoescape did, a value
shown as the `datum` filter shows it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from markupsafe import Markup, escape

from portal.i18n import catalogue


def data_rows(
    sections: Iterable[tuple[object, list[dict]]],
    labels: Mapping[str, object],
    statuses: Mapping[str, object],
    datum: Callable[[object], object],
) -> Markup:
    """<h3> and <dl>s of the (label, rows) `sections`: each row's keys read as `labels`
    says, a `status` value as `statuses` names it, any other value through `datum`."""
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
                shown = statuses[value] if key == "status" and value in statuses else datum(value)
                out.append(f"    <dt>{escape(labels[key])}</dt><dd>{escape(shown)}</dd>\n")
            out.append("  </dl>\n")
    return Markup("".join(out))  # noqa: S704  (every value above is escaped)
