"""The two records side by side on the duplicate pair page (/staf/registrasi/duplikat/
<a>/<b>), written by a plain function (the template calls it as `pair_sections`): each
record's section cost Jinja some 900 Python calls (a translation, an escape or a look-up
for every fact). The markup is the template's loop's was, byte for byte, with its
whitespace (tests/test_registry_pair_sections.py): names, numbers, places, addresses
and labels escaped as Jinja escaped them; our catalogue's texts written as `_()` gave
them, their values escaped (`Markup % values`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from flask import current_app
from markupsafe import Markup
from markupsafe._speedups import _escape_inner

from portal.i18n import catalogue, current_lang, day

# Each value is escaped as escape_text escapes a str (markupsafe's own C escaping of
# str(value)), written in: no helper call a value.
_esc = _escape_inner


# The section's fixed texts (our catalogue's msgids), translated once per language.
_TEXTS = (
    "Record %(n)d: %(name)s",
    "NIK",
    "Not recorded",
    "Check NIK",
    "Sex",
    "Date of birth",
    "%(n)d years",
    "Not known",
    "Place of birth",
    "Relation",
    "Status",
    "Occupation",
    "Disability",
    "Household",
    "Household of %(name)s",
    "Household %(id)d",
    "RT/RW",
    "KK number",
    "Merged into record %(id)d",
    "None",
    "Record number",
    "Enrolments",
    "for this person",
    "for the whole household",
    "Not enrolled in any programme.",
)


def _texts() -> dict[str, str]:
    """_TEXTS in the reader's language (msgid: text), translated once per language and
    app (were 25 look-ups a page)."""
    lang = current_lang()
    kept = current_app.extensions.setdefault("registry_pair_texts", {})
    texts = kept.get(lang)
    if texts is None:
        t = catalogue().ugettext
        texts = kept[lang] = {key: t(key) for key in _TEXTS}
    return texts


def pair_sections(
    people: Iterable,
    heads: Mapping,
    enrolments: Mapping,
    sexes: Mapping,
    relations: Mapping,
    statuses: Mapping,
    national: Mapping,
    today: date,
    household_stem: str,
) -> Markup:
    """A <section> of each person (Record 1, Record 2): their facts, their household
    (linked, named by its head from `heads`), and their enrolments (`enrolments` by
    person id, as services.person_enrolments gives them). The labels are the registry's
    translated tables (sexes, relations, civil statuses, national programmes)."""
    texts = _texts()
    stem = _esc(str(household_stem))
    out = []
    for n, p in enumerate(people, start=1):
        nik = _esc(str(p.nik)) if p.nik else texts["Not recorded"]
        if p.nik_warning:
            nik += f' <span class="tag tag-warn">{texts["Check NIK"]}</span>'
        if p.birth_date:
            years = texts["%(n)d years"] % {"n": p.age_on(today)}
            born = f'{_esc(str(day(p.birth_date)))} <span class="meta">({years})</span>'
        else:
            born = texts["Not known"]
        status = _esc(str(statuses.get(p.status, "")))
        if p.status != "alive":
            status = f'<span class="tag tag-danger">{status}</span>'
        extra = ""
        if p.occupation:
            extra += f"<dt>{texts['Occupation']}</dt><dd>{_esc(str(p.occupation))}</dd>"
        if p.disability:
            extra += f"<dt>{texts['Disability']}</dt><dd>{_esc(str(p.disability))}</dd>"
        place = _esc(str(p.birth_place)) if p.birth_place else texts["Not known"]
        relation = _esc(str(relations.get(p.relation, "")))
        title = texts["Record %(n)d: %(name)s"] % {"n": n, "name": _esc(str(p.name))}
        out.append(
            f'<section class="card" aria-labelledby="record-{n}-title">\n'
            f'  <h2 id="record-{n}-title">{title}</h2>\n'
            '  <dl class="facts">\n'
            f"    <dt>{texts['NIK']}</dt>\n"
            f'    <dd class="nowrap">{nik}</dd>\n'
            f"    <dt>{texts['Sex']}</dt><dd>{_esc(str(sexes.get(p.sex, '')))}</dd>\n"
            f"    <dt>{texts['Date of birth']}</dt>\n"
            f"    <dd>{born}</dd>\n"
            f"    <dt>{texts['Place of birth']}</dt>"
            f"<dd>{place}</dd>\n"
            f"    <dt>{texts['Relation']}</dt><dd>{relation}</dd>\n"
            f"    <dt>{texts['Status']}</dt>\n"
            f"    <dd>{status}</dd>\n"
            f"{extra}    <dt>{texts['Household']}</dt>\n"
            f"    <dd>{_home(p, heads, texts, stem)}</dd>\n"
            f"    <dt>{texts['Record number']}</dt><dd>{p.id}</dd>\n"
            "  </dl>\n"
            f"  <h3>{texts['Enrolments']}</h3>\n"
            f"{_enrolment_list(enrolments[p.id], national, texts)}"
            "</section>\n"
        )
    return Markup("".join(out))  # noqa: S704 (see the module: values escaped above)


def _home(p, heads: Mapping, texts: Mapping, stem: str) -> str:
    """The person's household: linked and named by its head, its RT/RW, address and KK
    number; or the record it was merged into; or "None"."""
    h = p.household
    if h:
        head = heads[h.id]
        if head is not None:
            name = texts["Household of %(name)s"] % {"name": _esc(str(head))}
        else:
            name = texts["Household %(id)d"] % {"id": h.id}
        return (
            f'<a href="{stem}{h.id}">{name}</a><br>\n'
            f'        <span class="meta">{texts["RT/RW"]} {_esc(str(h.rt_rw))} · '
            f"{_esc(str(h.address))}</span><br>\n"
            f'        <span class="meta">{texts["KK number"]} <span class="nowrap">'
            f"{_esc(str(h.kk_number or '–'))}</span></span>\n"
        )
    if p.merged_into_id:
        return texts["Merged into record %(id)d"] % {"id": p.merged_into_id} + "\n"
    return texts["None"]


def _enrolment_list(e: Mapping, national: Mapping, texts: Mapping) -> str:
    """The person's village and national enrolments as a list, or a line saying none."""
    if not (e["village"] or e["national"]):
        return f"  <p>{texts['Not enrolled in any programme.']}</p>\n"
    items = [(_esc(str(item.programme)), item) for item in e["village"]] + [
        (_esc(str(national[item.programme][1])), item) for item in e["national"]
    ]
    lines = []
    for programme, item in items:
        end = _esc(str(day(item.period_end, "medium"))) if item.period_end else ""
        whose = texts["for this person"] if item.person_id else texts["for the whole household"]
        lines.append(
            f"    <li>{programme}, {_esc(str(day(item.period_start, 'medium')))} – {end}"
            f'      <span class="meta">({whose})</span></li>\n'
        )
    return "  <ul>\n" + "".join(lines) + "  </ul>\n"
