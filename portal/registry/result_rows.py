"""The rows of the staff search's household list (/staf/registrasi/, also the fragment
sent on every keystroke), written by a plain function (the template calls it as
`household_rows`): 25 rows of five cells cost Jinja some 100 Python calls a row (an
escape, an attribute look-up or a call for every value) where this spends a dozen. The
markup is the template's was, byte for byte: names, addresses and labels are escaped
as Jinja did; numbers, RT/RW, masked KK numbers and the link's stem (our own URL) are
escaped too, and our catalogue's texts are left as Jinja's _() left them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from markupsafe import Markup, escape
from markupsafe._speedups import _escape_inner

from portal.audit.services import mask_numbers
from portal.i18n import catalogue
from portal.text import escape_text

# A row's values escaped as escape_text escapes a str (markupsafe's own C escaping of
# str(value)), written in: a call a value, not two.
_esc = _escape_inner

# A family card number as it is stored: 16 digits (\d as mask_numbers' pattern reads
# it), masked as mask_numbers masks it (3201********0001; digits need no escaping).
_SIXTEEN_DIGITS = re.compile(r"\d{16}")


def household_rows(
    items: Iterable,
    members: Mapping,
    household_stem: str,
    need_levels: Mapping[str, str],
    civil_statuses: Mapping[str, str],
) -> Markup:
    """<tr>s of `items` (HouseholdRow) with their `members` (MemberSummary by id): the
    head's name (or "Household N") linking to the household (`household_stem` + its
    id), a tag when the head is not alive, the address, the masked KK number, RT/RW,
    the living members, the need level and the score."""
    ugettext = catalogue().ugettext
    household_n, score_n = ugettext("Household %(id)d"), ugettext("score %(score)d")
    items = list(items)
    stem = escape_text(household_stem)
    # A label escaped once, not once a row (str() of None is what escape() wrote).
    tags = {
        status: f'<span class="tag tag-danger">{_esc(str(label))}</span>'
        for status, label in civil_statuses.items()
    }
    levels = {
        level: (
            f'<span class="tag tag-level-{_esc(str(level))}">'
            f"{_esc(str(need_levels.get(level, '')))}</span>"
        )
        for level in {h.need_level for h in items}
    }
    rows = []
    for h in items:
        m = members[h.id]
        hid = h.id
        if m.head_name is None:
            name, tag = household_n % {"id": hid}, ""
        else:
            name = _esc(str(m.head_name))
            status = m.head_status
            tag = (
                ""
                if status == "alive"
                else tags.get(status, '<span class="tag tag-danger"></span>')
            )
        kk = h.kk_number
        if not kk:
            kk = "–"
        elif _SIXTEEN_DIGITS.fullmatch(kk):  # mask_numbers' answer, without its regex sub
            kk = f"{kk[:4]}********{kk[12:]}"
        else:
            kk = _esc(str(mask_numbers(kk)))
        # (+= of a one-item tuple: the list grows without a method call a row.)
        rows += (
            f'  <tr>\n    <td><a href="{stem}{hid}">{name}</a>\n'
            f'{tag}      <br><span class="meta">{_esc(str(h.address))}'
            "</span></td>\n"
            f'    <td class="nowrap">{kk}</td>\n'
            f'    <td class="nowrap">{_esc(str(h.rt_rw))}</td>\n'
            f"    <td>{m.living}</td>\n"
            f"    <td>{levels[h.need_level]} "
            f'<span class="meta">{score_n % {"score": h.score}}</span></td>\n'
            "  </tr>\n",
        )
    return Markup("".join(rows))  # noqa: S704  (see the module: values escaped above)


def criteria_facts(criteria: Mapping, labels: Mapping, yes: str, no: str, unknown: str) -> Markup:
    """The household page's <dt>/<dd> pairs of the 14 BPS criteria (`labels`, in their
    order): "Yes", "No" or, when not surveyed, `unknown` in a meta span. The answers are
    our catalogue's texts as _() gave them; the labels are escaped as Jinja did."""
    unknown = f'<span class="meta">{unknown}</span>'
    rows = []
    for key, label in labels.items():
        met = criteria[key]
        answer = unknown if met is None else yes if met else no
        # A plain label (the page's translated table) escaped in one step, as escape().
        shown = _esc(label) if type(label) is str else escape(label)
        rows.append(f"  <dt>{shown}</dt><dd>{answer}</dd>\n")
    return Markup("".join(rows))  # noqa: S704  (labels escaped, answers our catalogue's)
