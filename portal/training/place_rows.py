"""A session's places on its staff page (/staf/pelatihan/sesi/<id>): the participants'
and the waitlist's rows written in Python, not the template's loop. The markup is the
loop's, byte for byte (tests/test_training_place_rows.py compares them in both
languages, editor or not)."""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.i18n import day


def place_rows(items, waiting: bool, editor: bool, cancel_url: str, csrf, texts) -> Markup:
    """Each place's <tr>: its number on the waitlist (`waiting`), name, phone, whether it
    is a registry person, attendance and completion (not `waiting`), and for an `editor`
    the cancel button. `cancel_url` is the cancel address of place 0 (the template's
    url_for), `csrf` the button form's token field, `texts` the template's
    ("Yes", "No", "Cancel")."""
    yes, no, cancel = texts
    head, _zero, tail = str(escape(cancel_url)).rpartition("/0/")
    button = f'{escape(csrf)}<button type="submit" class="link">{cancel}</button></form></td>'
    out = []
    for number, p in enumerate(items, 1):
        out.append("  <tr>\n")
        if waiting:
            out.append(f'<td class="num">{number}</td>')
        registry = yes if p.person_id else "-"
        out.append(
            f"    <td>{escape(p.name)}</td><td>{escape(p.phone or '-')}</td><td>{registry}</td>\n"
        )
        if not waiting:
            attended = p.attended
            shown = yes if attended else no if attended == False else "-"  # noqa: E712 (as Jinja's ==)
            completed = escape(day(p.completed_at)) if p.completed_at else "-"
            out.append(f"<td>{shown}</td><td>{completed}</td>")
        if editor:
            out.append(
                f'<td><form method="post" action="{head}/{escape(p.id)}/{tail}" class="inline">'
                f"{button}"
            )
        out.append("  </tr>\n")
    return Markup("".join(out))  # noqa: S704 (every value escaped)
