"""The household page's member rows, written by a plain function (household_body calls it
with the table's frame): Jinja spent some 150 Python calls a member (an escape, an attribute
look-up, a filter or a URL for every cell) where this spends a few dozen. The markup is
the template's loop's, byte for byte (tests/test_registry_member_rows.py): names, places
and labels are escaped as Jinja did (portal.text.escape_text, markupsafe's own escaping); our
catalogue's texts come as the template's _() gave them; the two links are our own URLs
with the person's id written in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from markupsafe import Markup, escape

from portal.i18n import catalogue, day
from portal.text import escape_text

# Where the rows go in the table's frame (household_body._members_frame).
ROWS_MARK = "<!--member-rows-->"


def member_rows(
    frame: str,
    members: Iterable,
    labels: tuple[Mapping[str, str], Mapping[str, str], Mapping[str, str]],
    today: date,
    urls: tuple[str, str] | None,
) -> Markup:
    """The members table: `frame` (the table's kept markup) with, at its mark
    (ROWS_MARK), the <tr>s of `members` (Person): name and sex, NIK (with the "Check
    NIK" tag), birth date, age and place, relation, civil status (and since when),
    disability, occupation and education; with `urls` (the edit and move links of
    person 0: the editors' column) the two links. `labels` are the page's `sexes`,
    `relations` and `civil_statuses`."""
    ugettext = catalogue().ugettext
    years = ugettext("%(n)d years")
    check_nik, edit, move = ugettext("Check NIK"), ugettext("Edit"), ugettext("Move")
    sexes, relations, statuses = labels
    if urls is not None:
        edit_at, move_at = (_around_id(url) for url in urls)
    rows = []
    for p in members:
        # Every piece a plain str, escaped as markupsafe escapes (escape_text).
        name = escape_text(p.name)
        status = p.status
        born = p.birth_date
        if born:
            birth = (
                f'{escape_text(day(born, "medium"))}<br><span class="meta">'
                f"{years % {'n': p.age_on(today)}}</span>"
            )
        else:
            birth = "–"
        if p.birth_place:
            birth = f'{birth}<br><span class="meta">{escape_text(p.birth_place)}</span>'
        if status == "alive":
            muted, civil = "", escape_text(statuses.get(status, ""))
        else:
            muted = ' class="row-muted"'
            civil = f'<span class="tag tag-danger">{escape_text(statuses.get(status, ""))}</span>'
            if p.status_date:
                since = escape_text(day(p.status_date, "medium"))
                civil = f'{civil}<br><span class="meta">{since}</span>'
        details = escape_text(p.occupation or "")
        if p.disability:
            details = f'<span class="tag">{escape_text(p.disability)}</span><br>{details}'
        if p.education:
            details = f'{details}<br><span class="meta">{escape_text(p.education)}</span>'
        nik = escape_text(p.nik or "–")
        if p.nik_warning:
            nik = f'{nik}<br><span class="tag tag-warn">{check_nik}</span>'
        sex = escape_text(sexes.get(p.sex, ""))
        row = (
            f"  <tr{muted}>\n"
            f'    <td>{name}<br><span class="meta">{sex}</span></td>\n'
            f'    <td class="nowrap">{nik}</td>\n'
            f'    <td class="nowrap">{birth}</td>\n'
            f"    <td>{escape_text(relations.get(p.relation, ''))}</td>\n"
            f"    <td>{civil}</td>\n"
            f"    <td>{details}</td>\n"
        )
        if urls is not None:
            pid = p.id
            row = (
                f'{row}<td><a href="{edit_at[0]}{pid}{edit_at[1]}">{edit}'
                f'<span class="visually-hidden">: {name}</span></a><br>\n'
                f'      <a href="{move_at[0]}{pid}{move_at[1]}">{move}'
                f'<span class="visually-hidden">: {name}</span></a></td>'
            )
        rows.append(f"{row}  </tr>\n")
    before, _mark, after = str(frame).partition(ROWS_MARK)
    # noqa: S704 (the frame is the template's markup; the rows' values are escaped above)
    return Markup(f"{before}{''.join(rows)}{after}")  # noqa: S704


def _around_id(url: str) -> tuple[str, str]:
    """A person's URL built for person 0, as the escaped text before and after the id."""
    before, _zero, after = url.rpartition("/0/")
    return str(escape(before + "/")), str(escape("/" + after))
