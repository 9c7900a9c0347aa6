"""The household record beside a change request (`_record.html`, on the resident's
pages and the staff's): its members' rows and the 14 criteria, written by plain
functions (the templates call them as `record_rows.members` and `record_rows.criteria`):
a member's row cost Jinja some 60 Python calls, a criterion 15. The markup is the
loops' was, byte for byte (tests/test_change_request_record_rows.py): names, numbers and
free text escaped as Jinja escaped them; labels and our catalogue's texts written as
they came (lazy labels and `_()`'s Markup, which Jinja did not escape)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from markupsafe import Markup

from portal.i18n import day
from portal.text import HTML_ESCAPES


def _text(value) -> str:
    return str(value).translate(HTML_ESCAPES)


def members(people: Iterable, sexes: Mapping, relations: Mapping, statuses: Mapping) -> Markup:
    """<tr>s of the household's members not merged: name, sex (and disability,
    occupation, education), NIK, birth date, relation, status (and its date)."""
    rows = []
    for p in people:
        if p.merged_into_id is not None:
            continue
        extra = "".join(
            f" · {_text(value)}" for value in (p.disability, p.occupation, p.education) if value
        )
        since = (
            f'<br><span class="meta">{_text(day(p.status_date))}</span>' if p.status_date else ""
        )
        rows.append(
            f'  <tr><td>{_text(p.name)}<br><span class="meta">{sexes.get(p.sex, "")}{extra}'
            "</span></td>\n"
            f'    <td class="nowrap">{_text(p.nik or "–")}</td>\n'
            f'    <td class="nowrap">{_text(day(p.birth_date)) if p.birth_date else "–"}</td>\n'
            f"    <td>{relations.get(p.relation, '')}</td>\n"
            f"    <td>{statuses.get(p.status, '')}{since}</td></tr>\n"
        )
    return Markup("".join(rows))  # noqa: S704 (see the module: values escaped above)


def criteria(answers: Mapping, labels: Mapping, not_surveyed: str, yes: str, no: str) -> Markup:
    """<li>s of the 14 criteria (`labels`, in their order) with the household's answer:
    `yes`, `no` or `not_surveyed` (our catalogue's texts, as `_()` gave them)."""
    rows = []
    for key, label in labels.items():
        value = answers[key]
        answer = not_surveyed if value is None else yes if value else no
        rows.append(f"  <li>{label}: <strong>{answer}</strong></li>\n")
    return Markup("".join(rows))  # noqa: S704 (labels and answers our catalogue's)


# What the templates call (record_rows.members(...)).
RECORD_ROWS = {"members": members, "criteria": criteria}
