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

from portal.i18n import catalogue, day
from portal.text import escape_text


def _text(value) -> str:
    return escape_text(str(value))


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


def asked(item, labels: Mapping, iso_day, members: Iterable = ()) -> Markup:
    """The <dl> of what a request asks, by its kind (`_asked.html`'s markup was, with
    its whitespace): `labels` the pages' translated tables (change_kinds, sexes,
    relations, kk_reasons, bps_criteria: the context's), `iso_day` the pages' day of a
    stored YYYY-MM-DD (labels.iso_day). The person a death or a move out names is
    looked for among `members` (the household's, already read) before `item.person`
    (a statement of its own)."""
    t = catalogue().ugettext
    d = item.details or {}
    kind = item.kind

    def value(key, empty=None) -> str:
        found = d.get(key)
        if empty is not None and not found:
            return empty
        return "" if found is None and key not in d else _text(found)

    out = [
        '<dl class="facts asked">\n'
        f"  <dt>{t('What should change')}</dt><dd>{labels['change_kinds'].get(kind, '')}</dd>\n"
    ]
    if kind in ("death", "move_out"):
        person = _named(item, members)
        who = _text(person.name) if person else "–"
        out.append(f"  <dt>{t('Who')}</dt><dd>{who}</dd>\n")
    if kind in ("birth", "move_in"):
        out.append(
            f"  <dt>{t('Name')}</dt><dd>{value('name')}</dd>\n"
            f"  <dt>{t('Sex')}</dt><dd>{labels['sexes'].get(d.get('sex'), '')}</dd>\n"
            f"  <dt>{t('Date of birth')}</dt><dd>{_text(iso_day(d.get('birth_date')))}</dd>\n"
        )
    if kind == "birth":
        out.append(
            f"<dt>{t('Birth certificate number')}</dt><dd>{value('birth_certificate', '–')}</dd>"
        )
    if kind == "move_in":
        out.append(
            f"  <dt>{t('NIK')}</dt><dd>{value('nik', '–')}</dd>\n"
            f"  <dt>{t('Relation to the head of the family')}</dt>"
            f"<dd>{labels['relations'].get(d.get('relation'), '')}</dd>\n"
        )
    if kind == "death":
        out.append(
            f"<dt>{t('Date of death')}</dt><dd>{_text(iso_day(d.get('date')))}</dd>\n"
            f"  <dt>{t('Certificate or RT letter')}</dt><dd>{value('certificate', '–')}</dd>"
        )
    if kind == "move_out":
        out.append(
            f"<dt>{t('Date they moved out')}</dt><dd>{_text(iso_day(d.get('date')))}</dd>\n"
            f"  <dt>{t('Where to')}</dt><dd>{value('destination', '–')}</dd>"
        )
    if kind == "move_in":
        out.append(f"<dt>{t('Date they moved in')}</dt><dd>{_text(iso_day(d.get('date')))}</dd>")
    if kind == "kk_number":
        out.append(
            f"<dt>{t('New KK number')}</dt><dd>{value('kk_number')}</dd>\n"
            f"  <dt>{t('Why')}</dt><dd>{labels['kk_reasons'].get(d.get('reason'), '')}</dd>"
        )
    if kind == "address":
        out.append(
            f"<dt>{t('Address')}</dt><dd>{value('address')}</dd>\n"
            f"  <dt>{t('RT')}</dt><dd>{value('rt')}</dd><dt>{t('RW')}</dt>"
            f"<dd>{value('rw', '–')}</dd>"
        )
    if kind == "situation":
        yes, no = t("Yes"), t("No")
        for key, label in labels["bps_criteria"].items():
            if "bps_" + key in d:
                out.append(f"  <dt>{label}</dt><dd>{yes if d['bps_' + key] else no}</dd>\n")
    if item.note:
        out.append(f"<dt>{t('Note')}</dt><dd>{_text(item.note)}</dd>")
    out.append("</dl>")
    return Markup("".join(out))  # noqa: S704 (see the module: values escaped above)


def _named(item, members: Iterable):
    """The person `item` names: the member with its id, else `item.person`."""
    if item.person_id is not None:
        for person in members:
            if person.id == item.person_id:
                return person
    return item.person


# What the templates call (record_rows.members(...)).
RECORD_ROWS = {"members": members, "criteria": criteria, "asked": asked}
