"""The audit log's rows (/staf/audit/), written by a plain function (the template calls
it as `audit_rows`): a page shows 50 entries of five cells, and Jinja spent some 60
Python calls an entry on them where this spends a few. The markup is the template's
was, byte for byte: every stored value is escaped as Jinja did, the before and after
(already Markup, indented JSON) are not, and the four words from our catalogue are left
as Jinja's _() left them."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import get_timezone
from markupsafe import Markup, escape

from portal.i18n import _when, catalogue, current_lang
from portal.text import escape_str, escape_text


def audit_rows(entries: Iterable) -> Markup:
    """<tr>s of `entries`: (at, actor_name, ip, action, object_type, object_id, summary,
    before, after), before and after as Markup or None."""
    ugettext = catalogue().ugettext
    system = ugettext("System")
    details = f"      <details><summary>{ugettext('Before and after')}</summary>\n"
    before_word = f"<p><strong>{ugettext('Before')}</strong></p><pre>"
    after_word = f"<p><strong>{ugettext('After')}</strong></p><pre>"
    # when(at, "short") with the language and time zone found once, not per entry.
    lang, zone = current_lang(), get_timezone()
    out = []
    # The stored values are str (or None, or empty: not written): markupsafe's C escaping
    # itself, a Python call less a value (portal.text.escape_str).
    for at, actor_name, ip, action, object_type, object_id, summary, before, after in entries:
        who = escape_str(actor_name) if actor_name else system
        if ip:
            who = f'{who}<br><span class="meta">{escape_str(ip)}</span>'
        record = escape_str(object_type)
        if object_id:
            record = f"{record} {escape_str(object_id)}"
        cell = f"<p>{escape_str(summary)}</p>" if summary else ""
        if before or after:
            cell += details
            if before:
                cell += f"{before_word}{before}</pre>"
            if after:
                cell += f"{after_word}{after}</pre>"
            cell += "      </details>\n"
        stamp = escape_str(_when(at, "short", lang, zone))
        out.append(
            f'  <tr>\n    <td class="nowrap">{stamp}</td>\n'
            f"    <td>{who}</td>\n    <td>{escape_str(action)}</td>\n"
            f'    <td class="nowrap">{record}</td>\n    <td>{cell}</td>\n  </tr>\n'
        )
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)


def menu_options(values: Iterable, selected) -> Markup:
    """The <option>s of a filter menu whose values (str) are shown as they are (the
    actions, the kinds of record), `selected` marked, as the template's loop wrote them."""
    out = []
    for value in values:
        text = escape_text(value)
        mark = " selected" if value == selected else ""
        out.append(f'<option value="{text}"{mark}>{text}</option>')
    return Markup("".join(out))  # noqa: S704  (values escaped above)


def actor_options(actors: Iterable, selected) -> Markup:
    """The <option>s of the menu of actors (number, name), `selected` (a number) marked."""
    out = []
    for number, name in actors:
        mark = " selected" if number == selected else ""
        out.append(f'<option value="{number}"{mark}>{escape_text(name)}</option>')
    return Markup("".join(out))  # noqa: S704  (values escaped above)


def _menu(name: str, label: str, everything: str, options: str) -> str:
    return (
        f'  <div class="field">\n    <label for="{name}">{label}</label>\n'
        f'    <select id="{name}" name="{name}">\n      <option value="">{everything}</option>\n'
        f"{options}    </select>\n  </div>\n"
    )


def _date_field(name: str, label: str, value: str, error) -> str:
    if error:
        return (
            f'  <div class="field has-error">\n    <label for="{name}">{label}</label>\n'
            f'    <input id="{name}" name="{name}" type="date" value="{escape(value)}" '
            f'aria-invalid="true" aria-describedby="{name}-error">\n'
            f'<p class="error" id="{name}-error">{escape(error)}</p>  </div>\n'
        )
    return (
        f'  <div class="field">\n    <label for="{name}">{label}</label>\n'
        f'    <input id="{name}" name="{name}" type="date" value="{escape(value)}">\n  </div>\n'
    )


def filter_form(known, filters: dict, args, errors: dict, url_for) -> Markup:
    """The log's filter form (action, kind of record, record number, who, the two
    dates), as the template wrote it: the menus of `known` with the chosen values
    marked, what was typed kept (escaped), a date's error beside it. Our catalogue's
    words as the template's _() left them."""
    ugettext = catalogue().ugettext
    here = url_for("audit.log")
    object_id = escape(filters["object_id"] or "")
    return Markup(  # noqa: S704  (values escaped here and in the menus' writers)
        f'<form class="filters filters-wide" action="{here}" method="get"\n'
        f'      data-hx-get="{here}" data-hx-target="#audit-entries" '
        'data-hx-trigger="change, submit" data-hx-push-url="true">\n'
        + _menu(
            "aksi",
            ugettext("Action"),
            ugettext("All actions"),
            menu_options(known["actions"], filters["action"]),
        )
        + _menu(
            "objek",
            ugettext("Kind of record"),
            ugettext("All kinds"),
            menu_options(known["object_types"], filters["object_type"]),
        )
        + '  <div class="field field-small">\n'
        f'    <label for="id">{ugettext("Record number")}</label>\n'
        f'    <input id="id" name="id" type="text" inputmode="numeric" value="{object_id}" '
        'maxlength="40">\n  </div>\n'
        + _menu(
            "pelaku",
            ugettext("Who"),
            ugettext("Everyone"),
            actor_options(known["actors"], filters["actor_id"]),
        )
        + _date_field("dari", ugettext("From (date)"), args.get("dari", ""), errors.get("dari"))
        + _date_field(
            "sampai", ugettext("Until (date)"), args.get("sampai", ""), errors.get("sampai")
        )
        + f'  <button type="submit">{ugettext("Filter")}</button>\n</form>'
    )
