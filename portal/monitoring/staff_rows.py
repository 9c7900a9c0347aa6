"""The indicators' rows of the staff monitoring page (/staf/pemantauan/), written by a
plain function (the template calls it as `staff_indicator_rows`): the Jinja loop spent
some 30 Python calls a row (a url_for, escapes, attribute look-ups) where this spends a
few. The markup is the loop's was, byte for byte (tests/test_monitoring_staff_rows.py).
The link's stem is our own URL (digits and slashes); codes and names are escaped as
Jinja did, and the two words from our catalogue are left as Jinja's _() left them."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from portal.i18n import catalogue
from portal.text import escape_value as _escaped


def staff_indicator_rows(indicators: Iterable, stem: str) -> Markup:
    """<tr>s of `indicators` (rows with id, code, name_id and computed): the code, the
    Indonesian name linked to its staff page (`stem` + its id) and who gives its values."""
    ugettext = catalogue().ugettext
    computed, entered = ugettext("Computed by the portal"), ugettext("Entered by staff")
    stem = _escaped(stem)
    return Markup(  # noqa: S704  (see the module: values escaped here)
        "".join(
            [
                f'  <tr><td>{_escaped(i.code)}</td><td><a href="{stem}{i.id}">'
                f"{_escaped(i.name_id)}</a></td><td>{computed if i.computed else entered}"
                "</td></tr>\n"
                for i in indicators
            ]
        )
    )
